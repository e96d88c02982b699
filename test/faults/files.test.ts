// File-system faults during an upload (issue #11, defects 1-3): a file rewritten in place with its
// modification time restored, deleted or moved, or replaced by rename. The engine runs in this
// process against the real RGW; a fault is made synchronously right after the server acknowledged
// a part, so the engine cannot make progress while the file changes (no timing involved).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { closeSync, openSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MiB } from '../../shared/partPlan.ts';
import type { Engine } from '../../main/engine/engine.ts';
import { createTestBucket, listUploads, makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, waitForParts, waitForState } from '../harness/engine.ts';

const s3 = inject('s3');
const SIZE = 40 * MiB;
const PART = 5 * MiB;
let client: S3Client;
let bucket: string;
let engine: Engine;
const files = tempDir('faults-files');

beforeAll(async () => {
  client = testClient(s3);
  bucket = await createTestBucket(s3, 'fsfaults');
  engine = await openTestEngine(s3, { partSize: PART, partConcurrency: 1 });
});
afterAll(async () => {
  await engine?.close();
  client?.destroy();
});

/** A modification time in whole seconds, which utimes can put back exactly. */
const MTIME = 1_700_000_000;

/** Overwrites `length` bytes at `offset` in place (same inode, same size), then puts the mtime back. */
function rewriteInPlace(path: string, offset: number, length: number): void {
  const before = statSync(path);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(length, 0x5a), 0, length, offset);
  } finally {
    closeSync(fd);
  }
  utimesSync(path, MTIME, MTIME);
  const after = statSync(path);
  expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
}

async function addJob(name: string, seed: number) {
  const file = await makeFile(files, name, SIZE, seed);
  utimesSync(file.path, MTIME, MTIME);
  const [job] = await engine.addJobs([{ path: file.path, endpointId: TEST_ENDPOINT_ID, bucket, key: `fs/${name}` }]);
  return { file, job: job! };
}

async function objectExists(key: string): Promise<boolean> {
  return objectSha256(client, bucket, key).then(
    () => true,
    () => false,
  );
}

describe('a file rewritten in place with its modification time restored', () => {
  it('during the upload: the job fails as FILE_CHANGED, no mixed object is stored', async () => {
    const { file, job } = await addJob('inplace-during.bin', 11);
    await waitForParts(engine, job.id, 2);
    // parts 1-2 hold the old bytes; the last parts will be read after this rewrite
    rewriteInPlace(file.path, SIZE - 2 * PART, PART);
    const failed = await waitForState(engine, job.id, 'failed');
    expect(failed.error?.code).toBe('FILE_CHANGED');
    expect(failed.error?.message).toMatch(/changed since the upload started/);
    expect(await objectExists(job.key)).toBe(false);
  });

  it('between pause and resume: the resumed job fails as FILE_CHANGED instead of trusting the parts sent', async () => {
    const { file, job } = await addJob('inplace-paused.bin', 12);
    await waitForParts(engine, job.id, 2);
    await engine.pause([job.id]);
    expect(engine.get(job.id)?.state).toBe('paused');
    // part 1, already on the server, no longer matches the file
    rewriteInPlace(file.path, 0, 1024);
    engine.resume([job.id]);
    const failed = await waitForState(engine, job.id, 'failed');
    expect(failed.error?.code).toBe('FILE_CHANGED');
    expect(await objectExists(job.key)).toBe(false);
  });
});

describe('a file deleted or moved during the upload', () => {
  it('fails that job in words; the other job in the same run completes', async () => {
    const doomed = await addJob('deleted.bin', 21);
    const other = await addJob('survivor.bin', 22);
    await waitForParts(engine, doomed.job.id, 2);
    unlinkSync(doomed.file.path);
    const failed = await waitForState(engine, doomed.job.id, 'failed');
    expect(failed.error?.message).toMatch(/^The file was deleted or moved/);
    await waitForState(engine, other.job.id, 'completed');
    expect(await objectSha256(client, bucket, other.job.key)).toBe(other.file.sha256);
  });

  it('a file moved away fails the same way', async () => {
    const { file, job } = await addJob('moved.bin', 23);
    await waitForParts(engine, job.id, 1);
    renameSync(file.path, `${file.path}.elsewhere`);
    const failed = await waitForState(engine, job.id, 'failed');
    expect(failed.error?.message).toMatch(/^The file was deleted or moved/);
  });
});

describe('a file replaced by rename (an atomic save) during the upload', () => {
  it('fails at once as FILE_CHANGED; no part is sent again', async () => {
    const { file, job } = await addJob('replaced.bin', 31);
    const sentBefore = engine.stats().bytesSent;
    await waitForParts(engine, job.id, 2);
    const replacement = join(files, 'replaced.bin.tmp');
    writeFileSync(replacement, Buffer.alloc(SIZE, 0x33));
    renameSync(replacement, file.path);
    const failed = await waitForState(engine, job.id, 'failed');
    expect(failed.error?.code).toBe('FILE_CHANGED');
    const sent = engine.stats().bytesSent - sentBefore;
    // the parts sent are the parts read before the replacement, each once: never more than the file
    expect(sent).toBeLessThanOrEqual(SIZE);
    expect(await objectExists(job.key)).toBe(false);
    // the job keeps its UploadId (Retry or Abort clean it up), nothing else is left open for it
    const open = await listUploads(client, bucket, job.key);
    expect(open.length).toBeLessThanOrEqual(1);
  });
});
