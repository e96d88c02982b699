/**
 * The OS keychain as a SecretVault, through @napi-rs/keyring (Secret Service on Linux, Keychain on
 * macOS, Credential Manager on Windows), and the vaults of the hosts without Electron. Kept apart
 * from vault.ts so that the desktop app's bundle never loads the native module (it keeps safeStorage).
 */
import { Entry } from '@napi-rs/keyring';
import { createHash, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { FerryError } from '../../shared/errors.ts';
import { FileKeyVault, KEY_FILE_WARNING, PassphraseVault, V2, splitSealed, type SecretVault } from './vault.ts';

const KEYCHAIN_SERVICE = 'Ferry';

function keyringEntry(account: string): Entry {
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
export function hostVaults(dataDir: string, env: NodeJS.ProcessEnv = process.env): { vault: SecretVault; extraVaults: SecretVault[] } {
  const passphrase = env.FERRY_PASSPHRASE;
  // secrets already in the keychain still open (or say in words why not) when another vault seals
  if (passphrase) return { vault: new PassphraseVault(passphrase), extraVaults: [new KeychainVault(dataDir)] };
  if (KeychainVault.available()) return { vault: new KeychainVault(dataDir), extraVaults: [] };
  return { vault: new FileKeyVault(dataDir, KEY_FILE_WARNING), extraVaults: [new KeychainVault(dataDir)] };
}
