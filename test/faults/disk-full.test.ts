// The disk holding Ferry's data directory fills up during an upload (issue #11, defect 2): a small
// tmpfs, mounted by the test (CI runs as root), holds the data directory and is filled to the last
// byte right after the server acknowledged a part, so the next write of the job store fails.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MiB } from '../../shared/partPlan.ts';
import type { Engine } from '../../main/engine/engine.ts';
import { createTestBucket, makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, waitForParts, waitForState } from '../harness/engine.ts';

const s3 = inject('s3');
const SIZE = 30 * MiB;
const mountPoint = tempDir('faults-tmpfs');
const dataDir = join(mountPoint, 'data');
const filler = join(mountPoint, 'filler');
const files = tempDir('faults-disk-files');
let client: S3Client;
let bucket: string;
let engine: Engine | undefined;

beforeAll(async () => {
  // needs root (CI runs as root): a missing privilege fails the test, it does not skip it
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mountPoint]);
  mkdirSync(dataDir);
  client = testClient(s3);
  bucket = await createTestBucket(s3, 'diskfull');
});
afterAll(async () => {
  await engine?.close();
  client?.destroy();
  execFileSync('umount', ['-l', mountPoint]);
});

/** Writes to the tmpfs until it has not one page left. */
function fillDisk(): void {
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

describe('a full disk under the data directory', () => {
  it('pauses every job in words and keeps the process alive; they complete once space is freed', async () => {
    engine = await openTestEngine(s3, { dataDir, partSize: 5 * MiB, partConcurrency: 1 });
    const a = await makeFile(files, 'a.bin', SIZE, 41);
    const b = await makeFile(files, 'b.bin', SIZE, 42);
    const jobs = await engine.addJobs([
      { path: a.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'disk/a.bin' },
      { path: b.path, endpointId: TEST_ENDPOINT_ID, bucket, key: 'disk/b.bin' },
    ]);
    await waitForParts(engine, jobs[0]!.id, 1);
    fillDisk();

    const paused = await Promise.all(jobs.map((job) => waitForState(engine!, job.id, 'paused')));
    for (const job of paused) expect(job.error?.message).toMatch(/^The disk holding Ferry's data is full/);

    rmSync(filler);
    engine.resume(jobs.map((job) => job.id));
    await Promise.all(jobs.map((job) => waitForState(engine!, job.id, 'completed')));
    expect(await objectSha256(client, bucket, 'disk/a.bin')).toBe(a.sha256);
    expect(await objectSha256(client, bucket, 'disk/b.bin')).toBe(b.sha256);

    // what the store holds survives a restart
    await engine.close();
    engine = await openTestEngine(s3, { dataDir, autoStart: false });
    expect(engine.list().map((job) => job.state)).toEqual(['completed', 'completed']);
  });
});
