// Bad input to the `ferry` command never crashes and never harms the store: each is one line on stderr
// that says what is wrong (no stack trace) and exit code 2; afterwards `ferry jobs --json` and
// `ferry endpoint list --json` show exactly what they showed before.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FerryCli, lines, stackLines, type CliResult, type JobJson, type RunOptions } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { bucketName, createTestBucket, makeFile, objectSha256, testClient } from '../harness/s3.ts';

const s3 = inject('s3');
const WRONG_SECRET = 'not-the-secret-Hq3nW8pXv5Lr2JtY6kDz';
const UNREACHABLE = 'http://127.0.0.1:1';
let client: S3Client;
let bucket: string;
let ferry: FerryCli;
let good: { path: string; sha256: string };
let folder: string;
let jobsBefore: JobJson[];
let endpointsBefore: unknown;

beforeAll(async () => {
  client = testClient(s3);
  bucket = await createTestBucket(s3, 'cli-bad-input');
  ferry = new FerryCli();
  const files = tempDir('cli-bad-files');
  good = await makeFile(files, 'good.bin', 4096, 401);
  folder = join(files, 'folder');
  await makeFile(folder, 'x.txt', 10, 402);

  expect((await ferry.addEndpoint('rgw', s3)).code).toBe(0);
  expect((await ferry.addEndpoint('wrong', s3, WRONG_SECRET)).code).toBe(0);
  const down = await ferry.run(
    ['endpoint', 'add', 'down', '--url', UNREACHABLE, '--path-style', '--access-key-id', s3.accessKeyId, '--secret-stdin'],
    {
      input: s3.secretAccessKey,
    },
  );
  expect(down.code, down.stderr).toBe(0);
  // one completed job, so that "no damage" is more than an empty list
  const uploaded = await ferry.run(['upload', good.path, `s3://${bucket}/good.bin`, '--endpoint', 'rgw']);
  expect(uploaded.code, uploaded.stderr).toBe(0);
  jobsBefore = await ferry.jobs();
  expect(jobsBefore).toHaveLength(1);
  endpointsBefore = await ferry.json(['endpoint', 'list', '--json']);
});

afterAll(async () => {
  // the store still works for real: the job is intact and a new upload goes through
  if (ferry) {
    expect((await ferry.run(['upload', good.path, `s3://${bucket}/after.bin`, '--endpoint', 'rgw'])).code).toBe(0);
    expect(await objectSha256(client, bucket, 'after.bin')).toBe(good.sha256);
    expect(ferry.secretLeaks(s3.secretAccessKey)).toEqual([]);
    expect(ferry.secretLeaks(WRONG_SECRET)).toEqual([]);
  }
  client?.destroy();
});

/** The one stderr line of a refused command. */
function oneLine(result: CliResult, what: string): string {
  expect(stackLines(result.stdout + result.stderr), what).toEqual([]);
  const said = lines(result.stderr);
  expect(said, `${what}: stderr should be one line`).toHaveLength(1);
  expect(said[0], what).not.toMatch(/unexpected error/i);
  return said[0]!;
}

/**
 * Runs `args`, which must be refused with exit `code` (2 unless told) and one line on stderr matching
 * every entry of `says`; then checks that jobs and endpoints are exactly as before.
 */
async function refused(args: string[], says: Array<string | RegExp>, options: RunOptions & { code?: number } = {}): Promise<void> {
  const what = `ferry ${args.join(' ')}`.slice(0, 200);
  const result = await ferry.run(args, options);
  expect(result.signal, what).toBeNull();
  expect(result.code, `${what}\n${result.stderr}`).toBe(options.code ?? 2);
  const said = oneLine(result, what);
  for (const expected of says) {
    if (typeof expected === 'string') expect(said, what).toContain(expected);
    else expect(said, what).toMatch(expected);
  }
  expect(await ferry.jobs(), `${what}: jobs changed`).toEqual(jobsBefore);
}

async function endpointsUnchanged(): Promise<void> {
  expect(await ferry.json(['endpoint', 'list', '--json'])).toEqual(endpointsBefore);
}

