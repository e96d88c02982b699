// A request a person waits for (the bucket check before files are added, the bucket list) does not
// queue behind the uploads' parts. With a slow uplink every slot of the engine's request limit was
// held by parts for minutes, and adding files hung meanwhile (found by the e2e suite at 256 KiB/s).
// Here the parts never answer at all (a proxy in front of the real RGW stalls them).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MiB } from '../../shared/partPlan.ts';
import { createTestBucket, makeFile } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir } from '../harness/engine.ts';
import { startFaultProxy, type FaultProxy } from '../harness/faultProxy.ts';

const s3 = inject('s3');
let bucket: string;
let proxy: FaultProxy;
const files = tempDir('control-requests');

beforeAll(async () => {
  bucket = await createTestBucket(s3, 'control-requests');
  proxy = await startFaultProxy(s3.endpoint);
});
afterAll(async () => {
  await proxy?.close();
});

/** `promise`, or a rejection after `ms` saying what did not answer. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)),
  ]);
}

describe('while every request slot is taken by parts that do not answer', () => {
  it('the bucket check and the bucket list still answer', async () => {
    const engine = await openTestEngine({ ...s3, endpoint: proxy.endpoint }, { maxRequests: 2, partConcurrency: 2, partSize: 5 * MiB });
    try {
      const parts: number[] = [];
      proxy.inject({ kind: 'UploadPart', fault: { type: 'stall' }, times: Infinity });
      proxy.onRequest = (request) => {
        if (request.kind === 'UploadPart') parts.push(request.partNumber ?? 0);
      };
      const big = await makeFile(files, 'big.bin', 20 * MiB, 1);
      await engine.addJobs([{ path: big.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'big.bin' }]);
      // both slots hold a part that will not answer
      while (parts.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));

      // generous: on a loaded machine either takes well under a second; before, neither ever answered
      expect(await within(engine.checkBucket(TEST_ENDPOINT_ID, bucket), 15_000, 'the bucket check')).toEqual([]);
      expect(await within(engine.listBuckets(TEST_ENDPOINT_ID), 15_000, 'the bucket list')).toContain(bucket);
      expect(parts.length).toBe(2); // the parts still hold both slots: nothing was let through in their place
    } finally {
      proxy.onRequest = null;
      proxy.reset();
      await engine.close();
    }
  });
});
