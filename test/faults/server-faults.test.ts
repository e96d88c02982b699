// Server-side faults that used to cost a user bytes, time or a true status (issue #11, defects 4-7),
// each through the HTTP fault proxy in front of the real RGW. Each test prints its figures.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { AbortMultipartUploadCommand, DeleteBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { appendFile } from 'node:fs/promises';
import { MiB } from '../../shared/partPlan.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import type { Job } from '../../shared/job.ts';
import type { Engine } from '../../main/engine/engine.ts';
import { createTestBucket, listUploads, makeFile, objectSha256, sha256File, testClient } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, waitForParts, waitForState } from '../harness/engine.ts';
import { FAULTS, startFaultProxy, type FaultProxy } from '../harness/faultProxy.ts';

const s3 = inject('s3');
let client: S3Client;
let bucket: string;
let proxy: FaultProxy;
const files = tempDir('server-faults');
const engines: Engine[] = [];

beforeAll(async () => {
  client = testClient(s3);
  bucket = await createTestBucket(s3, 'server-faults');
  proxy = await startFaultProxy(s3.endpoint);
});
afterEach(async () => {
  proxy.reset();
  proxy.onAnswer = null;
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});
afterAll(async () => {
  await proxy?.close();
  client?.destroy();
});

async function open(options: Parameters<typeof openTestEngine>[1] = {}): Promise<Engine> {
  const engine = await openTestEngine(
    { ...s3, endpoint: proxy.endpoint },
    { partSize: 5 * MiB, partConcurrency: 2, stallTimeoutMs: 3000, ...options },
  );
  engines.push(engine);
  return engine;
}

/** The job's first final state (completed, failed or aborted). */
function finalState(engine: Engine, jobId: string): Promise<Job> {
  return new Promise((resolve) => {
    const now = engine.get(jobId);
    if (now && ['completed', 'failed', 'aborted'].includes(now.state)) return resolve(now);
    const off = engine.events.on((event) => {
      if (event.type === 'job-changed' && event.job.id === jobId && ['completed', 'failed', 'aborted'].includes(event.job.state)) {
        off();
        resolve(event.job);
      }
    });
  });
}

describe('defect 4: a lost answer to CompleteMultipartUpload', () => {
  it('completes the job from the object already there, sending nothing again', async () => {
    const engine = await open();
    const file = await makeFile(files, 'lost-complete.bin', 20 * MiB, 401);
    // every answer to Complete is lost; the server completes the first one
    proxy.inject({ kind: 'Complete', fault: FAULTS.drop, times: Infinity });
    const started = performance.now();
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'lost-complete.bin' }]);
    const first = await finalState(engine, job!.id);
    const secondsToStatus = (performance.now() - started) / 1000;
    console.log(`[defect 4] first status ${first.state} (${first.error?.code ?? 'no error'}) after ${secondsToStatus.toFixed(1)} s`);
    if (first.state === 'failed') {
      // what a user would do: retry
      proxy.reset();
      await engine.retry([job!.id]);
      await waitForState(engine, job!.id, 'completed');
    }
    const sent = engine.stats().bytesSent;
    console.log(`[defect 4] bytes sent ${sent} for a ${20 * MiB} B file (re-sent ${sent - 20 * MiB})`);
    expect(first.state, first.error?.message).toBe('completed');
    expect(sent).toBe(20 * MiB);
    expect(await objectSha256(client, bucket, 'lost-complete.bin')).toBe(file.sha256);
    expect(await listUploads(client, bucket, 'lost-complete.bin')).toEqual([]);
  });

  it('after a crash between Complete and the store write, the next run completes the job without re-sending', async () => {
    const dataDir = tempDir('lost-complete-crash');
    const first = await open({ dataDir });
    const file = await makeFile(files, 'crash-complete.bin', 20 * MiB, 402);
    proxy.inject({ kind: 'Complete', fault: FAULTS.drop }, { kind: 'Complete', fault: { type: 'stall' }, times: Infinity });
    const completedOnServer = new Promise<void>((resolve) => {
      proxy.onAnswer = (record) => {
        if (record.kind === 'Complete' && record.status === 200) resolve();
      };
    });
    const [job] = await first.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'crash-complete.bin' }]);
    await completedOnServer;
    await first.close(); // the process dies before it hears the answer: the job is still "uploading"
    proxy.reset();

    const second = await open({ dataDir });
    const done = await finalState(second, job!.id);
    const sent = second.stats().bytesSent;
    console.log(`[defect 4, crash] next run: ${done.state}, bytes re-sent ${sent}`);
    expect(done.state, done.error?.message).toBe('completed');
    expect(sent).toBe(0);
    expect(await objectSha256(client, bucket, 'crash-complete.bin')).toBe(file.sha256);
  });
});

