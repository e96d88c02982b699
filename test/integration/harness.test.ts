// The test harness itself, against the provided server: a real S3 with SigV4 checked, and helpers that
// report what the server holds.
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  bucketName,
  createTestBucket,
  headEtag,
  listPartNumbers,
  listUploads,
  makeFile,
  objectSha256,
  sha256File,
  testClient,
} from '../harness/s3.ts';

const s3 = inject('s3');

describe('test harness', () => {
  let client: S3Client;
  let bucket: string;
  let tmp: string;

  beforeAll(async () => {
    client = testClient(s3);
    bucket = await createTestBucket(s3, 'Harness Test!');
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ferry-harness-'));
  });
  afterAll(async () => {
    client?.destroy();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('makes valid, unique bucket names', () => {
    expect(bucket).toMatch(/^harness-test-[0-9a-f]{12}$/);
    for (const hint of ['', 'a', '--x--', 'UPPER_case.dots', 'x'.repeat(100)]) {
      const name = bucketName(hint);
      expect(name).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
    }
    expect(bucketName('same')).not.toBe(bucketName('same'));
  });

  it('stores and returns an object byte for byte', async () => {
    const file = await makeFile(tmp, 'small.bin', 3 * 1024 * 1024 + 17, 7);
    expect(await sha256File(file.path)).toBe(file.sha256);
    const body = await readFile(file.path);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/small.bin', Body: body }));

    expect(await objectSha256(client, bucket, 'dir/small.bin')).toBe(file.sha256);
    expect(await headEtag(client, bucket, 'dir/small.bin')).toBe(createHash('md5').update(body).digest('hex'));
  });

  it('makes deterministic, incompressible files', async () => {
    const a = await makeFile(tmp, 'a.bin', 1_000_000, 1);
    const b = await makeFile(tmp, 'b.bin', 1_000_000, 1);
    const c = await makeFile(tmp, 'c.bin', 1_000_000, 2);
    expect(a.sha256).toBe(b.sha256);
    expect(c.sha256).not.toBe(a.sha256);
    const bytes = await readFile(a.path);
    expect(bytes.length).toBe(1_000_000);
    expect(new Set(bytes.subarray(0, 4096)).size).toBeGreaterThan(200); // not zeros, not a short pattern
  });

  it('rejects a wrong secret with 403 SignatureDoesNotMatch (SigV4 is checked)', async () => {
    const wrong = testClient({ ...s3, secretAccessKey: `${s3.secretAccessKey}x` });
    try {
      const err = await wrong.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/small.bin' })).then(
        () => undefined,
        (e: unknown) => e as { name?: string; $metadata?: { httpStatusCode?: number } },
      );
      expect(err?.$metadata?.httpStatusCode).toBe(403);
      expect(err?.name).toBe('SignatureDoesNotMatch');
    } finally {
      wrong.destroy();
    }
  });

  it('lists uploads in progress and their parts, and [] once an upload is gone', async () => {
    const key = 'mp/obj.bin';
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const uploadId = UploadId!;
    const part = Buffer.alloc(5 * 1024 * 1024, 1);
    for (const PartNumber of [1, 2]) {
      await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: part }));
    }
    expect(await listUploads(client, bucket, 'mp/')).toEqual([{ key, uploadId }]);
    expect(await listUploads(client, bucket, 'other/')).toEqual([]);
    expect(await listPartNumbers(client, bucket, key, uploadId)).toEqual([1, 2]);

    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    expect(await listPartNumbers(client, bucket, key, uploadId)).toEqual([]);
    expect(await listUploads(client, bucket)).toEqual([]);
  });
});
