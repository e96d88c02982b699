// Issue #11, defect 8: a dead server must not look like a slow upload, and an outage must not fail
// the job. The server "dies" behind a TCP proxy (connections reset, new ones refused, as a killed
// RGW does) and comes back on the same port.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { MiB } from '../../shared/partPlan.ts';
import type { JobRetry } from '../../shared/retry.ts';
import { describeRetry } from '../../shared/retry.ts';
import type { Engine } from '../../main/engine/engine.ts';
import { createTestBucket, makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, waitForState } from '../harness/engine.ts';
import { startProxy, type FreezableProxy } from '../harness/proxy.ts';

const s3 = inject('s3');
let client: S3Client;
let bucket: string;
let proxy: FreezableProxy;
const files = tempDir('outage-files');

beforeAll(async () => {
  client = testClient(s3);
  bucket = await createTestBucket(s3, 'outage');
  proxy = await startProxy(s3.endpoint);
});
afterAll(async () => {
  await proxy?.close();
  client?.destroy();
});

/** Resolves with the first retry the engine reports for the job. */
function nextRetry(engine: Engine, jobId: string): Promise<JobRetry> {
  return new Promise((resolve) => {
    const off = engine.events.on((event) => {
      if (event.type === 'retrying' && event.jobId === jobId) {
        off();
        resolve(event.retry);
      }
    });
  });
}

/** Resolves once the job's bytes are moving (a part is being sent). */
function moving(engine: Engine, jobId: string): Promise<void> {
  return new Promise((resolve) => {
    const off = engine.events.on((event) => {
      if (event.type === 'progress' && event.jobId === jobId && event.bytesDone > 0) {
        off();
        resolve();
      }
    });
  });
}

describe('the server goes away during an upload', () => {
  it('the job says it is retrying, survives the outage and resumes on its own', async () => {
    // Few attempts and short delays: before the fix, this policy failed the job within a second of
    // the outage (4 attempts). An outage now uses up no attempt.
    const engine = await openTestEngine(
      { ...s3, endpoint: proxy.endpoint },
      { partSize: 5 * MiB, partConcurrency: 2, retryPolicy: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 400 } },
    );
    try {
      proxy.limit(4 * MiB); // a known pace, so that the outage lands mid-upload
      const file = await makeFile(files, 'outage.bin', 40 * MiB, 81);
      const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'outage.bin' }]);
      await moving(engine, job!.id);
      const retried = nextRetry(engine, job!.id);
      const downAt = Date.now();
      await proxy.down();
      const retry = await retried;
      const secondsToRetrying = (Date.now() - downAt) / 1000;
      // what the window and `ferry jobs --json` show while it waits
      expect(engine.retryOf(job!.id)).toMatchObject({ error: { code: 'ENDPOINT_UNREACHABLE' }, maxAttempts: null });
      expect(engine.get(job!.id)!.state).toBe('uploading');
      expect(describeRetry(retry, retry.nextRetryAt - 8000)).toMatch(/^Retrying in 8 s: cannot reach the endpoint \(attempt \d+\)$/);

      // the outage outlasts what the old policy allowed many times over
      let retriesDuringOutage = 0;
      const off = engine.events.on((event) => {
        if (event.type === 'retrying' && event.jobId === job!.id) retriesDuringOutage += 1;
      });
      await new Promise<void>((resolve) => {
        const check = engine.events.on((event) => {
          if (event.type === 'retrying' && event.jobId === job!.id && event.attempt >= 8) {
            check();
            resolve();
          }
        });
      });
      off();
      expect(engine.get(job!.id)!.state).toBe('uploading');
      const upAt = Date.now();
      await proxy.up();
      proxy.limit(null);
      const done = await waitForState(engine, job!.id, 'completed', 120_000);
      const secondsToCompleted = (Date.now() - upAt) / 1000;
      expect(done.bytesDone).toBe(40 * MiB);
      expect(engine.retryOf(job!.id)).toBeNull();
      expect(await objectSha256(client, bucket, 'outage.bin')).toBe(file.sha256);
      console.log(
        `outage: retrying shown ${secondsToRetrying.toFixed(1)} s after the server went away; ` +
          `${retriesDuringOutage} retries in ${((upAt - downAt) / 1000).toFixed(1)} s of outage; completed ${secondsToCompleted.toFixed(1)} s after it came back`,
      );
    } finally {
      await proxy.up();
      proxy.limit(null);
      await engine.close();
    }
  });

  it('fails in words once the outage lasts longer than "give up after"', async () => {
    const engine = await openTestEngine(
      { ...s3, endpoint: proxy.endpoint },
      { partSize: 5 * MiB, giveUpAfterMs: 1500, retryPolicy: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 400 } },
    );
    try {
      const file = await makeFile(files, 'giveup.bin', 12 * MiB, 82);
      await proxy.down();
      const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'giveup.bin' }]);
      const failed = await waitForState(engine, job!.id, 'failed', 60_000);
      expect(failed.error?.code).toBe('ENDPOINT_UNREACHABLE');
      expect(failed.error?.message).toMatch(/Gave up after 2 s without an answer/);
      expect(engine.retryOf(job!.id)).toBeNull();
    } finally {
      await proxy.up();
      await engine.close();
    }
  });
});