describe('defect 5: an upload aborted on the server', () => {
  it('fails at once in words, and Retry starts a new upload with the whole file to go', async () => {
    const engine = await open();
    const size = 40 * MiB;
    const file = await makeFile(files, 'gone.bin', size, 501);
    // parts after the first two are held back a while, so the abort lands while they are pending
    proxy.inject({ kind: 'UploadPart', fault: { type: 'delay', ms: 2000 }, times: Infinity, when: (r) => (r.partNumber ?? 0) > 2 });
    const retried: ErrorCode[] = [];
    engine.events.on((event) => {
      if (event.type === 'retrying') retried.push(event.error.code);
    });
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'gone.bin' }]);
    await waitForParts(engine, job!.id, 2);
    const uploadId = engine.get(job!.id)!.uploadId!;
    const abortedAt = performance.now();
    const forwardedBefore = proxy.bytesForwarded('UploadPart');
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'gone.bin', UploadId: uploadId })); // another tool, a lifecycle rule
    const failed = await finalState(engine, job!.id);
    const seconds = (performance.now() - abortedAt) / 1000;
    const intoNothing = proxy.bytesForwarded('UploadPart') - forwardedBefore;
    console.log(
      `[defect 5] ${failed.state} (${failed.error?.code}) ${seconds.toFixed(1)} s after the abort; ${intoNothing} B sent into nothing; gone-upload retries ${retried.filter((c) => c === 'UPLOAD_GONE').length}; to go ${size - failed.bytesDone} of ${size}`,
    );
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'UPLOAD_GONE', message: expect.stringMatching(/no longer exists.*retry/i) });
    expect(retried).not.toContain('UPLOAD_GONE');
    expect(failed.bytesDone).toBe(0); // the whole file is to go again: the parts went with the upload
    expect(failed.uploadId).toBeNull();

    proxy.reset();
    await engine.retry([job!.id]);
    const done = await waitForState(engine, job!.id, 'completed');
    expect(done.bytesDone).toBe(size);
    expect(done.uploadId).not.toBe(uploadId);
    expect(await objectSha256(client, bucket, 'gone.bin')).toBe(file.sha256);
  });
});

describe('defect 12: a bucket deleted under a job', () => {
  /** Another tool empties and deletes the bucket (S3 refuses to delete a bucket with uploads in it). */
  async function deleteBucket(name: string, key: string, uploadId: string): Promise<void> {
    await client.send(new AbortMultipartUploadCommand({ Bucket: name, Key: key, UploadId: uploadId }));
    await client.send(new DeleteBucketCommand({ Bucket: name }));
  }
  const inWords = (name: string) => ({
    code: 'NO_SUCH_BUCKET',
    message: `The bucket "${name}" does not exist on the endpoint "test S3".`,
  });

  it('while its parts are in flight: the job fails saying the bucket does not exist', async () => {
    const engine = await open();
    const doomed = await createTestBucket(s3, 'deleted-bucket');
    const file = await makeFile(files, 'doomed.bin', 30 * MiB, 502);
    proxy.inject({ kind: 'UploadPart', fault: { type: 'delay', ms: 2000 }, times: Infinity, when: (r) => (r.partNumber ?? 0) > 2 });
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket: doomed, key: 'doomed.bin' }]);
    await waitForParts(engine, job!.id, 2);
    await deleteBucket(doomed, 'doomed.bin', engine.get(job!.id)!.uploadId!);
    const failed = await finalState(engine, job!.id);
    console.log(`[defect 12, bucket deleted in flight] ${failed.state}: ${failed.error?.message}`);
    expect(failed).toMatchObject({ state: 'failed', error: inWords(doomed) });
  });

  it('while it is paused: resuming fails saying the bucket does not exist (not "NoSuchKey: UnknownError")', async () => {
    const engine = await open();
    const doomed = await createTestBucket(s3, 'deleted-paused');
    const file = await makeFile(files, 'paused.bin', 30 * MiB, 503);
    proxy.inject({ kind: 'UploadPart', fault: { type: 'delay', ms: 2000 }, times: Infinity, when: (r) => (r.partNumber ?? 0) > 2 });
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket: doomed, key: 'paused.bin' }]);
    await waitForParts(engine, job!.id, 2);
    await engine.pause([job!.id]);
    const paused = await waitForState(engine, job!.id, 'paused');
    await deleteBucket(doomed, 'paused.bin', paused.uploadId!);
    proxy.reset();
    engine.resume([job!.id]);
    const failed = await finalState(engine, job!.id);
    console.log(`[defect 12, bucket deleted while paused] ${failed.state}: ${failed.error?.message}`);
    expect(failed).toMatchObject({ state: 'failed', error: inWords(doomed) });
  });
});

