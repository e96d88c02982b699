// Issue #11, defect 8, on the command line: `ferry upload` survives the server going away for longer
// than the old retry budget (8 attempts, about 35 s) and says what it is doing meanwhile; `ferry jobs
// --json` from another process shows the retry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MiB } from '../../shared/partPlan.ts';
import { cliSuite, stackLines } from '../harness/cli.ts';
import { makeFile, objectSha256 } from '../harness/s3.ts';
import { tempDir } from '../harness/engine.ts';
import { startProxy, type FreezableProxy } from '../harness/proxy.ts';
import { inject } from 'vitest';

const suite = cliSuite('outage-cli');
const s3 = inject('s3');
const files = tempDir('outage-cli-files');
let proxy: FreezableProxy;

beforeAll(async () => {
  proxy = await startProxy(s3.endpoint);
});
afterAll(async () => {
  await proxy?.close();
});

interface JobWithRetry {
  id: string;
  state: string;
  retry: { attempt: number; maxAttempts: number | null; nextRetryAt: number; error: { code: string; message: string } } | null;
}

describe('ferry upload while the server is down', () => {
  it('retries past the old 8 attempts, shows the retry, and completes when the server is back', { timeout: 240_000 }, async () => {
    const ferry = await suite.cli(proxy.endpoint);
    const file = await makeFile(files, 'down.bin', 24 * MiB, 91);
    proxy.limit(3 * MiB);
    const upload = ferry.start(['upload', file.path, `s3://${suite.bucket}/down.bin`, '--endpoint', 'rgw', '--part-size', '5MiB']);
    try {
      await upload.stderrLine(/^uploading /);
      const downAt = Date.now();
      await proxy.down();
      const first = await upload.stderrLine(/Retrying in \d+ s: cannot reach the endpoint \(attempt \d+\)/);
      const secondsToRetrying = (Date.now() - downAt) / 1000;
      expect(first).toMatch(/down\.bin: Retrying in \d+ s: cannot reach the endpoint \(attempt 2\): Cannot reach/);

      const listed = await ferry.json<JobWithRetry[]>(['jobs', '--json']);
      expect(listed).toHaveLength(1);
      expect(listed[0]!.state).toBe('uploading');
      expect(listed[0]!.retry).toMatchObject({ maxAttempts: null, error: { code: 'ENDPOINT_UNREACHABLE' } });
      expect(listed[0]!.retry!.attempt).toBeGreaterThanOrEqual(2);
      expect(listed[0]!.retry!.nextRetryAt).toBeGreaterThan(downAt);

      // the old policy failed the job when its 8th attempt failed: it never announced a 9th
      await upload.stderrLine(/Retrying in \d+ s: cannot reach the endpoint \(attempt 9\)/);
      const outageSeconds = (Date.now() - downAt) / 1000;
      const upAt = Date.now();
      await proxy.up();
      proxy.limit(null);
      const result = await upload.exited;
      const secondsToDone = (Date.now() - upAt) / 1000;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/the endpoint answers again; uploading/);
      expect(stackLines(result.stderr)).toEqual([]);
      expect(await objectSha256(suite.client, suite.bucket, 'down.bin')).toBe(file.sha256);
      const after = await ferry.json<JobWithRetry[]>(['jobs', '--json']);
      expect(after[0]).toMatchObject({ state: 'completed', retry: null });
      console.log(
        `ferry upload: "Retrying" printed ${secondsToRetrying.toFixed(1)} s after the server went away; ` +
          `survived an outage of ${outageSeconds.toFixed(1)} s; exited 0 ${secondsToDone.toFixed(1)} s after it came back`,
      );
    } finally {
      await proxy.up();
      proxy.limit(null);
      if (!upload.done) upload.child.kill('SIGKILL');
    }
  });

  it('--give-up-after ends the job in words when the outage lasts longer', async () => {
    const ferry = await suite.cli(proxy.endpoint);
    const file = await makeFile(files, 'giveup-cli.bin', 12 * MiB, 92);
    proxy.limit(3 * MiB);
    const upload = ferry.start([
      'upload',
      file.path,
      `s3://${suite.bucket}/giveup-cli.bin`,
      '--endpoint',
      'rgw',
      '--part-size',
      '5MiB',
      '--give-up-after',
      '3s',
    ]);
    try {
      await upload.stderrLine(/^uploading /);
      await proxy.down();
      const result = await upload.exited;
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/Gave up after 3 s without an answer/);
      expect(stackLines(result.stderr)).toEqual([]);
    } finally {
      await proxy.up();
      proxy.limit(null);
    }
  });

  it('refuses a --give-up-after that is not a duration', async () => {
    const ferry = await suite.cli();
    const file = await makeFile(files, 'bad-duration.bin', 1024, 93);
    const result = await ferry.run(['upload', file.path, `s3://${suite.bucket}/x`, '--endpoint', 'rgw', '--give-up-after', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--give-up-after must be a duration/);
  });
});
