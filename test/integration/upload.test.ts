// The engine against a real S3 server (Ceph RGW started by the harness, or the server named by env vars).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { MiB } from '../../shared/partPlan.ts';
import { compositeEtag } from '../../main/engine/uploader.ts';
import type { Engine } from '../../main/engine/engine.ts';
import { createTestBucket, headEtag, listUploads, makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, waitForState } from '../harness/engine.ts';

const s3 = inject('s3');
let client: S3Client;
let bucket: string;
let engine: Engine;
const files = tempDir('files');

beforeAll(() => {
  client = testClient(s3);
});
afterAll(() => client?.destroy());
// each test its own bucket and engine, so that none depends on what another one left
beforeEach(async () => {
  bucket = await createTestBucket(s3, 'upload');
  engine = await openTestEngine(s3, { partSize: 5 * MiB });
});
afterEach(async () => {
  await engine?.close();
});

/** md5 of each part of a file, for the expected multipart ETag. */
function expectedEtag(path: string, partSize: number): string {
  const data = readFileSync(path);
  const parts = [];
  for (let start = 0; start < data.length; start += partSize) {
    parts.push({
      md5: createHash('md5')
        .update(data.subarray(start, start + partSize))
        .digest('hex'),
    });
  }
  return compositeEtag(parts);
}

describe('uploading files of every size boundary', () => {
  const sizes: [string, number][] = [
    ['0 B', 0],
    ['1 B', 1],
    ['5 MiB - 1', 5 * MiB - 1],
    ['5 MiB', 5 * MiB],
    ['5 MiB + 1', 5 * MiB + 1],
    ['64 MiB', 64 * MiB],
    ['300 MiB', 300 * MiB],
  ];

  it.each(sizes)('%s arrives intact, multipart above the part size', async (label, size) => {
    const file = await makeFile(files, `f-${size}.bin`, size, size);
    const key = `sizes/${label.replace(/\W+/g, '_')}.bin`;
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key }]);
    const done = await waitForState(engine, job!.id, 'completed', 120_000);

    expect(await objectSha256(client, bucket, key)).toBe(file.sha256);
    const etag = await headEtag(client, bucket, key);
    expect(done.etag).toBe(etag);
    if (size > 5 * MiB) {
      expect(done.multipart).toBe(true);
      expect(etag).toMatch(/^[0-9a-f]{32}-\d+$/);
      expect(etag).toBe(expectedEtag(file.path, 5 * MiB));
      expect(done.partCount).toBe(Math.ceil(size / (5 * MiB)));
    } else {
      expect(done.multipart).toBe(false);
      expect(etag).toBe(createHash('md5').update(readFileSync(file.path)).digest('hex'));
    }
    expect(done.bytesDone).toBe(size);
    expect(await listUploads(client, bucket, key)).toEqual([]);
  });
});

describe('keys as people name files', () => {
  // PutObject and UploadPart are sent without the SDK's stack (directWrites.ts): the key goes into the
  // request path as Ferry writes it, so every character a file name can hold must arrive as it was
  const keys = [
    'spaces and (brackets)/file name [1].bin',
    "unicode/Grüße 日本語 ☃ émoji 😀!'*.bin",
    'reserved/a+b=c&d;e,f@g$h#i%25j~k.bin',
    'slashes//double/and trailing./x.bin',
  ];

  it.each(keys)('%s arrives under exactly that key, as one request and as parts', async (key) => {
    const small = await makeFile(files, `k-small-${keys.indexOf(key)}.bin`, 1000, 7);
    const big = await makeFile(files, `k-big-${keys.indexOf(key)}.bin`, 5 * MiB + 10, 8);
    const [one, multi] = await engine.addJobs([
      { path: small.path, endpointId: TEST_ENDPOINT_ID, bucket, key },
      { path: big.path, endpointId: TEST_ENDPOINT_ID, bucket, key: `${key}.parts` },
    ]);
    await waitForState(engine, one!.id, 'completed', 60_000);
    const done = await waitForState(engine, multi!.id, 'completed', 60_000);
    expect(done.multipart).toBe(true);
    expect(await objectSha256(client, bucket, key)).toBe(small.sha256);
    expect(await objectSha256(client, bucket, `${key}.parts`)).toBe(big.sha256);
  });
});

describe('two jobs at once', () => {
  it('run in parallel within the global request limit', async () => {
    const limited = await openTestEngine(s3, { partSize: 5 * MiB, maxRequests: 2, partConcurrency: 4 });
    try {
      const a = await makeFile(files, 'par-a.bin', 40 * MiB, 11);
      const b = await makeFile(files, 'par-b.bin', 40 * MiB, 12);
      const uploading = new Set<string>();
      let bothAtOnce = false;
      limited.events.on((event) => {
        if (event.type !== 'job-changed') return;
        if (event.job.state === 'uploading') uploading.add(event.job.id);
        else uploading.delete(event.job.id);
        if (uploading.size === 2) bothAtOnce = true;
      });
      const jobs = await limited.addJobs([
        { path: a.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'parallel/a.bin' },
        { path: b.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'parallel/b.bin' },
      ]);
      await Promise.all(jobs.map((job) => waitForState(limited, job.id, 'completed')));
      expect(bothAtOnce).toBe(true);
      expect(limited.stats().peakRequestsInFlight).toBe(2);
      expect(await objectSha256(client, bucket, 'parallel/a.bin')).toBe(a.sha256);
      expect(await objectSha256(client, bucket, 'parallel/b.bin')).toBe(b.sha256);
    } finally {
      await limited.close();
    }
  });
});

describe('bad input is refused before anything is queued', () => {
  it('a missing file, an empty key and a bad bucket name each say what is wrong', async () => {
    const before = engine.list().length;
    await expect(engine.addJobs([{ path: `${files}/nope.bin`, endpointId: TEST_ENDPOINT_ID, bucket, key: 'k' }])).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: expect.stringContaining('nope.bin'),
    });
    const file = await makeFile(files, 'ok.bin', 10, 1);
    await expect(engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: '' }])).rejects.toMatchObject({
      code: 'INVALID_KEY',
    });
    await expect(engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket: 'ab', key: 'k' }])).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(engine.addJobs([{ path: files, endpointId: TEST_ENDPOINT_ID, bucket, key: 'k' }])).rejects.toMatchObject({
      code: 'NOT_A_FILE',
    });
    expect(engine.list()).toHaveLength(before);
  });

  it('a missing bucket fails the job with a clear error', async () => {
    const file = await makeFile(files, 'nobucket.bin', 1000, 3);
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket: 'no-such-bucket-ferry', key: 'k' }]);
    const failed = await waitForState(engine, job!.id, 'failed');
    expect(failed.error).toMatchObject({
      code: 'NO_SUCH_BUCKET',
      message: 'The bucket "no-such-bucket-ferry" does not exist on the endpoint "test S3".',
    });
    await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
  });
});
