// Another local user against `ferry pause|resume|abort|retry` (issue #10, finding 4): without
// XDG_RUNTIME_DIR (ssh or su sessions, cron, containers) the control socket used to be
// /tmp/ferry-<hash of the data dir>.sock, a name another user could take first: that user received
// the control token and answered "Paused 1 job" for an upload that went on. Two users made here:
// the owner of the uploads and the attacker.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MiB } from '../../shared/partPlan.ts';
import { cliSuite, FerryCli, lines, serverParts, stackLines } from '../harness/cli.ts';
import { startProxy, type FreezableProxy } from '../harness/proxy.ts';
import { makeFile } from '../harness/s3.ts';
import { ensureUser, removeUser, sharedTempDir, type LocalUser } from './localUsers.ts';

const s3 = inject('s3');
const suite = cliSuite('sec-control');
let owner: LocalUser;
let attacker: LocalUser;
let uplink: FreezableProxy;
const base = sharedTempDir('sec-control');
const attackers: ChildProcess[] = [];

beforeAll(async () => {
  owner = ensureUser('ferrytest-ctl-own');
  attacker = ensureUser('ferrytest-ctl-atk');
  uplink = await startProxy(s3.endpoint);
  // slow enough that the upload is still running when the commands come, on any machine
  uplink.limit(1 * MiB);
});
afterAll(async () => {
  for (const child of attackers) child.kill('SIGKILL');
  await uplink?.close();
  removeUser(owner);
  removeUser(attacker);
});

/** A data directory of `owner`'s, and its CLI; no runtime directory, as in an ssh or su session. */
function ownerCli(name: string, env: Record<string, string> = {}): FerryCli {
  const dataDir = join(base, name);
  mkdirSync(dataDir, { mode: 0o700 });
  chownSync(dataDir, owner.uid, owner.gid);
  return suite.track(new FerryCli({ dataDir, uid: owner.uid, gid: owner.gid, env: { XDG_RUNTIME_DIR: '', TMPDIR: '/tmp', ...env } }));
}

/**
 * The attacker's listener on `path`: it records what it receives and answers every request with a
 * forged success. Resolves once it listens; `received()` is what came in.
 */
async function forger(path: string): Promise<{ received: () => string }> {
  const script = join(base, 'forger.cjs');
  writeFileSync(
    script,
    `const net = require('node:net'); const fs = require('node:fs');
     const server = net.createServer((s) => s.on('data', (d) => {
       process.stdout.write('GOT ' + JSON.stringify(d.toString()) + '\\n');
       s.end(JSON.stringify({ ok: true, ids: ['forged'], notStarted: [] }) + '\\n');
     }));
     server.listen(process.argv[2], () => { fs.chmodSync(process.argv[2], 0o777); process.stdout.write('LISTENING\\n'); });`,
  );
  chmodSync(script, 0o644);
  const child = spawn(process.execPath, [script, path], { uid: attacker.uid, gid: attacker.gid, stdio: ['ignore', 'pipe', 'pipe'] });
  attackers.push(child);
  let out = '';
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolveListen, reject) => {
    child.stdout.on('data', (text: string) => {
      out += text;
      if (out.includes('LISTENING')) resolveListen();
    });
    child.on('exit', (code) => reject(new Error(`the attacker's listener exited (${code}) before listening`)));
  });
  return { received: () => out.replace('LISTENING\n', '') };
}

describe('another local user and the control channel', () => {
  it('cannot take the socket first: pause reaches the real owner, the attacker gets neither the token nor a say', async () => {
    const ferry = ownerCli('race');
    const oldPath = `/tmp/ferry-${createHash('sha256').update(resolve(ferry.dataDir)).digest('hex').slice(0, 16)}.sock`;
    const spy = await forger(oldPath);

    expect((await ferry.addEndpoint('rgw', { ...s3, endpoint: uplink.endpoint })).code).toBe(0);
    const files = join(base, 'race-files');
    mkdirSync(files, { mode: 0o755 });
    const big = await makeFile(files, 'race.bin', 60 * MiB, 901);
    chmodSync(big.path, 0o644);
    const running = ferry.start(['upload', big.path, `s3://${suite.bucket}/sec/race.bin`, '--endpoint', 'rgw', '--part-size', '5MiB']);
    await serverParts(suite.client, suite.bucket, 'sec/race.bin', 1, running);

    const paused = await ferry.run(['pause', '--all']);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toContain('Paused 1 job (in the running Ferry process)');
    // the pause happened in the owner's upload, not in the attacker's answer
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(130);
    expect((await ferry.jobs())[0]).toMatchObject({ state: 'paused' });
    expect(spy.received()).toBe('');
    expect(stackLines(result.stderr)).toEqual([]);
  });

  it('says on stderr when it cannot listen, instead of going on silently', async () => {
    const ferry = suite.track(new FerryCli({ env: { XDG_RUNTIME_DIR: '', TMPDIR: join(base, 'no-such-directory') } }));
    expect((await ferry.addEndpoint('rgw', s3)).code).toBe(0);
    const files = join(base, 'listen-files');
    mkdirSync(files, { mode: 0o755 });
    const small = await makeFile(files, 'small.bin', 1000, 902);
    const result = await ferry.run(['upload', small.path, `s3://${suite.bucket}/sec/small.bin`, '--endpoint', 'rgw']);
    expect(result.code, result.stderr).toBe(0);
    expect(lines(result.stderr)).toContainEqual(
      expect.stringMatching(/^warning: ferry pause\|resume\|abort\|retry cannot reach this process/),
    );
    expect(stackLines(result.stderr)).toEqual([]);
  });
});
