// "Send only what changed" (issue #15) against the real RGW: a paused or failed job whose file
// changed keeps its upload and re-sends only the parts whose bytes differ; a completed job whose
// file changed uploads again copying its unchanged parts on the server (UploadPartCopy with ranges).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { appendFileSync, closeSync, openSync, truncateSync, writeSync } from 'node:fs';
import { MiB } from '../../shared/partPlan.ts';
import type { Engine, EngineOptions } from '../../main/engine/engine.ts';
import { compositeEtag } from '../../main/engine/uploader.ts';
import { copyUnchangedParts, type CopySource } from '../../main/engine/changes.ts';
import { SourceFile } from '../../main/engine/fileSource.ts';
import { verifyObject } from '../../main/engine/verify.ts';
import { S3Gateway } from '../../main/engine/gateway.ts';
import { createS3Client } from '../../main/engine/s3Client.ts';
import { createTestBucket, headEtag, listPartNumbers, makeFile, objectSha256, sha256File, testClient } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, testProfile, waitForState } from '../harness/engine.ts';

const s3 = inject('s3');
const PART = 5 * MiB;
const SIZE = 8 * PART;
let client: S3Client;
let bucket: string;
let engine: Engine;
const files = tempDir('changes-files');

beforeAll(async () => {
  client = testClient(s3);
  bucket = await createTestBucket(s3, 'changes');
  engine = await openChangesEngine();
});
afterAll(async () => {
  await engine?.close();
  client?.destroy();
});

/** An engine with this file's part plan: parts of PART, one at a time. */
function openChangesEngine(options: Partial<EngineOptions> = {}): Promise<Engine> {
  return openTestEngine(s3, { partSize: PART, partConcurrency: 1, ...options });
}

/** Writes `length` bytes of 0x5a at `offset`, in place. */
function rewrite(path: string, offset: number, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(length, 0x5a), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

/** Pauses the job the moment the server has acknowledged `count` of its parts. */
function pauseAfterParts(jobId: string, count: number): Promise<void> {
  return new Promise((resolve) => {
    const off = engine.events.on((event) => {
      if (event.type === 'part-uploaded' && event.jobId === jobId && engine.parts(jobId).length >= count) {
        off();
        void engine.pause([jobId]).then(() => resolve());
      }
    });
  });
}

async function startedJob(name: string, seed: number) {
  const file = await makeFile(files, name, SIZE, seed);
  const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: `changes/${name}` }]);
  return { file, job: job! };
}

/** The bytes the engine sends while `body` runs. */
async function sentDuring(body: () => Promise<void>, by: Engine = engine): Promise<number> {
  const before = by.stats().bytesSent;
  await body();
  return by.stats().bytesSent - before;
}

describe('an unfinished job whose file changed', () => {
  it('paused, then appended to and partly rewritten: only the changed and the new parts are sent', async () => {
    const { file, job } = await startedJob('paused.bin', 1);
    await pauseAfterParts(job.id, 3);
    expect(engine.get(job.id)!.state).toBe('paused');
    const held = await listPartNumbers(client, bucket, job.key, engine.get(job.id)!.uploadId!);
    expect(held).toContain(2);
    rewrite(file.path, PART + 100, MiB); // inside part 2
    appendFileSync(file.path, Buffer.alloc(3 * MiB, 0x21));
    const newSize = SIZE + 3 * MiB;

    let message = '';
    const sent = await sentDuring(async () => {
      ({ message } = await engine.sendChangesOnly(job.id));
      await waitForState(engine, job.id, 'completed');
    });
    expect(message).toMatch(/goes on with the file as it is now/);
    // every part the server held is kept but part 2, whose bytes changed
    expect(sent).toBe(newSize - (held.length - 1) * PART);
    const done = engine.get(job.id)!;
    expect(done.size).toBe(newSize);
    expect(done.partCount).toBe(9);
    expect(await objectSha256(client, bucket, job.key)).toBe(await sha256File(file.path));
  });

  it('failed as FILE_CHANGED on resume: the upload was kept, and only what changed is sent', async () => {
    const { file, job } = await startedJob('failed.bin', 2);
    await pauseAfterParts(job.id, 4);
    const uploadId = engine.get(job.id)!.uploadId!;
    const held = await listPartNumbers(client, bucket, job.key, uploadId);
    rewrite(file.path, 2 * PART + 7, 1000); // inside part 3
    engine.resume([job.id]);
    const failed = await waitForState(engine, job.id, 'failed');
    expect(failed.error?.code).toBe('FILE_CHANGED');
    expect(failed.uploadId).toBe(uploadId);

    const sent = await sentDuring(async () => {
      await engine.sendChangesOnly(job.id);
      await waitForState(engine, job.id, 'completed');
    });
    expect(sent).toBe(SIZE - (held.length - 1) * PART);
    expect(await objectSha256(client, bucket, job.key)).toBe(await sha256File(file.path));
  });

  it('shrunk within its first part: says the plan cannot fit and uploads the file from the start', async () => {
    const { file, job } = await startedJob('shrunk.bin', 3);
    await pauseAfterParts(job.id, 2);
    truncateSync(file.path, 3 * MiB);
    let message = '';
    const sent = await sentDuring(async () => {
      ({ message } = await engine.sendChangesOnly(job.id));
      await waitForState(engine, job.id, 'completed');
    });
    expect(message).toMatch(
      /^Only what changed cannot be sent \(the file shrank to 3.00 MiB, within its first part of 5.00 MiB: no part of the upload can be kept\)/,
    );
    expect(sent).toBe(3 * MiB);
    expect(await objectSha256(client, bucket, job.key)).toBe(await sha256File(file.path));
  });
});

