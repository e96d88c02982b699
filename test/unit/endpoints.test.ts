import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EndpointRegistry } from '../../main/endpoints/registry.ts';
import { FileKeyVault, PassphraseVault } from '../../main/endpoints/vault.ts';
import { presetForUrl } from '../../shared/presets.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-endpoints-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Every byte of every file in the data directory, as latin1 text. */
function everything(): string {
  return readdirSync(dir)
    .map((name) => readFileSync(join(dir, name)).toString('latin1'))
    .join('\n');
}

describe('EndpointRegistry', () => {
  it('stores the secret encrypted, never in plain text, and gives it back to the engine only', async () => {
    const registry = new EndpointRegistry({ dataDir: dir, vault: new FileKeyVault(dir) });
    const added = registry.add({
      name: 'Main',
      url: 'http://127.0.0.1:9000/',
      credential: { kind: 'static', accessKeyId: 'AKID', secretAccessKey: SECRET },
    });
    expect(added).toMatchObject({
      name: 'Main',
      url: 'http://127.0.0.1:9000',
      addressing: 'path',
      checksums: 'when-required',
      credential: { kind: 'static', accessKeyId: 'AKID' },
    });
    expect(JSON.stringify(registry.list())).not.toContain(SECRET);
    const { credentials } = await registry.resolve(added.id);
    expect(credentials).toEqual({ accessKeyId: 'AKID', secretAccessKey: SECRET });
    registry.close();
    expect(everything()).not.toContain(SECRET);
    expect(everything()).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });

  it('takes the provider’s quirks from the URL', () => {
    const registry = new EndpointRegistry({ dataDir: dir, vault: new FileKeyVault(dir) });
    const r2 = registry.add({
      name: 'r2',
      url: 'https://abc.r2.cloudflarestorage.com',
      credential: { kind: 'static', accessKeyId: 'a', secretAccessKey: 'b' },
    });
    expect(r2).toMatchObject({ region: 'auto', checksums: 'when-required' });
    const aws = registry.add({
      name: 'aws',
      url: 'https://s3.eu-west-1.amazonaws.com',
      region: 'eu-west-1',
      credential: { kind: 'static', accessKeyId: 'a', secretAccessKey: 'b' },
    });
    expect(aws).toMatchObject({ addressing: 'virtual', checksums: 'when-supported' });
    expect(presetForUrl('https://s3.us-west-004.backblazeb2.com')?.id).toBe('b2');
    registry.close();
  });

  it('refuses bad input in words and a duplicate name', () => {
    const registry = new EndpointRegistry({ dataDir: dir, vault: new FileKeyVault(dir) });
    const credential = { kind: 'static' as const, accessKeyId: 'a', secretAccessKey: 'b' };
    expect(() => registry.add({ name: 'x', url: 'notaurl', credential })).toThrow(/must be an http:\/\/ or https:\/\/ address/);
    expect(() => registry.add({ name: '', url: 'http://h', credential })).toThrow(/name is empty/);
    registry.add({ name: 'x', url: 'http://h', credential });
    expect(() => registry.add({ name: 'X', url: 'http://h', credential })).toThrow(/An endpoint named "x" exists already/);
    expect(() => registry.get('nope')).toThrow(/No endpoint named "nope". Known endpoints: x./);
    registry.close();
  });

  it('references an AWS profile without copying anything', async () => {
    const registry = new EndpointRegistry({ dataDir: dir, vault: new FileKeyVault(dir) });
    const added = registry.add({ name: 'aws', region: 'eu-central-1', credential: { kind: 'aws-profile', profile: 'work' } });
    expect(added).toMatchObject({ url: 'https://s3.eu-central-1.amazonaws.com', credential: { kind: 'aws-profile', profile: 'work' } });
    const { credentials } = await registry.resolve(added.id);
    expect(typeof credentials).toBe('function');
    registry.close();
  });
});

describe('vaults', () => {
  it('the passphrase vault opens only with the same passphrase', () => {
    const sealed = new PassphraseVault('correct horse').seal(SECRET, 'https://h');
    expect(sealed.startsWith('passphrase:')).toBe(true);
    expect(new PassphraseVault('correct horse').open(sealed, 'https://h')).toBe(SECRET);
    expect(() => new PassphraseVault('wrong horse!').open(sealed, 'https://h')).toThrow(/with this FERRY_PASSPHRASE/);
  });

  it('the key-file vault fails in words when its key is gone', () => {
    const sealed = new FileKeyVault(dir).seal(SECRET, 'https://h');
    rmSync(join(dir, 'secret.key'));
    expect(() => new FileKeyVault(dir).open(sealed, 'https://h')).toThrow(/is missing: add the endpoint's secret again/);
  });
});