describe('defect 6: orphans Ferry makes itself', () => {
  it('a lost answer to CreateMultipartUpload leaves no empty upload behind', async () => {
    const engine = await open();
    const file = await makeFile(files, 'lost-create.bin', 12 * MiB, 601);
    proxy.inject({ kind: 'Create', fault: FAULTS.drop });
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'lost-create.bin' }]);
    await waitForState(engine, job!.id, 'completed');
    const left = await listUploads(client, bucket, 'lost-create.bin');
    console.log(`[defect 6, create] incomplete uploads left: ${left.length}`);
    expect(left).toEqual([]);
    expect(await objectSha256(client, bucket, 'lost-create.bin')).toBe(file.sha256);
  });

  it('a job failed by a changed file keeps only its own upload (for --changed-only), says what to do, and --restart leaves nothing', async () => {
    const engine = await open();
    const file = await makeFile(files, 'changed.bin', 30 * MiB, 602);
    proxy.inject({ kind: 'UploadPart', fault: { type: 'delay', ms: 1000 }, times: Infinity, when: (r) => (r.partNumber ?? 0) > 2 });
    const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'changed.bin' }]);
    await waitForParts(engine, job!.id, 2);
    await appendFile(file.path, Buffer.alloc(MiB, 7)); // the file changes under the upload
    const failed = await finalState(engine, job!.id);
    const left = await listUploads(client, bucket, 'changed.bin');
    console.log(`[defect 6, failed for good] ${failed.state} (${failed.error?.code}); incomplete uploads left: ${left.length}`);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'FILE_CHANGED', restart: true });
    // issue #15 keeps the job's own upload, so that its unchanged parts can be used; nothing else is left
    expect(left).toEqual([{ key: 'changed.bin', uploadId: failed.uploadId }]);

    // a plain retry would fail the same way: it is refused in words that say what to do
    await expect(engine.retry([job!.id])).rejects.toMatchObject({
      message: expect.stringMatching(/ferry retry --changed-only .*ferry retry --restart/),
    });
    proxy.reset();
    await engine.retry([job!.id], { restart: true });
    const done = await waitForState(engine, job!.id, 'completed');
    expect(done.size).toBe(31 * MiB);
    expect(await objectSha256(client, bucket, 'changed.bin')).toBe(await sha256File(file.path));
    expect(await listUploads(client, bucket, 'changed.bin')).toEqual([]);
  });
});

describe('defect 7: two live jobs for the same endpoint, bucket and key', () => {
  it('refuses the second in words, in a later batch or the same one', async () => {
    const engine = await open({ autoStart: false });
    const a = await makeFile(files, 'same-a.bin', MiB, 701);
    const b = await makeFile(files, 'same-b.bin', MiB, 702);
    const [first] = await engine.addJobs([{ path: a.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'same.bin' }]);
    await expect(engine.addJobs([{ path: b.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'same.bin' }])).rejects.toMatchObject({
      code: 'JOB_CONFLICT',
      message: expect.stringContaining(`s3://${bucket}/same.bin is already the target of`),
    });
    await expect(
      engine.addJobs([
        { path: a.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'pair.bin' },
        { path: b.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'pair.bin' },
      ]),
    ).rejects.toMatchObject({ code: 'JOB_CONFLICT' });
    expect(engine.list()).toHaveLength(1);

    engine.start();
    await waitForState(engine, first!.id, 'completed');
    expect(await objectSha256(client, bucket, 'same.bin')).toBe(a.sha256);
    // once the first has ended, the key is free again
    const [again] = await engine.addJobs([{ path: b.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'same.bin' }]);
    await waitForState(engine, again!.id, 'completed');
    expect(await objectSha256(client, bucket, 'same.bin')).toBe(b.sha256);
  });
});
