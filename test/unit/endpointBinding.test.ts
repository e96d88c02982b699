// Issue #10's endpoint rules as pure logic: secrets bound to their endpoint's origin, a move to
// another server needing the credential again, old unbound secrets sealed again, user info refused,
// the plain-http warning.
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EndpointRegistry } from '../../main/endpoints/registry.ts';
import { FileKeyVault, PassphraseVault } from '../../main/endpoints/vault.ts';
import { endpointUrlSchema, plainHttpWarning } from '../../shared/endpointInput.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
const credential = { kind: 'static' as const, accessKeyId: 'AKID', secretAccessKey: SECRET };
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-binding-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sealedOf(name: string): string {
  const db = new DatabaseSync(join(dir, 'ferry.db'));
  try {
    const row = db.prepare('SELECT credential FROM endpoints WHERE name = ?').get(name) as { credential: string };
    return (JSON.parse(row.credential) as { sealedSecret: string }).sealedSecret;
  } finally {
    db.close();
  }
}

describe('secrets bound to their endpoint', () => {
  it('a sealed secret opens for its origin only, whatever the vault', () => {
    for (const vault of [new FileKeyVault(dir), new PassphraseVault('correct horse battery')]) {
      const sealed = vault.seal(SECRET, 'https://s3.example.com');
      expect(vault.open(sealed, 'https://s3.example.com')).toBe(SECRET);
      expect(() => vault.open(sealed, 'https://evil.example')).toThrow(expect.objectContaining({ code: 'AUTH_BAD_SECRET' }));
      expect(() => vault.open(sealed, 'https://s3.example.com:444')).toThrow(expect.objectContaining({ code: 'AUTH_BAD_SECRET' }));
    }
  });

  it('moving an endpoint to another scheme, host or port needs the credential; the same server does not', async () => {
    const registry = new EndpointRegistry({ dataDir: dir, vault: new FileKeyVault(dir) });
    const added = registry.add({ name: 'm', url: 'https://s3.example.com', credential });
    for (const url of ['http://s3.example.com', 'https://evil.example', 'https://s3.example.com:8443']) {
      expect(() => registry.update(added.id, { name: 'm', url })).toThrow(/needs its credential again/);
    }
    expect(registry.get(added.id).url).toBe('https://s3.example.com');
    registry.update(added.id, { name: 'm', url: 'https://S3.example.com/', region: 'eu-west-1' });
    expect((await registry.resolve(added.id)).credentials).toEqual({ accessKeyId: 'AKID', secretAccessKey: SECRET });
    // with the credential, the move is made and the secret is bound to the new server
    registry.update(added.id, { name: 'm', url: 'https://s3.example.net', credential });
    expect(sealedOf('m').startsWith('file-key:2:')).toBe(true);
    expect((await registry.resolve(added.id)).credentials).toEqual({ accessKeyId: 'AKID', secretAccessKey: SECRET });
    registry.close();
  });

  it('an AWS-profile endpoint moved elsewhere needs the profile named again', () => {
    const registry = new EndpointRegistry({ dataDir: dir, vault: new FileKeyVault(dir) });
    const added = registry.add({ name: 'p', url: 'https://s3.example.com', credential: { kind: 'aws-profile', profile: 'work' } });
    expect(() => registry.update(added.id, { name: 'p', url: 'https://evil.example' })).toThrow(/give the AWS profile/);
    registry.update(added.id, { name: 'p', url: 'https://evil.example', credential: { kind: 'aws-profile', profile: 'work' } });
    expect(registry.get(added.id).url).toBe('https://evil.example');
    registry.close();
  });

  it('a secret an older Ferry stored unbound is sealed again, bound to its endpoint, and still opens', async () => {
    const first = new EndpointRegistry({ dataDir: dir, vault: new FileKeyVault(dir) });
    const added = first.add({ name: 'old', url: 'http://127.0.0.1:9000', credential });
    first.close();
    // what the older format looked like: AES-256-GCM with only the keeper's name as additional data
    const key = readFileSync(join(dir, 'secret.key'));
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from('file-key'));
    const body = Buffer.concat([cipher.update(SECRET, 'utf8'), cipher.final()]);
    const legacy = `file-key:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
    const db = new DatabaseSync(join(dir, 'ferry.db'));
    db.prepare('UPDATE endpoints SET credential = ?').run(JSON.stringify({ kind: 'static', accessKeyId: 'AKID', sealedSecret: legacy }));
    db.close();

    const registry = new EndpointRegistry({ dataDir: dir, vault: new FileKeyVault(dir) });
    expect(sealedOf('old').startsWith('file-key:2:')).toBe(true);
    expect((await registry.resolve(added.id)).credentials).toEqual({ accessKeyId: 'AKID', secretAccessKey: SECRET });
    registry.close();
  });
});

describe('endpoint URLs', () => {
  it('refuse user info', () => {
    const result = endpointUrlSchema.safeParse('https://AKID:secret@s3.example.com');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/--access-key-id and --secret-stdin/);
    expect(endpointUrlSchema.safeParse('https://s3.example.com').success).toBe(true);
  });

  it('warn about plain http:// to another computer, not to this one nor over https', () => {
    expect(plainHttpWarning('http://192.168.1.20:9000')).toMatch(/192\.168\.1\.20:9000 .*unencrypted/);
    expect(plainHttpWarning('http://minio.lan')).not.toBeNull();
    for (const url of [
      'http://localhost:9000',
      'http://127.0.0.1:9000',
      'http://127.3.2.1',
      'http://[::1]:9000',
      'https://s3.example.com',
    ]) {
      expect(plainHttpWarning(url)).toBeNull();
    }
  });
});
