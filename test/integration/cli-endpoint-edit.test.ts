// Issue #11, defect 11: credentials rotate without stranding jobs. `ferry endpoint edit` changes an
// endpoint in place (its jobs keep it); `endpoint remove` refuses an endpoint that unfinished uploads
// use unless --force, which says what happens to them; no job ends with "No endpoint named <uuid>".
import { describe, expect, inject, it } from 'vitest';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { FerryError } from '../../shared/errors.ts';
import { cliSuite, stackLines } from '../harness/cli.ts';
import { makeFile, objectSha256 } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, testResolver, waitForState } from '../harness/engine.ts';

const suite = cliSuite('endpoint-edit');
const s3 = inject('s3');
const files = tempDir('endpoint-edit-files');
const WRONG_SECRET = 'wrong-secret-Hq3vT8kLm2Xw9TbN4cYp';

describe('ferry endpoint edit', () => {
  it('rotates a secret: the failed job retries on the same endpoint and completes', async () => {
    const ferry = await suite.cli();
    const file = await makeFile(files, 'rotate.bin', 6 * 1024 * 1024, 61);
    const queued = await ferry.run(['upload', file.path, `s3://${suite.bucket}/rotate.bin`, '--endpoint', 'rgw', '--detach']);
    expect(queued.code, queued.stderr).toBe(0);
    // the secret goes stale (here: edited to a wrong one), the job fails on it
    expect((await ferry.run(['endpoint', 'edit', 'rgw', '--secret-stdin'], { input: WRONG_SECRET })).code).toBe(0);
    const stale = await ferry.run(['run']);
    expect(stale.code).toBe(1);
    expect((await ferry.jobs())[0]).toMatchObject({ state: 'failed', error: { code: 'AUTH_BAD_SECRET' } });
    // the new secret, in place: the same job retries and completes
    const edited = await ferry.run(['endpoint', 'edit', 'rgw', '--secret-stdin'], { input: s3.secretAccessKey });
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stdout).toMatch(/Changed endpoint "rgw"/);
    expect((await ferry.run(['retry', '--all'])).code).toBe(0);
    const retried = await ferry.run(['run']);
    expect(retried.code, retried.stderr).toBe(0);
    expect(await objectSha256(suite.client, suite.bucket, 'rotate.bin')).toBe(file.sha256);
    const listed = await ferry.json<{ id: string; name: string; region: string }[]>(['endpoint', 'list', '--json']);
    expect(listed).toHaveLength(1);

    // other fields change in place, the id stays
    const renamed = await ferry.run(['endpoint', 'edit', 'rgw', '--name', 'ceph', '--region', 'eu-central-1']);
    expect(renamed.code, renamed.stderr).toBe(0);
    const after = await ferry.json<{ id: string; name: string; region: string }[]>(['endpoint', 'list', '--json']);
    expect(after).toEqual([expect.objectContaining({ id: listed[0]!.id, name: 'ceph', region: 'eu-central-1' })]);
    const jobs = await ferry.jobs();
    expect(jobs[0]!.endpoint).toBe('ceph');
  });

  it('refuses a new URL without the credentials again, in words', async () => {
    const ferry = await suite.cli();
    const result = await ferry.run(['endpoint', 'edit', 'rgw', '--url', 'http://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Changing the URL of "rgw" needs its credentials again/);
    expect(stackLines(result.stderr)).toEqual([]);
    const nothing = await ferry.run(['endpoint', 'edit', 'rgw']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/Nothing to change/);
  });
});

describe('ferry endpoint edit --default-*', () => {
  it('sets, keeps and clears upload defaults, and uploads use them', async () => {
    const ferry = await suite.cli();
    type Listed = { id: string; defaults?: Record<string, string> };
    const set = await ferry.run([
      'endpoint',
      'edit',
      'rgw',
      '--default-cache-control',
      'max-age=60',
      '--default-if-exists',
      'skip',
      '--default-acl',
      'public-read',
    ]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/defaults: acl public-read, cacheControl max-age=60, ifExists skip/);
    const [listed] = await ferry.json<Listed[]>(['endpoint', 'list', '--json']);
    expect(listed!.defaults).toEqual({ cacheControl: 'max-age=60', ifExists: 'skip', acl: 'public-read' });

    // an upload gets the defaults: the object's Cache-Control, and skip keeps an existing object
    const first = await makeFile(files, 'defaults.txt', 100, 71);
    expect((await ferry.run(['upload', first.path, `s3://${suite.bucket}/defaults.txt`, '--endpoint', 'rgw'])).code).toBe(0);
    const head = await suite.client.send(new HeadObjectCommand({ Bucket: suite.bucket, Key: 'defaults.txt' }));
    expect(head.CacheControl).toBe('max-age=60');
    const second = await makeFile(files, 'defaults-2.txt', 200, 72);
    const skipped = await ferry.run(['upload', second.path, `s3://${suite.bucket}/defaults.txt`, '--endpoint', 'rgw']);
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(await objectSha256(suite.client, suite.bucket, 'defaults.txt')).toBe(first.sha256);

    // another edit keeps what it does not name; --clear-default removes one, or all
    const changed = await ferry.run(['endpoint', 'edit', 'rgw', '--default-if-exists', 'rename', '--clear-default', 'acl']);
    expect(changed.code, changed.stderr).toBe(0);
    expect((await ferry.json<Listed[]>(['endpoint', 'list', '--json']))[0]!.defaults).toEqual({
      cacheControl: 'max-age=60',
      ifExists: 'rename',
    });
    const cleared = await ferry.run(['endpoint', 'edit', 'rgw', '--clear-default', 'all']);
    expect(cleared.code, cleared.stderr).toBe(0);
    const after = (await ferry.json<Listed[]>(['endpoint', 'list', '--json']))[0]!;
    expect(after.defaults).toBeUndefined();
    expect(after.id).toBe(listed!.id);
  });

  it('refuses bad defaults in one line, before changing anything', async () => {
    const ferry = await suite.cli();
    const cases: [string[], RegExp][] = [
      [['--default-if-exists', 'ask'], /--if-exists must be one of overwrite, skip, skip-identical, rename, fail/],
      [['--default-acl', 'world'], /The ACL must be one of/],
      [['--default-sse-kms-key-id', 'k1'], /needs --default-sse aws:kms/],
      [['--clear-default', 'colour'], /--clear-default takes storage-class, sse/],
      [['--clear-default', 'acl', '--default-acl', 'private'], /contradict each other/],
    ];
    for (const [args, message] of cases) {
      const result = await ferry.run(['endpoint', 'edit', 'rgw', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(stackLines(result.stderr)).toEqual([]);
    }
    expect((await ferry.json<{ defaults?: unknown }[]>(['endpoint', 'list', '--json']))[0]!.defaults).toBeUndefined();
  });
});

describe('ferry endpoint remove', () => {
  it('refuses an endpoint with unfinished uploads; --force aborts them and says so', async () => {
    const ferry = await suite.cli();
    const file = await makeFile(files, 'live.bin', 6 * 1024 * 1024, 62);
    const queued = await ferry.run(['upload', file.path, `s3://${suite.bucket}/live.bin`, '--endpoint', 'rgw', '--detach']);
    expect(queued.code, queued.stderr).toBe(0);

    const refused = await ferry.run(['endpoint', 'remove', 'rgw']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/1 unfinished upload uses "rgw" \(1 queued\).*--force, which aborts it/);
    expect((await ferry.json<unknown[]>(['endpoint', 'list', '--json'])).length).toBe(1);

    const forced = await ferry.run(['endpoint', 'remove', 'rgw', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/Removed endpoint "rgw"; its 1 unfinished upload was aborted/);
    const jobs = await ferry.jobs();
    expect(jobs.map((job) => job.state)).toEqual(['aborted']);
    expect(await ferry.json<unknown[]>(['endpoint', 'list', '--json'])).toEqual([]);
  });
});

describe('a job whose endpoint was removed', () => {
  it('fails in words, not "No endpoint named <uuid>"', async () => {
    let removed = false;
    const resolver = testResolver(s3);
    const engine = await openTestEngine(s3, {
      autoStart: false,
      endpoints: {
        resolve: async (id) => {
          if (removed) throw new FerryError('ENDPOINT_NOT_FOUND', `No endpoint named "${id}". Known endpoints: rgw.`);
          return resolver.resolve(id);
        },
      },
    });
    try {
      const file = await makeFile(files, 'orphaned.bin', 1024, 63);
      const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket: suite.bucket, key: 'orphaned.bin' }]);
      removed = true;
      engine.forgetEndpoint(TEST_ENDPOINT_ID);
      engine.start();
      const failed = await waitForState(engine, job!.id, 'failed');
      expect(failed.error?.code).toBe('ENDPOINT_NOT_FOUND');
      expect(failed.error?.message).toMatch(/^The endpoint of this upload was removed/);
      expect(failed.error?.message).not.toMatch(/No endpoint named/);
    } finally {
      await engine.close();
    }
  });
});
