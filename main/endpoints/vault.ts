/**
 * The secret vault: how endpoint secrets are kept at rest. One interface, several keepers:
 *   - `keychain`: the OS keychain through @napi-rs/keyring (Secret Service on Linux, Keychain on
 *     macOS, Credential Manager on Windows); the store holds only the entry's name. The CLI's and
 *     the browser host's choice wherever a keychain answers;
 *   - `passphrase`: AES-256-GCM with a key derived by scrypt from FERRY_PASSPHRASE;
 *   - `file-key`: AES-256-GCM with a random key in `secret.key` (0600) in the data directory: the
 *     fallback where neither is available, with a warning (a copy of the data directory is a copy
 *     of every secret it holds);
 *   - `safe-storage`: Electron's safeStorage (OS keychain), implemented in main/electron/.
 * A sealed secret names its keeper ("file-key:…"), so a store can hold secrets of several keepers.
 *
 * Every secret is bound to its endpoint's origin (scheme, host and port of the URL, or the AWS
 * profile): `seal(plain, bind)` authenticates `bind` with the secret (AES-GCM additional data, or
 * beside it in the keychain entry) and `open(sealed, bind)` refuses another one, so a secret cannot
 * be decrypted for a different server, even by editing the store. Format "<kind>:2:<payload>";
 * "<kind>:<payload>" is the older, unbound form, which the registry re-seals bound when it meets it.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { FerryError } from '../../shared/errors.ts';

export type VaultKind = 'file-key' | 'passphrase' | 'safe-storage' | 'keychain';

export interface SecretVault {
  readonly kind: VaultKind;
  /** Shown to the user when the vault protects less than it should (a key file, Linux's plain-text safeStorage). */
  readonly warning: string | null;
  /** Seals `plain` bound to `bind` (the endpoint's origin). */
  seal(plain: string, bind: string): string;
  /** Opens a sealed secret; refuses one bound to something else than `bind`. `bind` null: an unbound legacy secret. */
  open(sealed: string, bind: string | null): string;
  /** Removes what a sealed secret keeps outside the store (a keychain entry), if anything. */
  forget?(sealed: string): void;
}

export const KEY_FILE = 'secret.key';

export const KEY_FILE_WARNING =
  'No OS keychain answered, so stored secrets are encrypted with the key file secret.key in Ferry’s data folder: a copy or backup of that folder is a copy of the secrets. Run a keychain (on Linux a Secret Service such as GNOME Keyring) or set FERRY_PASSPHRASE, then add the secrets again.';

const V2 = '2:';

function splitSealed(sealed: string): { kind: string; bound: boolean; payload: string } {
  const colon = sealed.indexOf(':');
  const kind = sealed.slice(0, colon);
  const rest = sealed.slice(colon + 1);
  return rest.startsWith(V2) ? { kind, bound: true, payload: rest.slice(V2.length) } : { kind, bound: false, payload: rest };
}

/** True when the sealed secret carries no binding to its endpoint (sealed before binding existed). */
export function isUnbound(sealed: string): boolean {
  return !splitSealed(sealed).bound;
}

/** The keeper a sealed secret names. */
export function sealedKind(sealed: string): string {
  return splitSealed(sealed).kind;
}

function additionalData(kind: VaultKind, bind: string | null): Buffer {
  return Buffer.from(bind === null ? kind : `${kind}\n${bind}`);
}

