// The soak: a 200 MiB file and 40 small files through 15% mixed server and network faults (errors,
// throttling, lost answers, resets, delays, stalls on every kind of request), for two seeds, plus a
// lost answer to the first Create, Complete and PUT in every run. Every
// object must arrive identical, every job say completed, and no incomplete upload stay behind.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { KiB, MiB } from '../../shared/partPlan.ts';
import { createTestBucket, listUploads, makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, waitForState } from '../harness/engine.ts';
import { FAULTS, startFaultProxy, type Fault, type FaultProxy } from '../harness/faultProxy.ts';

const s3 = inject('s3');
let client: S3Client;
let proxy: FaultProxy;
const files = tempDir('soak');
let big: { path: string; sha256: string };
const small: { path: string; sha256: string; name: string; size: number }[] = [];

const MIX: Fault[] = [
  FAULTS.internalError,
  FAULTS.slowDown,
  FAULTS.tooMany,
  FAULTS.requestTimeout,
  FAULTS.drop,
  { type: 'reset', afterBytes: 256 * KiB },
  { type: 'delay', ms: 300 },
  { type: 'stall' },
];

beforeAll(async () => {
  client = testClient(s3);
  proxy = await startFaultProxy(s3.endpoint);
  big = await makeFile(files, 'big.bin', 200 * MiB, 9001);
  for (let i = 0; i < 40; i++) {
    const name = `small-${String(i).padStart(2, '0')}.bin`;
    const size = (i % 8) * 256 * KiB + i * 37;
    small.push({ name, size, ...(await makeFile(files, name, size, 9100 + i)) });
  }
});
afterAll(async () => {
  await proxy?.close();
  client?.destroy();
});

describe('soak: 15% mixed faults', () => {
  it.each([1, 2])('seed %i: every object identical, every job completed, nothing left behind', async (seed) => {
    const bucket = await createTestBucket(s3, `soak-${seed}`);
    proxy.reset();
    proxy.chaos({ seed, rate: 0.15, faults: MIX });
    // and, whatever the seed draws, the answers that cost the most when lost: the first
    // CreateMultipartUpload (an empty upload nobody knows), the first Complete (a finished object
    // the client never heard of) and the first single PUT
    proxy.inject(
      { kind: 'Create', fault: FAULTS.drop, times: 1 },
      { kind: 'Complete', fault: FAULTS.drop, times: 1 },
      { kind: 'Put', fault: FAULTS.drop, times: 1 },
    );
    const engine = await openTestEngine(
      { ...s3, endpoint: proxy.endpoint },
      {
        partSize: 8 * MiB,
        partConcurrency: 4,
        maxRequests: 8,
        stallTimeoutMs: 2000,
        retryPolicy: { maxAttempts: 10, baseDelayMs: 20, maxDelayMs: 200 },
      },
    );
    try {
      const started = performance.now();
      const jobs = await engine.addJobs([
        { path: big.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'big.bin' },
        ...small.map((f) => ({ path: f.path, endpointId: TEST_ENDPOINT_ID, bucket, key: f.name })),
      ]);
      const ended = await Promise.allSettled(jobs.map((job) => waitForState(engine, job.id, 'completed', 600_000)));
      const seconds = (performance.now() - started) / 1000;
      const faults = proxy.log.filter((r) => r.fault !== null);
      const total = 200 * MiB + small.reduce((sum, f) => sum + f.size, 0);
      console.log(
        `[soak seed ${seed}] ${seconds.toFixed(1)} s, ${proxy.log.length} requests, ${faults.length} faults (${[...new Set(faults.map((f) => `${f.kind}:${f.fault}`))].length} kinds); ` +
          `bytes sent ${engine.stats().bytesSent} for ${total} B of files`,
      );
      expect(faults.length).toBeGreaterThan(0);
      for (const kind of ['Create', 'Complete', 'Put']) {
        expect(
          faults.some((f) => f.kind === kind && f.fault === 'drop'),
          `a dropped ${kind} answer`,
        ).toBe(true);
      }
      const failures = ended.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
      expect(failures).toEqual([]);
    } finally {
      await engine.close();
    }
    proxy.reset();
    expect(await objectSha256(client, bucket, 'big.bin')).toBe(big.sha256);
    for (const f of small) expect(await objectSha256(client, bucket, f.name), f.name).toBe(f.sha256);
    expect(await listUploads(client, bucket)).toEqual([]);
  });
});