describe('a completed job whose file changed: upload changes only', () => {
  it('copies the unchanged parts on the server and sends three rewritten parts and the appended bytes', async () => {
    const { file, job } = await startedJob('done.bin', 4);
    const first = await waitForState(engine, job.id, 'completed');
    for (const part of [2, 5, 7]) rewrite(file.path, (part - 1) * PART + 12345, MiB);
    appendFileSync(file.path, Buffer.alloc(2 * MiB, 0x42));

    let jobId = '';
    let message = '';
    const sent = await sentDuring(async () => {
      ({ jobId, message } = await engine.sendChangesOnly(job.id));
      await waitForState(engine, jobId, 'completed');
    });
    expect(jobId).not.toBe(job.id);
    expect(message).toMatch(/the unchanged parts are copied on the server/);
    expect(sent).toBe(3 * PART + 2 * MiB);
    const changed = engine.get(jobId)!;
    expect(await objectSha256(client, bucket, job.key)).toBe(await sha256File(file.path));
    // the stored ETag is the one the parts' MD5s give: copied parts verified like sent ones
    expect(changed.etag).toBe(compositeEtag(engine.parts(jobId).sort((a, b) => a.partNumber - b.partNumber)));
    expect(changed.etag).toBe(await headEtag(client, bucket, job.key));
    expect(changed.etag).not.toBe(first.etag);
    const gateway = new S3Gateway(createS3Client(testProfile(s3), s3, { maxSockets: 2, socketTimeoutMs: 30_000 }), testProfile(s3), null);
    const check = await verifyObject(gateway, { bucket, key: job.key }, file.path, new AbortController().signal);
    gateway.client.destroy();
    expect(check.match).toBe(true);
  });

  it('refuses in words when the object is no longer the one Ferry uploaded, and sends nothing', async () => {
    const { file, job } = await startedJob('replaced.bin', 5);
    await waitForState(engine, job.id, 'completed');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: job.key, Body: 'someone else' }));
    rewrite(file.path, 0, 10);
    const jobsBefore = engine.list().length;
    const sent = await sentDuring(async () => {
      await expect(engine.sendChangesOnly(job.id)).rejects.toMatchObject({
        code: 'OBJECT_CHANGED',
        message: expect.stringMatching(/is no longer the object Job .{8} uploaded/),
      });
    });
    expect(sent).toBe(0);
    expect(engine.list()).toHaveLength(jobsBefore);
  });

  it.each([
    ['the same size', 0, 7],
    ['a shorter one', 1, 8],
  ])('an object replaced after the check by %s: nothing of it is kept and the run fails in words', async (_what, shorter, seed) => {
    const { file, job } = await startedJob(`raced-${seed}.bin`, seed);
    const done = await waitForState(engine, job.id, 'completed');
    const source: CopySource = { bucket, key: job.key, etag: done.etag!, size: done.size, partSize: PART, parts: engine.parts(job.id) };
    // replaced after "upload changes only" checked it, before the copies: by an object of the same
    // size (RGW 16.2 ignores the if-match and copies: the copied part's ETag tells), or a shorter
    // one (RGW refuses the range: 416)
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: job.key, Body: Buffer.alloc(shorter ? 100 : done.size, 0x11) }));
    const gateway = new S3Gateway(createS3Client(testProfile(s3), s3, { maxSockets: 2, socketTimeoutMs: 30_000 }), testProfile(s3), null);
    const { UploadId } = await gateway.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: job.key }));
    const copied: number[] = [];
    const noop = () => undefined;
    const sourceFile = await SourceFile.open(file.path);
    try {
      const run = {
        job: { ...done, uploadId: UploadId! },
        copyFrom: source,
        gateway,
        signal: new AbortController().signal,
        callbacks: {
          onUploadId: noop,
          onPartsReplaced: noop,
          onBytes: noop,
          onPart: (part: { partNumber: number }) => copied.push(part.partNumber),
        },
      } as unknown as Parameters<typeof copyUnchangedParts>[0];
      await expect(copyUnchangedParts(run, sourceFile, UploadId!, new Map())).rejects.toMatchObject({
        code: 'OBJECT_CHANGED',
        message: expect.stringMatching(/was replaced since Ferry uploaded it: its unchanged parts cannot be copied/),
      });
      expect(copied).toEqual([]);
    } finally {
      await sourceFile.close();
      await gateway.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: job.key, UploadId }));
      gateway.client.destroy();
    }
  });

  it('a Quit before the copy job ran: after the restart it still copies, and sends only the changed part', async () => {
    const dataDir = tempDir('changes-restart');
    let own = await openChangesEngine({ dataDir });
    const file = await makeFile(files, 'restart.bin', SIZE, 9);
    const [job] = await own.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'changes/restart.bin' }]);
    await waitForState(own, job!.id, 'completed');
    await own.close();
    // the app is started again with auto-start off: the copy job is added, then Ferry quits before it runs
    own = await openChangesEngine({ dataDir, autoStart: false });
    rewrite(file.path, 4 * PART + 99, 1000); // inside part 5
    const { jobId } = await own.sendChangesOnly(job!.id);
    expect(own.get(jobId)!.state).toBe('queued');
    await own.close();
    own = await openChangesEngine({ dataDir });
    try {
      expect(await sentDuring(() => waitForState(own, jobId, 'completed').then(() => {}), own)).toBe(PART);
      expect(await objectSha256(client, bucket, job!.key)).toBe(await sha256File(file.path));
    } finally {
      await own.close();
    }
  });

  it('an object replaced before the copies: the job fails in words, and Retry sends the whole file', async () => {
    const dataDir = tempDir('changes-replaced-retry');
    const own = await openChangesEngine({ dataDir, autoStart: false });
    try {
      const file = await makeFile(files, 'replaced-retry.bin', SIZE, 10);
      const [job] = await own.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'changes/replaced-retry.bin' }]);
      own.start([job!.id]);
      await waitForState(own, job!.id, 'completed');
      rewrite(file.path, 0, 10);
      const { jobId } = await own.sendChangesOnly(job!.id);
      // replaced after the check, before the copy job ran: by an object of the same size
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: job!.key, Body: Buffer.alloc(SIZE, 0x11) }));
      own.start([jobId]);
      const failed = await waitForState(own, jobId, 'failed');
      expect(failed.error?.message).toMatch(/was replaced since Ferry uploaded it.*Retry to send the whole file/);
      const sent = await sentDuring(async () => {
        await own.retry([jobId]);
        await waitForState(own, jobId, 'completed');
      }, own);
      expect(sent).toBe(SIZE);
      expect(await objectSha256(client, bucket, job!.key)).toBe(await sha256File(file.path));
    } finally {
      await own.close();
    }
  });

  it('refuses a file that has not changed', async () => {
    const { job } = await startedJob('same.bin', 6);
    await waitForState(engine, job.id, 'completed');
    await expect(engine.sendChangesOnly(job.id)).rejects.toMatchObject({ message: expect.stringMatching(/has not changed/) });
  });
});
