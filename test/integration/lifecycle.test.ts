// Pause, resume, abort, a file changed mid-upload, and wrong credentials, against the real server.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { AbortMultipartUploadCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { appendFileSync, utimesSync } from 'node:fs';
import { MiB } from '../../shared/partPlan.ts';
import type { Engine } from '../../main/engine/engine.ts';
import { createTestBucket, listPartNumbers, listUploads, makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, testResolver, waitForParts, waitForState } from '../harness/engine.ts';

const s3 = inject('s3');
let client: S3Client;
let bucket: string;
let engine: Engine;
const files = tempDir('files');

beforeAll(() => {
  client = testClient(s3);
});
afterAll(() => client?.destroy());
// each test its own bucket and engine: byte counts (stats().bytesSent) and server listings see only its own job
beforeEach(async () => {
  bucket = await createTestBucket(s3, 'lifecycle');
  // one part at a time, so a pause lands mid-upload with some parts done and some not
  engine = await openTestEngine(s3, { partSize: 5 * MiB, partConcurrency: 1 });
});
afterEach(async () => {
  await engine?.close();
});

describe('pause and resume', () => {
  it('keeps the UploadId and the parts on the server, then sends only the missing parts', async () => {
    const file = await makeFile(files, 'pause.bin', 80 * MiB, 21);
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'pause.bin' }]);
    await waitForParts(engine, job!.id, 2);
    await engine.pause([job!.id]);

    const paused = engine.get(job!.id)!;
    expect(paused.state).toBe('paused');
    expect(paused.uploadId).not.toBeNull();
    expect(paused.bytesDone).toBeLessThan(paused.size);
    // pause never aborts the multipart upload: the server still lists it with its parts
    expect((await listUploads(client, bucket, 'pause.bin')).map((u) => u.uploadId)).toEqual([paused.uploadId]);
    const onServer = await listPartNumbers(client, bucket, 'pause.bin', paused.uploadId!);
    expect(onServer.length).toBeGreaterThanOrEqual(2);
    expect(paused.bytesDone).toBe(engine.parts(job!.id).reduce((sum, p) => sum + p.size, 0));

    const sentBefore = engine.stats().bytesSent;
    engine.resume([job!.id]);
    const done = await waitForState(engine, job!.id, 'completed');
    const resent = engine.stats().bytesSent - sentBefore;
    // only the missing parts are sent; the one part in flight at the pause may have reached the
    // server after the listing above, and is then adopted rather than sent again
    expect(resent).toBeLessThanOrEqual(done.size - onServer.length * 5 * MiB);
    expect(resent).toBeGreaterThanOrEqual(done.size - (onServer.length + 1) * 5 * MiB);
    expect(done.uploadId).toBe(paused.uploadId);
    expect(await objectSha256(client, bucket, 'pause.bin')).toBe(file.sha256);
  });

  it('an upload aborted on the server while paused: the resume starts a new one and completes the file', async () => {
    const file = await makeFile(files, 'gone.bin', 40 * MiB, 23);
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'gone.bin' }]);
    await waitForParts(engine, job!.id, 2);
    await engine.pause([job!.id]);
    const paused = engine.get(job!.id)!;
    // the upload is gone behind Ferry's back (another tool, a lifecycle rule): its parts are sent
    // ahead to it on resume and refused (NoSuchUpload), and its ListParts is 404 NoSuchKey on RGW
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'gone.bin', UploadId: paused.uploadId! }));

    const progress: number[] = [];
    const off = engine.events.on((event) => {
      if (event.type === 'progress' && event.jobId === job!.id) progress.push(event.bytesDone);
    });
    engine.resume([job!.id]);
    const done = await waitForState(engine, job!.id, 'completed').finally(off);

    expect(done.uploadId).not.toBe(paused.uploadId);
    expect(await objectSha256(client, bucket, 'gone.bin')).toBe(file.sha256);
    expect(await listUploads(client, bucket, 'gone.bin')).toEqual([]);
    // the job's parts are the new upload's, each once, and its progress never left 0..size
    expect(engine.parts(job!.id).map((p) => p.partNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Math.min(...progress, 0)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...progress, 0)).toBeLessThanOrEqual(done.size);
  });

  it('pauses a queued job without starting it', async () => {
    const paused = await openTestEngine(s3, { autoStart: false });
    try {
      const file = await makeFile(files, 'queued.bin', 1000, 22);
      const [job] = await paused.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'queued.bin' }]);
      await paused.pause([job!.id]);
      expect(paused.get(job!.id)).toMatchObject({ state: 'paused', uploadId: null });
      await expect(paused.resume.bind(paused, ['nope'])).toThrow(/No job with id nope/);
    } finally {
      await paused.close();
    }
  });
});

