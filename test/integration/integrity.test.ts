// Issue #14: every part carries the cheapest check the server validates, learnt by probe and stored
// with the endpoint; a part whose bytes change after it was hashed is refused by the server under
// that check, and a file rewritten in place between the hash and the send fails the job in words.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { EndpointIntegrity, PartCheck } from '../../shared/endpoint.ts';
import { FerryError } from '../../shared/errors.ts';
import type { Job } from '../../shared/job.ts';
import { MiB } from '../../shared/partPlan.ts';
import type { Engine } from '../../main/engine/engine.ts';
import { SourceFile, statFile } from '../../main/engine/fileSource.ts';
import { S3Gateway } from '../../main/engine/gateway.ts';
import { probeIntegrity } from '../../main/engine/integrityProbe.ts';
import { choosePartCheck } from '../../main/engine/partCheck.ts';
import type { PartSource } from '../../main/engine/partSource.ts';
import { createS3Client } from '../../main/engine/s3Client.ts';
import { runUpload } from '../../main/engine/uploader.ts';
import { createTestBucket, headEtag, listUploads, makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, testProfile, testResolver, waitForState } from '../harness/engine.ts';

const s3 = inject('s3');
let client: S3Client;
let engine: Engine | undefined;
const files = tempDir('integrity');

beforeAll(() => {
  client = testClient(s3);
});
afterAll(() => client?.destroy());
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

/** What Ceph RGW 16 validates (NOTES.md, measured 2026-12-01). */
const RGW: Omit<EndpointIntegrity, 'probedAt'> = { contentMd5: true, signedSha256: true, crc32: false };

