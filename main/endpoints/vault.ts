/**
 * The secret vault: how endpoint secrets are kept at rest. One interface, several keepers:
 *   - `keychain`: the OS keychain through @napi-rs/keyring (keychain.ts: the CLI's and the browser
 *     host's choice wherever a keychain answers; the store holds only the entry's name);
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
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

export const V2 = '2:';

export function splitSealed(sealed: string): { kind: string; bound: boolean; payload: string } {
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