describe('abort', () => {
  it('cancels the upload and leaves nothing on the server', async () => {
    const file = await makeFile(files, 'abort.bin', 60 * MiB, 31);
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'abort.bin' }]);
    await waitForParts(engine, job!.id, 1);
    const uploadId = engine.get(job!.id)!.uploadId!;
    await engine.abort([job!.id]);

    expect(engine.get(job!.id)!.state).toBe('aborted');
    expect(await listUploads(client, bucket, 'abort.bin')).toEqual([]);
    expect(await listPartNumbers(client, bucket, 'abort.bin', uploadId)).toEqual([]);
    await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'abort.bin' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    expect(engine.parts(job!.id)).toEqual([]);
    expect(() => engine.resume([job!.id])).toThrow('Cannot resume a job that is aborted.');
  });

  it('aborts a paused upload too', async () => {
    const file = await makeFile(files, 'abort-paused.bin', 30 * MiB, 32);
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'abort-paused.bin' }]);
    await waitForParts(engine, job!.id, 1);
    await engine.pause([job!.id]);
    expect(await listUploads(client, bucket, 'abort-paused.bin')).toHaveLength(1);
    await engine.abort([job!.id]);
    expect(await listUploads(client, bucket, 'abort-paused.bin')).toEqual([]);
  });
});

describe('a file changed while paused', () => {
  it('fails the job with a clear message and writes no object', async () => {
    const file = await makeFile(files, 'changed.bin', 40 * MiB, 41);
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'changed.bin' }]);
    await waitForParts(engine, job!.id, 1);
    await engine.pause([job!.id]);
    appendFileSync(file.path, 'more bytes');
    engine.resume([job!.id]);
    const failed = await waitForState(engine, job!.id, 'failed');
    expect(failed.error).toMatchObject({ code: 'FILE_CHANGED', retryable: false });
    expect(failed.error!.message).toContain('The file changed since the upload started');
    expect(failed.error!.message).toContain(`size was ${40 * MiB} bytes, now ${40 * MiB + 10}`);
    await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'changed.bin' }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('notices a same-size rewrite by its modification time', async () => {
    const file = await makeFile(files, 'touched.bin', 20 * MiB, 42);
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'touched.bin' }]);
    await waitForParts(engine, job!.id, 1);
    await engine.pause([job!.id]);
    const later = new Date(Date.now() + 60_000);
    utimesSync(file.path, later, later);
    engine.resume([job!.id]);
    const failed = await waitForState(engine, job!.id, 'failed');
    expect(failed.error!.message).toContain('modification time differs');
  });
});

describe('credentials', () => {
  it('a wrong secret fails at once as an authentication error, with no retry', async () => {
    const wrong = await openTestEngine(s3, { endpoints: testResolver(s3, 'not-the-secret') });
    try {
      let retries = 0;
      wrong.events.on((event) => {
        if (event.type === 'retrying') retries++;
      });
      const file = await makeFile(files, 'auth.bin', 12 * MiB, 51);
      const [job] = await wrong.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'auth.bin' }]);
      const failed = await waitForState(wrong, job!.id, 'failed');
      expect(failed.error).toMatchObject({ code: 'AUTH_BAD_SECRET', retryable: false });
      expect(failed.error!.message).toContain('secret access key is probably wrong');
      expect(retries).toBe(0);
    } finally {
      await wrong.close();
    }
  });
});

describe('closing the engine mid-upload', () => {
  it('leaves the job to the next start, which resumes it or leaves it paused as the setting says', async () => {
    const dataDir = tempDir('close-data');
    const file = await makeFile(files, 'closed.bin', 40 * MiB, 81);
    let first = await openTestEngine(s3, { dataDir, partSize: 5 * MiB, partConcurrency: 1 });
    const [job] = await first.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'closed.bin' }]);
    await waitForParts(first, job!.id, 2);
    await first.close();

    const paused = await openTestEngine(s3, { dataDir, partSize: 5 * MiB, interrupted: 'pause' });
    expect(paused.get(job!.id)).toMatchObject({ state: 'paused' });
    await paused.close();

    first = await openTestEngine(s3, { dataDir, partSize: 5 * MiB, interrupted: 'resume' });
    try {
      expect(first.get(job!.id)!.state).toBe('paused'); // a paused job stays paused
      first.resume([job!.id]);
      await waitForState(first, job!.id, 'completed');
      expect(first.stats().bytesSent).toBeLessThanOrEqual(40 * MiB - 2 * 5 * MiB);
    } finally {
      await first.close();
    }
    expect(await objectSha256(client, bucket, 'closed.bin')).toBe(file.sha256);
  });

  it('resumes by default', async () => {
    const dataDir = tempDir('close-resume');
    const file = await makeFile(files, 'closed2.bin', 20 * MiB, 82);
    const first = await openTestEngine(s3, { dataDir, partSize: 5 * MiB, partConcurrency: 1 });
    const [job] = await first.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'closed2.bin' }]);
    await waitForParts(first, job!.id, 1);
    await first.close();
    const second = await openTestEngine(s3, { dataDir, partSize: 5 * MiB });
    try {
      await waitForState(second, job!.id, 'completed');
    } finally {
      await second.close();
    }
    expect(await objectSha256(client, bucket, 'closed2.bin')).toBe(file.sha256);
  });
});
