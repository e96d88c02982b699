/**
 * The secret vault: how endpoint secrets are encrypted at rest. One interface, several keepers:
 *   - `file-key`: AES-256-GCM with a random key in `secret.key` (mode 0600) in the data directory;
 *   - `passphrase`: AES-256-GCM with a key derived by scrypt from FERRY_PASSPHRASE;
 *   - `safe-storage`: Electron's safeStorage (OS keychain), implemented in main/electron/.
 * A sealed secret names its keeper ("file-key:…"), so a store can hold secrets of several keepers.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../../shared/errors.ts';

export type VaultKind = 'file-key' | 'passphrase' | 'safe-storage';

export interface SecretVault {
  readonly kind: VaultKind;
  /** Shown to the user when the vault protects less than it should (Linux's plain-text safeStorage backend). */
  readonly warning: string | null;
  seal(plain: string): string;
  open(sealed: string): string;
}

const KEY_FILE = 'secret.key';

function aesSeal(kind: VaultKind, key: Buffer, plain: string, prefix: Buffer = Buffer.alloc(0)): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(kind));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${kind}:${Buffer.concat([prefix, iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

function aesOpen(kind: VaultKind, key: Buffer, blob: Buffer): string {
  const iv = blob.subarray(0, 12);
  const tag = blob.subarray(12, 28);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(kind));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new FerryError(
      'AUTH_BAD_SECRET',
      kind === 'passphrase'
        ? 'The stored secret cannot be decrypted with this FERRY_PASSPHRASE.'
        : `The stored secret cannot be decrypted: ${KEY_FILE} in the data directory changed. Add the endpoint's secret again.`,
      { cause: error },
    );
  }
}

function splitSealed(sealed: string): { kind: string; blob: Buffer } {
  const colon = sealed.indexOf(':');
  return { kind: sealed.slice(0, colon), blob: Buffer.from(sealed.slice(colon + 1), 'base64') };
}

/** AES-256-GCM with a random 256-bit key kept in `secret.key` (0600) beside the store. */
export class FileKeyVault implements SecretVault {
  readonly kind = 'file-key' as const;
  readonly warning = null;
  readonly #dataDir: string;
  #key: Buffer | null = null;

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
  }

  #loadKey(create: boolean): Buffer {
    if (this.#key) return this.#key;
    const path = join(this.#dataDir, KEY_FILE);
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

  seal(plain: string): string {
    return aesSeal(this.kind, this.#loadKey(true), plain);
  }

  open(sealed: string): string {
    return aesOpen(this.kind, this.#loadKey(false), splitSealed(sealed).blob);
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

  seal(plain: string): string {
    const salt = randomBytes(16);
    return aesSeal(this.kind, this.#derive(salt), plain, salt);
  }

  open(sealed: string): string {
    const { blob } = splitSealed(sealed);
    return aesOpen(this.kind, this.#derive(blob.subarray(0, 16)), blob.subarray(16));
  }
}

/**
 * The vault for a host without Electron: the passphrase one if FERRY_PASSPHRASE is set, else the
 * key file. `others` lets a host add keepers (Electron adds safe-storage) for opening secrets.
 */
export function defaultVault(dataDir: string, env: NodeJS.ProcessEnv = process.env): SecretVault {
  const passphrase = env.FERRY_PASSPHRASE;
  return passphrase ? new PassphraseVault(passphrase) : new FileKeyVault(dataDir);
}

/** Opens a sealed secret with the vault of its kind. */
export function openSealed(sealed: string, vaults: readonly SecretVault[]): string {
  const { kind } = splitSealed(sealed);
  const vault = vaults.find((v) => v.kind === kind);
  if (vault) return vault.open(sealed);
  if (kind === 'passphrase')
    throw new FerryError('AUTH_BAD_SECRET', "This endpoint's secret was stored with a passphrase: set FERRY_PASSPHRASE.");
  if (kind === 'safe-storage')
    throw new FerryError(
      'AUTH_BAD_SECRET',
      "This endpoint's secret is in the desktop app's OS keychain, which the command line cannot read: add the secret again here.",
    );
  throw new FerryError('AUTH_BAD_SECRET', 'The stored secret has an unknown format.');
}