function aesSeal(kind: VaultKind, key: Buffer, plain: string, bind: string, prefix: Buffer = Buffer.alloc(0)): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additionalData(kind, bind));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${kind}:${V2}${Buffer.concat([prefix, iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

function aesOpen(kind: VaultKind, key: Buffer, blob: Buffer, bind: string | null): string {
  const iv = blob.subarray(0, 12);
  const tag = blob.subarray(12, 28);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(additionalData(kind, bind));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new FerryError(
      'AUTH_BAD_SECRET',
      kind === 'passphrase'
        ? 'The stored secret cannot be decrypted for this endpoint with this FERRY_PASSPHRASE (a wrong passphrase, or a secret stored for another server): add the secret again.'
        : `The stored secret cannot be decrypted for this endpoint (${KEY_FILE} changed, or the secret was stored for another server): add the endpoint's secret again.`,
      { cause: error },
    );
  }
}

/** Opens an AES-sealed secret of either format: bound ones against `bind`, unbound ones as they were. */
function aesOpenSealed(
  kind: VaultKind,
  sealed: string,
  bind: string | null,
  keyFor: (blob: Buffer) => { key: Buffer; rest: Buffer },
): string {
  const { bound, payload } = splitSealed(sealed);
  const { key, rest } = keyFor(Buffer.from(payload, 'base64'));
  if (bound && bind === null) throw new FerryError('AUTH_BAD_SECRET', 'The stored secret is bound to an endpoint: name it.');
  return aesOpen(kind, key, rest, bound ? bind : null);
}

/** AES-256-GCM with a random 256-bit key kept in `secret.key` (0600) beside the store. */
export class FileKeyVault implements SecretVault {
  readonly kind = 'file-key' as const;
  readonly warning: string | null;
  readonly #dataDir: string;
  #key: Buffer | null = null;

  /** @param warning what the window and `endpoint add` say when this is the vault new secrets go to */
  constructor(dataDir: string, warning: string | null = null) {
    this.#dataDir = dataDir;
    this.warning = warning;
  }

  get path(): string {
    return join(this.#dataDir, KEY_FILE);
  }

  #loadKey(create: boolean): Buffer {
    if (this.#key) return this.#key;
    const path = this.path;
    try {
      this.#key = readFileSync(path);
    } catch (error) {
      if ((error as { code?: string }).code !== 'ENOENT' || !create) {
        throw new FerryError(
          'AUTH_BAD_SECRET',
          `The key file ${path} that encrypts stored secrets is missing: add the endpoint's secret again.`,
          { cause: error },
        );
      }
      const key = randomBytes(32);
      try {
        writeFileSync(path, key, { mode: 0o600, flag: 'wx' });
        this.#key = key;
      } catch (raced) {
        if ((raced as { code?: string }).code !== 'EEXIST') throw raced;
        this.#key = readFileSync(path);
      }
    }
    chmodSync(path, 0o600);
    if (this.#key.length !== 32) throw new FerryError('AUTH_BAD_SECRET', `The key file ${path} is damaged.`);
    return this.#key;
  }

  seal(plain: string, bind: string): string {
    return aesSeal(this.kind, this.#loadKey(true), plain, bind);
  }

  open(sealed: string, bind: string | null): string {
    return aesOpenSealed(this.kind, sealed, bind, (blob) => ({ key: this.#loadKey(false), rest: blob }));
  }

  /** Deletes the key file (once no secret needs it). */
  remove(): void {
    this.#key = null;
    rmSync(this.path, { force: true });
  }
}

/** AES-256-GCM with a key derived by scrypt from a passphrase; each secret has its own salt. */
export class PassphraseVault implements SecretVault {
  readonly kind = 'passphrase' as const;
  readonly warning = null;
  readonly #passphrase: string;

  constructor(passphrase: string) {
    if (passphrase.length < 8) throw new FerryError('INVALID_INPUT', 'FERRY_PASSPHRASE must have at least 8 characters.');
    this.#passphrase = passphrase;
  }

  #derive(salt: Buffer): Buffer {
    return scryptSync(this.#passphrase, salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  }

  seal(plain: string, bind: string): string {
    const salt = randomBytes(16);
    return aesSeal(this.kind, this.#derive(salt), plain, bind, salt);
  }

  open(sealed: string, bind: string | null): string {
    return aesOpenSealed(this.kind, sealed, bind, (blob) => ({ key: this.#derive(blob.subarray(0, 16)), rest: blob.subarray(16) }));
  }
}

/** The slice of @napi-rs/keyring's Entry that Ferry uses. */
interface KeyringEntry {
  getPassword(): string | null;
  setPassword(password: string): void;
  deletePassword(): boolean;
}
type EntryConstructor = new (
  service: string,
  account: string,
  options?: { linux?: { store?: 'secret-service' | 'keyutils' } },
) => KeyringEntry;

const KEYCHAIN_SERVICE = 'Ferry';

function keyringEntry(account: string): KeyringEntry {
  const require = createRequire(import.meta.url);
  const { Entry } = require('@napi-rs/keyring') as { Entry: EntryConstructor };
  // on Linux the Secret Service only: the kernel keyring (the library's fallback) forgets at logout
  return new Entry(KEYCHAIN_SERVICE, account, { linux: { store: 'secret-service' } });
}

/**
 * The OS keychain: each secret is one entry (service "Ferry", account "<data dir hash>-<uuid>")
 * holding {bind, secret}; the store holds only "keychain:2:<account>".
 */
export class KeychainVault implements SecretVault {
  readonly kind = 'keychain' as const;
  readonly warning = null;
  readonly #scope: string;

  constructor(dataDir: string) {
    this.#scope = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12);
  }

  /** True when the OS keychain answers (a Secret Service on the session bus, Keychain, Credential Manager). */
  static available(): boolean {
    try {
      keyringEntry('ferry-probe').getPassword();
      return true;
    } catch {
      return false;
    }
  }

  seal(plain: string, bind: string): string {
    const account = `ferry-${this.#scope}-${randomUUID()}`;
    try {
      keyringEntry(account).setPassword(JSON.stringify({ bind, secret: plain }));
    } catch (error) {
      throw new FerryError(
        'AUTH_BAD_SECRET',
        `The OS keychain refused to store the secret (${(error as Error).message}): is it unlocked?`,
        {
          cause: error,
        },
      );
    }
    return `${this.kind}:${V2}${account}`;
  }

  open(sealed: string, bind: string | null): string {
    const { payload } = splitSealed(sealed);
    let text: string | null;
    try {
      text = keyringEntry(payload).getPassword();
    } catch (error) {
      throw new FerryError(
        'AUTH_BAD_SECRET',
        `The OS keychain cannot be read (${(error as Error).message}): unlock it, or add the endpoint's secret again.`,
        { cause: error },
      );
    }
    if (text === null)
      throw new FerryError('AUTH_BAD_SECRET', 'The OS keychain no longer holds this endpoint’s secret: add the secret again.');
    let entry: { bind?: unknown; secret?: unknown };
    try {
      entry = JSON.parse(text) as typeof entry;
    } catch {
      entry = {};
    }
    if (typeof entry.secret !== 'string' || entry.bind !== bind) {
      throw new FerryError(
        'AUTH_BAD_SECRET',
        'The secret in the OS keychain was stored for another server than this endpoint’s: add the secret again.',
      );
    }
    return entry.secret;
  }

  forget(sealed: string): void {
    try {
      keyringEntry(splitSealed(sealed).payload).deletePassword();
    } catch {
      // already gone, or the keychain is locked: nothing else refers to it
    }
  }
}

/**
 * The vault for a host without Electron (the CLI, `ferry serve`): the passphrase one if
 * FERRY_PASSPHRASE is set, else the OS keychain where one answers, else the key file with a warning.
 */
export function defaultVault(dataDir: string, env: NodeJS.ProcessEnv = process.env): SecretVault {
  const passphrase = env.FERRY_PASSPHRASE;
  if (passphrase) return new PassphraseVault(passphrase);
  if (KeychainVault.available()) return new KeychainVault(dataDir);
  return new FileKeyVault(dataDir, KEY_FILE_WARNING);
}

/** Opens a sealed secret with the vault of its kind, bound to `bind`. */
export function openSealed(sealed: string, vaults: readonly SecretVault[], bind: string | null): string {
  const { kind } = splitSealed(sealed);
  const vault = vaults.find((v) => v.kind === kind);
  if (vault) return vault.open(sealed, bind);
  if (kind === 'passphrase')
    throw new FerryError('AUTH_BAD_SECRET', "This endpoint's secret was stored with a passphrase: set FERRY_PASSPHRASE.");
  if (kind === 'safe-storage')
    throw new FerryError(
      'AUTH_BAD_SECRET',
      "This endpoint's secret is in the desktop app's OS keychain, which the command line cannot read: add the secret again here.",
    );
  if (kind === 'keychain')
    throw new FerryError(
      'AUTH_BAD_SECRET',
      "This endpoint's secret is in the OS keychain, which does not answer here: unlock it, or add the secret again.",
    );
  throw new FerryError('AUTH_BAD_SECRET', 'The stored secret has an unknown format.');
}
