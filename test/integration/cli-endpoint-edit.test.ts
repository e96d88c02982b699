// Issue #11, defect 11: credentials rotate without stranding jobs. `ferry endpoint edit` changes an
// endpoint in place (its jobs keep it); `endpoint remove` refuses an endpoint that unfinished uploads
// use unless --force, which says what happens to them; no job ends with "No endpoint named <uuid>".
import { describe, expect, inject, it } from 'vitest';
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
