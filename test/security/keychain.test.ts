// Where the CLI and the browser host keep secrets (issue #10, finding 6): `secret.key` lay beside
// the ciphertext in the data directory, so a copy of that directory was a copy of every secret, and
// FERRY_PASSPHRASE did not cover secrets stored before it was set. Now the OS keychain keeps them
// where one answers: here a real one, GNOME Keyring's Secret Service on a session bus of the test's
// own (dbus-run-session), unlocked with a test password. No mock.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { cleanEnv, cliSuite, FerryCli, lines, stackLines } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { makeFile } from '../harness/s3.ts';

const s3 = inject('s3');
const suite = cliSuite('sec-keychain');
const sessions: ChildProcess[] = [];
afterAll(() => {
  for (const session of sessions) session.stdin?.end();
});

/** A session bus with an unlocked GNOME Keyring on it; `stop()` ends both. */
async function startKeychain(): Promise<{ env: Record<string, string>; stop: () => Promise<void> }> {
  const home = tempDir('sec-keychain-home');
  const session = spawn(
    'dbus-run-session',
    [
      '--',
      'sh',
      '-c',
      'echo -n ferry-test-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null && echo "BUS=$DBUS_SESSION_BUS_ADDRESS" && exec cat',
    ],
    { env: cleanEnv({ HOME: home }), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  sessions.push(session);
  const exited = new Promise<void>((resolve) => session.on('close', () => resolve()));
  let out = '';
  let err = '';
  session.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
  const bus = await new Promise<string>((resolve, reject) => {
    session.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const found = /BUS=(\S+)/.exec(out);
      if (found) resolve(found[1]!);
    });
    void exited.then(() => reject(new Error(`dbus-run-session ended before the keyring started:\n${err}`)));
  });
  return {
    env: { DBUS_SESSION_BUS_ADDRESS: bus, HOME: home },
    stop: async () => {
      session.stdin.end();
      await exited;
    },
  };
}

/** What the keychain holds for service "Ferry" (secret-tool's listing). */
function keychainEntries(env: Record<string, string>): string {
  const result = spawnSync('secret-tool', ['search', '--all', 'service', 'Ferry'], { env: cleanEnv(env), encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

function storedCredential(dataDir: string, name: string): string {
  const db = new DatabaseSync(join(dataDir, 'ferry.db'));
  try {
    const row = db.prepare('SELECT credential FROM endpoints WHERE name = ?').get(name) as { credential: string };
    return (JSON.parse(row.credential) as { sealedSecret: string }).sealedSecret;
  } finally {
    db.close();
  }
}

/** A session bus address where nothing listens: no keychain answers. */
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/ferry-no-bus' };

describe('secrets at rest', () => {
  it('the CLI keeps the secret in the OS keychain: no key file, nothing of it in the data directory; removing the endpoint removes it', async () => {
    const keychain = await startKeychain();
    try {
      const ferry = suite.track(new FerryCli({ env: keychain.env }));
      const added = await ferry.addEndpoint('rgw', s3);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stderr).not.toMatch(/warning/);
      expect((await ferry.addEndpoint('kept', s3)).code).toBe(0);
      expect(existsSync(join(ferry.dataDir, 'secret.key'))).toBe(false);
      const sealed = storedCredential(ferry.dataDir, 'rgw');
      expect(sealed).toMatch(/^keychain:2:ferry-[0-9a-f]+-[0-9a-f-]+$/);
      const account = sealed.slice('keychain:2:'.length);
      expect(keychainEntries(keychain.env)).toContain(`attribute.username = ${account}`);

      const tested = await ferry.run(['endpoint', 'test', 'rgw']);
      expect(tested.code, tested.stderr).toBe(0);
      const files = tempDir('sec-keychain-files');
      const small = await makeFile(files, 'k.bin', 3000, 961);
      const uploaded = await ferry.run(['upload', small.path, `s3://${suite.bucket}/keychain/k.bin`, '--endpoint', 'rgw']);
      expect(uploaded.code, uploaded.stderr).toBe(0);

      expect((await ferry.run(['endpoint', 'remove', 'rgw'])).code).toBe(0);
      expect(keychainEntries(keychain.env)).not.toContain(account);

      // a keychain that no longer answers: said in words
      await keychain.stop();
      const locked = await ferry.run(['endpoint', 'test', 'kept']);
      expect(locked.code).not.toBe(0);
      expect(locked.stderr).toMatch(/keychain/i);
      expect(stackLines(locked.stderr)).toEqual([]);
    } finally {
      await keychain.stop();
    }
  });

  it('without a keychain, the key file is the fallback, with a warning in endpoint add', async () => {
    const ferry = suite.track(new FerryCli({ env: NO_KEYCHAIN }));
    const added = await ferry.addEndpoint('rgw', s3);
    expect(added.code, added.stderr).toBe(0);
    expect(lines(added.stderr)).toContainEqual(expect.stringMatching(/^warning: No OS keychain answered.*secret\.key/));
    expect(existsSync(join(ferry.dataDir, 'secret.key'))).toBe(true);
  });

  it('with FERRY_PASSPHRASE set, secrets of the key file are encrypted again and secret.key is deleted', async () => {
    const ferry = suite.track(new FerryCli({ env: NO_KEYCHAIN }));
    expect((await ferry.addEndpoint('rgw', s3)).code).toBe(0);
    expect(existsSync(join(ferry.dataDir, 'secret.key'))).toBe(true);
    const passphrase = { ...NO_KEYCHAIN, FERRY_PASSPHRASE: 'correct horse battery staple' };
    const tested = await ferry.run(['endpoint', 'test', 'rgw'], { env: passphrase });
    expect(tested.code, tested.stderr).toBe(0);
    expect(existsSync(join(ferry.dataDir, 'secret.key'))).toBe(false);
    expect(storedCredential(ferry.dataDir, 'rgw')).toMatch(/^passphrase:2:/);
    // the data directory alone no longer opens it
    const without = await ferry.run(['endpoint', 'test', 'rgw']);
    expect(without.code).not.toBe(0);
    expect(without.stderr).toMatch(/set FERRY_PASSPHRASE/);
    expect((await ferry.run(['endpoint', 'test', 'rgw'], { env: passphrase })).code).toBe(0);
  });
});
