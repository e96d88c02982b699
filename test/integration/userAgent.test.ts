// Every request Ferry makes names Ferry in its User-Agent, the writes that skip the SDK's stack
// (directWrites.ts) as much as the rest: a server's operator, or a provider's support reading its logs,
// can tell which program sent a request. Through a recording proxy in front of the real RGW.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { MiB } from '../../shared/partPlan.ts';
import { VERSION } from '../../main/engine/version.ts';
import { createTestBucket, makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, waitForState } from '../harness/engine.ts';
import { startFaultProxy, type FaultProxy } from '../harness/faultProxy.ts';

const s3 = inject('s3');
let client: S3Client;
let bucket: string;
let proxy: FaultProxy;
const files = tempDir('user-agent');

beforeAll(async () => {
  client = testClient(s3);
  bucket = await createTestBucket(s3, 'user-agent');
  proxy = await startFaultProxy(s3.endpoint);
});
afterAll(async () => {
  await proxy?.close();
  client?.destroy();
});

describe('the user agent', () => {
  it('names Ferry and its version in every request, small files and parts alike', async () => {
    const engine = await openTestEngine({ ...s3, endpoint: proxy.endpoint }, { partSize: 5 * MiB, partConcurrency: 2 });
    try {
      const small = await makeFile(files, 'small.txt', 10_000, 1);
      const big = await makeFile(files, 'big.bin', 12 * MiB, 2);
      const jobs = await engine.addJobs([
        { path: small.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'small.txt' },
        { path: big.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'big.bin' },
      ]);
      for (const job of jobs) await waitForState(engine, job.id, 'completed');
      expect(await objectSha256(client, bucket, 'big.bin')).toBe(big.sha256);
    } finally {
      await engine.close();
    }

    const kinds = new Set(proxy.log.map((record) => record.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(['Put', 'Create', 'UploadPart', 'Complete']));
    const without = proxy.log.filter((record) => !record.userAgent?.includes(`ferry/${VERSION}`));
    expect(without.map((record) => `${record.method} ${record.url}: ${record.userAgent ?? '(none)'}`)).toEqual([]);
  });
});