describe('bad input', () => {
  it('a missing path', async () => {
    const missing = join(tempDir('cli-bad-missing'), 'no-such-file.bin');
    await refused(['upload', missing, `s3://${bucket}/k`, '--endpoint', 'rgw'], [missing]);
    // one of several paths missing: nothing is queued, not even the good one
    await refused(['upload', good.path, missing, `s3://${bucket}/several/`, '--endpoint', 'rgw'], [missing]);
  });

  it('a bad URL, when adding an endpoint or replacing one', async () => {
    await refused(['endpoint', 'add', 'bad', '--url', 'notaurl', '--access-key-id', 'AKID', '--secret-stdin'], [/URL/], {
      input: 'a-secret',
    });
    await refused(
      ['endpoint', 'add', 'rgw', '--replace', '--url', 'ftp://example.com', '--access-key-id', 'AKID', '--secret-stdin'],
      [/URL/],
      {
        input: 'a-secret',
      },
    );
    await endpointsUnchanged();
    expect((await ferry.run(['endpoint', 'test', 'rgw'])).code).toBe(0);
  });

  it('an unknown endpoint', async () => {
    await refused(['upload', good.path, `s3://${bucket}/k`, '--endpoint', 'nosuch'], ['nosuch']);
    await refused(['endpoint', 'test', 'nosuch'], ['nosuch']);
    await refused(['endpoint', 'remove', 'nosuch'], ['nosuch']);
    await refused(['orphans', 'nosuch', `s3://${bucket}`], ['nosuch']);
    await endpointsUnchanged();
  });

  it('a malformed s3:// target', async () => {
    for (const target of [`s3:/${bucket}/k`, `http://${bucket}/k`, `${bucket}/k`, 's3:///k', 's3://Bad_Bucket!/k']) {
      await refused(['upload', good.path, target, '--endpoint', 'rgw'], [/s3:\/\/|bucket/i]);
    }
    await refused(['orphans', 'rgw', 'notaurl'], ['notaurl']);
    // several files to a target that is not a prefix
    await refused(['upload', good.path, join(folder, 'x.txt'), `s3://${bucket}/exact`, '--endpoint', 'rgw'], [/prefix/]);
  });

  it('an invalid key', async () => {
    await refused(['upload', good.path, `s3://${bucket}/bad\u0001key`, '--endpoint', 'rgw'], [/key/i]);
    await refused(['upload', good.path, `s3://${bucket}/${'k'.repeat(1025)}`, '--endpoint', 'rgw'], [/key/i]);
    // a folder whose keys would be too long under the prefix
    await refused(['upload', folder, `s3://${bucket}/${'p'.repeat(1020)}/`, '--endpoint', 'rgw'], [/key/i]);
  });

  it('bad options', async () => {
    await refused(['upload', good.path, `s3://${bucket}/k`, '--endpoint', 'rgw', '--part-size', 'lots'], ['--part-size']);
    await refused(['upload', good.path, `s3://${bucket}/k`, '--endpoint', 'rgw', '--concurrency', '0'], ['--concurrency']);
    await refused(['pause', 'ffffffff'], ['ffffffff']);
    await refused(['resume'], [/--all/]);
    await refused(['abort', jobsBefore[0]!.id], [/abort|completed/i]);
  });

  it('wrong credentials and an unreachable endpoint, on upload', async () => {
    await refused(['upload', good.path, `s3://${bucket}/k`, '--endpoint', 'wrong'], [/secret/i]);
    await refused(['upload', good.path, `s3://${bucket}/k`, '--endpoint', 'down'], [/reach/i, 'down']);
    // endpoint test reports the failed check with exit 1, in one line
    for (const [name, words] of [
      ['wrong', /secret/i],
      ['down', /reach/i],
    ] as const) {
      const tested = await ferry.run(['endpoint', 'test', name]);
      expect(tested.code, tested.stderr).toBe(1);
      expect(oneLine(tested, `endpoint test ${name}`)).toMatch(words);
      expect(await ferry.jobs()).toEqual(jobsBefore);
    }
  });

  it('wrong credentials, on orphans', async () => {
    await refused(['orphans', 'wrong', `s3://${bucket}`], [/secret/i]);
  });

  it('an unreachable endpoint, on orphans', async () => {
    await refused(['orphans', 'down', `s3://${bucket}`], [/reach/i, 'down']);
  });

  it('a missing bucket is named', async () => {
    const missing = bucketName('cli-bad-nobucket');
    const result = await ferry.run(['upload', good.path, `s3://${missing}/k`, '--endpoint', 'rgw']);
    expect(result.stderr).toContain(missing);
    expect(stackLines(result.stderr)).toEqual([]);
    // refused up front (2, nothing queued) or queued and failed (1)
    expect([1, 2]).toContain(result.code);
    if (result.code === 2) {
      oneLine(result, 'upload to a missing bucket');
      expect(await ferry.jobs()).toEqual(jobsBefore);
    }
  });

  it('commander usage errors exit 2 without a stack trace', async () => {
    for (const args of [['upload', good.path, `s3://${bucket}/k`], ['frobnicate']]) {
      const result = await ferry.run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(stackLines(result.stderr)).toEqual([]);
      expect(lines(result.stderr)[0]).toMatch(/error/i);
    }
    expect(await ferry.jobs()).toEqual(jobsBefore);
  });
});

describe('an unreadable file (run without the privilege to read any file: root reads a chmod 000 file)', () => {
  it('is refused in one line, alone or inside a folder, and nothing is queued', async () => {
    // not another user: that one cannot run node from a checkout whose parent directory is private
    const user = new FerryCli({ unprivileged: true });
    const files = tempDir('cli-bad-unreadable');
    chmodSync(files, 0o755);
    const readable = await makeFile(files, 'readable.bin', 100, 411);
    const locked = await makeFile(files, 'locked.bin', 100, 412);
    chmodSync(readable.path, 0o644);
    chmodSync(locked.path, 0o000);
    const tree = join(files, 'tree');
    mkdirSync(tree, { mode: 0o755 });
    chmodSync(tree, 0o755);
    const inTree = await makeFile(tree, 'secret-plans.txt', 10, 413);
    chmodSync(inTree.path, 0o000);

    expect((await user.addEndpoint('rgw', s3)).code).toBe(0);
    // as this user, the readable file uploads
    const ok = await user.run(['upload', readable.path, `s3://${bucket}/nobody/readable.bin`, '--endpoint', 'rgw']);
    expect(ok.code, ok.stderr).toBe(0);
    const before = await user.jobs();

    for (const [args, path] of [
      [['upload', locked.path, `s3://${bucket}/nobody/locked.bin`, '--endpoint', 'rgw'], locked.path],
      [['upload', tree, `s3://${bucket}/nobody/tree/`, '--endpoint', 'rgw'], inTree.path],
    ] as const) {
      const result = await user.run(args);
      expect(result.code, result.stderr).toBe(2);
      expect(oneLine(result, args.join(' '))).toContain(path);
      expect(await user.jobs()).toEqual(before);
    }
    expect(user.secretLeaks(s3.secretAccessKey)).toEqual([]);
  });
});