describe('the integrity probe', () => {
  it('finds what Ceph RGW validates (Content-MD5 and signed SHA-256, not CRC32) and leaves no upload behind', async () => {
    const bucket = await createTestBucket(s3, 'probe');
    const found = await probeIntegrity(client, bucket, AbortSignal.timeout(30_000));
    expect(found).toMatchObject(RGW);
    expect(choosePartCheck(found)).toBe('sha256');
    expect(await listUploads(client, bucket)).toEqual([]);
  });

  it("runs on an endpoint's first upload, is stored with it, and its parts then carry signed SHA-256", async () => {
    const bucket = await createTestBucket(s3, 'probed');
    const recorded: EndpointIntegrity[] = [];
    engine = await openTestEngine(s3, {
      partSize: 5 * MiB,
      endpoints: { ...testResolver(s3), recordIntegrity: (id, found) => id === TEST_ENDPOINT_ID && recorded.push(found) },
    });
    const file = await makeFile(files, 'probed.bin', 12 * MiB + 5, 3);
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'probed.bin' }]);
    await waitForState(engine, job!.id, 'completed', 120_000);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject(RGW);
    // each part: its SHA-256 (the check the server verified), no MD5 computed, the server's part ETag
    const data = readFileSync(file.path);
    const parts = engine.parts(job!.id);
    expect(parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    for (const part of parts) {
      const bytes = data.subarray((part.partNumber - 1) * 5 * MiB, part.partNumber * 5 * MiB);
      expect(part.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(part.md5).toBe('');
      expect(part.etag.replace(/"/g, '')).toBe(createHash('md5').update(bytes).digest('hex'));
    }
    expect(await objectSha256(client, bucket, 'probed.bin')).toBe(file.sha256);
    expect(await headEtag(client, bucket, 'probed.bin')).toMatch(/-3$/);
    expect(await listUploads(client, bucket)).toEqual([]);
  });
});

/** A job of `path` as the engine would make it (multipart above `partSize`). */
async function jobOf(path: string, bucket: string, key: string, partSize: number): Promise<Job> {
  const fingerprint = await statFile(path);
  const partCount = Math.max(1, Math.ceil(fingerprint.size / partSize));
  return {
    id: key,
    state: 'uploading',
    source: 'disk',
    path,
    endpointId: TEST_ENDPOINT_ID,
    bucket,
    key,
    size: fingerprint.size,
    fingerprint,
    multipart: fingerprint.size > partSize,
    partSize,
    partCount,
    concurrency: 2,
    uploadId: null,
    bytesDone: 0,
    etag: null,
    error: null,
    createdAt: 0,
    updatedAt: 0,
    completedAt: null,
    batchId: null,
    batchName: null,
  };
}

/** Runs the uploader itself against the server, with `source` in place of the file, under `check`. */
async function upload(job: Job, check: PartCheck, source: () => Promise<PartSource>) {
  const profile = testProfile(s3);
  const s3Client = createS3Client(
    profile,
    { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    {
      maxSockets: 8,
      socketTimeoutMs: 30_000,
    },
  );
  const gateway = new S3Gateway(s3Client, profile, null, {
    transfer: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
    quick: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
    cleanup: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
  });
  try {
    return await runUpload({
      job,
      openSource: source,
      parts: new Map(),
      gateway,
      stallTimeoutMs: 30_000,
      signal: AbortSignal.timeout(60_000),
      partCheck: check,
      callbacks: {
        onUploadId: (id) => (job.uploadId = id),
        onPartsReplaced: () => undefined,
        onPart: () => undefined,
        onBytes: () => undefined,
      },
    });
  } finally {
    s3Client.destroy();
  }
}

/** The file's source, but every body sends its bytes with one byte changed after the hash. */
async function corruptingSource(path: string): Promise<PartSource> {
  const file = await SourceFile.open(path);
  return {
    assertUnchanged: (fingerprint) => file.assertUnchanged(fingerprint),
    md5: (start, end, signal) => file.md5(start, end, signal),
    close: () => file.close(),
    prepare: async (start, end, signal, check) => {
      const prepared = await file.prepare(start, end, signal, check);
      return {
        digest: prepared.digest,
        body: () => {
          const bytes = Buffer.alloc(end - start);
          readFileSync(path).copy(bytes, 0, start, end);
          bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
          return Readable.from([bytes]);
        },
      };
    },
  };
}

describe('a part whose bytes changed after it was hashed', () => {
  it.each([
    ['sha256', 'SHA-256 mismatch'],
    ['md5', 'checksum mismatch'],
  ] as const)('is refused by the server under %s, and the job fails in words with no object written', async (check, words) => {
    const bucket = await createTestBucket(s3, `corrupt-${check}`);
    const file = await makeFile(files, `corrupt-${check}.bin`, 7 * MiB, 4);
    const job = await jobOf(file.path, bucket, 'corrupt.bin', 5 * MiB);
    const error = await upload(job, check, () => corruptingSource(file.path)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FerryError);
    expect((error as FerryError).code).toBe('INTEGRITY_MISMATCH');
    expect((error as FerryError).message).toContain(words);
    await expect(headEtag(client, bucket, 'corrupt.bin')).rejects.toThrow();
  });

  it('a single-request upload under sha256 is refused the same way', async () => {
    const bucket = await createTestBucket(s3, 'corrupt-single');
    const file = await makeFile(files, 'corrupt-single.bin', 100_000, 5);
    const job = await jobOf(file.path, bucket, 'single.bin', 5 * MiB);
    await expect(upload(job, 'sha256', () => corruptingSource(file.path))).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
    await expect(headEtag(client, bucket, 'single.bin')).rejects.toThrow();
  });

  it('a file rewritten in place between the hash and the send fails the job as changed, nothing completed', async () => {
    const bucket = await createTestBucket(s3, 'rewrite');
    const file = await makeFile(files, 'rewrite.bin', 11 * MiB, 6);
    const job = await jobOf(file.path, bucket, 'rewrite.bin', 5 * MiB);
    let rewritten = false;
    const source = async (): Promise<PartSource> => {
      const real = await SourceFile.open(file.path);
      return {
        assertUnchanged: (fingerprint) => real.assertUnchanged(fingerprint),
        md5: (start, end, signal) => real.md5(start, end, signal),
        close: () => real.close(),
        prepare: async (start, end, signal, check) => {
          const prepared = await real.prepare(start, end, signal, check);
          if (!rewritten) {
            // after the hash pass, before the body streams: same size, other bytes
            rewritten = true;
            const handle = await open(file.path, 'r+');
            await handle.write(Buffer.alloc(4096, 0x5a), 0, 4096, start + 1000);
            await handle.close();
          }
          return prepared;
        },
      };
    };
    await expect(upload(job, 'sha256', source)).rejects.toMatchObject({ code: 'FILE_CHANGED' });
    await expect(headEtag(client, bucket, 'rewrite.bin')).rejects.toThrow();
  });
});
