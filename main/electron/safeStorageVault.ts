/**
 * The desktop app's secret vault: Electron's safeStorage (macOS Keychain, Windows DPAPI, libsecret or
 * KWallet on Linux). Where Linux has no keyring, safeStorage falls back to its `basic_text` backend,
 * whose key is a constant: the secret is then as good as plain text, and the vault's `warning` says
 * so (HostService puts it in the snapshot as host.vaultWarning; the window shows it).
 *
 * safeStorage's synchronous API is used because SecretVault.seal/open are synchronous (Electron 45
 * deprecates it in favour of encryptStringAsync; moving needs an async SecretVault).
 * Only usable after the app's `ready` event.
 */
import { safeStorage } from 'electron';
import { FerryError } from '../../shared/errors.ts';
import { FileKeyVault, PassphraseVault, type SecretVault } from '../endpoints/vault.ts';

export const PLAIN_TEXT_WARNING =
  'This computer has no keyring Ferry can use (Electron’s safeStorage uses its plain-text backend), so stored secrets are only obfuscated: anyone who can read your files can read them. Install and unlock a keyring (GNOME Keyring or KWallet) and add the secrets again.';

export const NO_KEYCHAIN_WARNING =
  'The system keychain is not available: secrets are encrypted with a key file in Ferry’s data folder, readable by anyone who can read your files.';

const PREFIX = 'safe-storage:';
/** Bound secrets: the encrypted text is {bind, secret}, so a secret opens only for its endpoint's origin. */
const BOUND = `${PREFIX}2:`;

export class SafeStorageVault implements SecretVault {
  readonly kind = 'safe-storage' as const;
  readonly warning: string | null;

  constructor(platform: NodeJS.Platform = process.platform) {
    this.warning = platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text' ? PLAIN_TEXT_WARNING : null;
  }

  seal(plain: string, bind: string): string {
    return `${BOUND}${safeStorage.encryptString(JSON.stringify({ bind, secret: plain })).toString('base64')}`;
  }

  open(sealed: string, bind: string | null): string {
    if (!sealed.startsWith(PREFIX)) throw new FerryError('AUTH_BAD_SECRET', 'The stored secret is not one of the system keychain’s.');
    const bound = sealed.startsWith(BOUND);
    let text: string;
    try {
      text = safeStorage.decryptString(Buffer.from(sealed.slice(bound ? BOUND.length : PREFIX.length), 'base64'));
    } catch (error) {
      throw new FerryError(
        'AUTH_BAD_SECRET',
        'The system keychain cannot decrypt this endpoint’s secret (the keychain changed or is locked): add the secret again.',
        { cause: error },
      );
    }
    if (!bound) return text;
    let entry: { bind?: unknown; secret?: unknown } = {};
    try {
      entry = JSON.parse(text) as typeof entry;
    } catch {
      // not ours
    }
    if (typeof entry.secret !== 'string' || entry.bind !== bind) {
      throw new FerryError(
        'AUTH_BAD_SECRET',
        'The stored secret was stored for another server than this endpoint’s: add the secret again.',
      );
    }
    return entry.secret;
  }
}

/**
 * The vaults of the desktop app: new secrets go to safeStorage when it works (else to the key file,
 * with a warning); secrets the CLI stored (key file, FERRY_PASSPHRASE) still open.
 */
export function desktopVaults(dataDir: string, env: NodeJS.ProcessEnv = process.env): { vault: SecretVault; extraVaults: SecretVault[] } {
  const extraVaults: SecretVault[] = [];
  if (env.FERRY_PASSPHRASE) {
    try {
      extraVaults.push(new PassphraseVault(env.FERRY_PASSPHRASE));
    } catch (error) {
      console.warn(`ferry: FERRY_PASSPHRASE is ignored: ${(error as Error).message}`);
    }
  }
  if (safeStorage.isEncryptionAvailable())
    return { vault: new SafeStorageVault(), extraVaults: [new FileKeyVault(dataDir), ...extraVaults] };
  return { vault: new FileKeyVault(dataDir, NO_KEYCHAIN_WARNING), extraVaults };
}
