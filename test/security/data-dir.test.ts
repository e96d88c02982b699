// What another local user can read of Ferry's data directory (issue #10, finding 6): a directory
// that already existed kept its mode, so at 0755 `ferry.db` (access key ids, URLs, file paths) was
// readable by every user. It is made 0700 at every open, and its files are created owner-only.
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cliSuite, FerryCli } from '../harness/cli.ts';
import { makeFile } from '../harness/s3.ts';
import { ensureUser, removeUser, runAs, sharedTempDir, type LocalUser } from './localUsers.ts';

const s3 = inject('s3');
const suite = cliSuite('sec-datadir');
let other: LocalUser;
const base = sharedTempDir('sec-datadir');

beforeAll(() => {
  other = ensureUser('ferrytest-dd-other');
});
afterAll(() => removeUser(other));

describe('the data directory and another local user', () => {
  it('a data directory that was 0755 is closed at the next open: the other user cannot read ferry.db any more', async () => {
    const dataDir = join(base, 'was-open');
    const ferry = suite.track(new FerryCli({ dataDir }));
    expect((await ferry.addEndpoint('rgw', s3)).code).toBe(0);
    // as an older Ferry (or a umask of 022) left it
    chmodSync(dataDir, 0o755);
    for (const name of readdirSync(dataDir)) chmodSync(join(dataDir, name), 0o644);
    const db = join(dataDir, 'ferry.db');
    // the attack works on such a directory: the precondition of this test
    const before = runAs(other, 'cat', [db]);
    expect(before.status).toBe(0);
    expect(before.stdout).toContain(s3.accessKeyId);

    const listed = await ferry.run(['endpoint', 'list']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const after = runAs(other, 'cat', [db]);
    expect(after.status).not.toBe(0);
    expect(after.stderr).toMatch(/Permission denied/);
    expect(after.stdout).not.toContain(s3.accessKeyId);
  });

  it('a new data directory is 0700 and every file Ferry writes in it is owner-only', async () => {
    const dataDir = join(base, 'fresh');
    const ferry = suite.track(new FerryCli({ dataDir }));
    expect((await ferry.addEndpoint('rgw', s3)).code).toBe(0);
    const files = join(base, 'fresh-files');
    mkdirSync(files);
    const small = await makeFile(files, 'a.bin', 1000, 931);
    const uploaded = await ferry.run(['upload', small.path, `s3://${suite.bucket}/dd/a.bin`, '--endpoint', 'rgw']);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const modes = Object.fromEntries(readdirSync(dataDir).map((name) => [name, (statSync(join(dataDir, name)).mode & 0o777).toString(8)]));
    expect(Object.keys(modes)).toContain('ferry.db');
    for (const [name, mode] of Object.entries(modes)) expect(`${name} ${mode}`).toBe(`${name} 600`);
  });
});
