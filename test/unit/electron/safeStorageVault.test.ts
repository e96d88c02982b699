// Secrets through Electron's safeStorage (mocked), the plain-text warning, and secrets the CLI stored.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndpointRegistry } from '../../../main/endpoints/registry.ts';
import { FileKeyVault } from '../../../main/endpoints/vault.ts';
import { electron, resetElectron } from './fakeElectron.ts';

vi.mock('electron', async () => (await import('./fakeElectron.ts')).electron);
const { NO_KEYCHAIN_WARNING, PLAIN_TEXT_WARNING, SafeStorageVault, desktopVaults } =
  await import('../../../main/electron/safeStorageVault.ts');

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
let dir: string;
beforeEach(() => {
  resetElectron();
  dir = mkdtempSync(join(tmpdir(), 'ferry-safe-storage-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const credential = { kind: 'static' as const, accessKeyId: 'AKID', secretAccessKey: SECRET };

describe('SafeStorageVault', () => {
  it('seals through safeStorage, never in plain text, and opens what it sealed', () => {
    const vault = new SafeStorageVault('linux');
    const sealed = vault.seal(SECRET, 'https://s3.example.com');
    expect(sealed.startsWith('safe-storage:')).toBe(true);
    expect(sealed).not.toContain(SECRET);
    expect(electron.safeStorage.encryptString).toHaveBeenCalledWith(JSON.stringify({ bind: 'https://s3.example.com', secret: SECRET }));
    expect(vault.open(sealed, 'https://s3.example.com')).toBe(SECRET);
    // bound to its endpoint's origin: it does not open for another server
    expect(() => vault.open(sealed, 'https://evil.example')).toThrow(expect.objectContaining({ code: 'AUTH_BAD_SECRET' }));
    expect(vault.warning).toBeNull();
  });

  it("warns where Linux has only safeStorage's plain-text backend", () => {
    electron.safeStorage.backend = 'basic_text';
    expect(new SafeStorageVault('linux').warning).toBe(PLAIN_TEXT_WARNING);
    expect(new SafeStorageVault('darwin').warning).toBeNull();
  });

  it('turns a keychain that cannot decrypt into AUTH_BAD_SECRET', () => {
    const vault = new SafeStorageVault('linux');
    expect(() => vault.open(`safe-storage:${Buffer.from('garbage').toString('base64')}`, null)).toThrow(
      expect.objectContaining({ code: 'AUTH_BAD_SECRET' }),
    );
    expect(() => vault.open('file-key:abc', null)).toThrow(expect.objectContaining({ code: 'AUTH_BAD_SECRET' }));
  });
});

describe('desktopVaults', () => {
  it('stores new secrets in safeStorage and still opens those the CLI stored with the key file', async () => {
    const cli = new EndpointRegistry({ dataDir: dir, vault: new FileKeyVault(dir) });
    const fromCli = cli.add({ name: 'cli', url: 'http://127.0.0.1:9000', credential });
    cli.close();

    const { vault, extraVaults } = desktopVaults(dir, {});
    expect(vault.kind).toBe('safe-storage');
    const desktop = new EndpointRegistry({ dataDir: dir, vault, extraVaults });
    const fromDesktop = desktop.add({ name: 'desktop', url: 'http://127.0.0.1:9000', credential });
    expect((await desktop.resolve(fromCli.id)).credentials).toEqual({ accessKeyId: 'AKID', secretAccessKey: SECRET });
    expect((await desktop.resolve(fromDesktop.id)).credentials).toEqual({ accessKeyId: 'AKID', secretAccessKey: SECRET });
    desktop.close();
    const everything = readdirSync(dir)
      .map((name) => readFileSync(join(dir, name)).toString('latin1'))
      .join('\n');
    expect(everything).not.toContain(SECRET);
    expect(everything).toContain('safe-storage:');
  });

  it('falls back to the key file, with a warning, where no keychain is available', () => {
    electron.safeStorage.available = false;
    const { vault } = desktopVaults(dir, {});
    expect(vault.kind).toBe('file-key');
    expect(vault.warning).toBe(NO_KEYCHAIN_WARNING);
    expect(vault.open(vault.seal(SECRET, 'http://h'), 'http://h')).toBe(SECRET);
  });

  it('opens passphrase secrets when FERRY_PASSPHRASE is set', () => {
    const { extraVaults } = desktopVaults(dir, { FERRY_PASSPHRASE: 'correct horse battery' });
    expect(extraVaults.map((each) => each.kind).sort()).toEqual(['file-key', 'passphrase']);
  });
});
