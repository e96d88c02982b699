// Issue #11, defect 9: bulk actions on big batches act on the jobs that can take the action when it
// lands and skip the others silently; a queued job paused by it never starts.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../main/engine/engine.ts';
import type { JobState } from '../../shared/job.ts';
import { createTestBucket } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir } from '../harness/engine.ts';

const s3 = inject('s3');
let bucket: string;
let engine: Engine;
const files = tempDir('bulk-files');

beforeAll(async () => {
  bucket = await createTestBucket(s3, 'bulk');
  engine = await openTestEngine(s3);
});
afterAll(async () => {
  await engine?.close();
});

function smallFiles(dir: string, count: number): string[] {
  mkdirSync(join(files, dir), { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const path = join(files, dir, `f${i}.txt`);
    writeFileSync(path, `file ${i}\n`.repeat(50));
    return path;
  });
}

function whenCompleted(count: number): Promise<void> {
  let done = 0;
  return new Promise((resolve) => {
    const off = engine.events.on((event) => {
      if (event.type === 'job-changed' && event.job.state === 'completed' && ++done >= count) {
        off();
        resolve();
      }
    });
  });
}

const states = (ids: readonly string[]) => {
  const tally: Partial<Record<JobState, number>> = {};
  for (const id of ids) {
    const state = engine.get(id)!.state;
    tally[state] = (tally[state] ?? 0) + 1;
  }
  return tally;
};

describe('bulk actions on a batch of small files', () => {
  it('Pause all pauses what it can, skips the finished, and no paused job starts', async () => {
    const paths = smallFiles('pause', 300);
    const started = whenCompleted(30);
    const jobs = await engine.addJobs(paths.map((path, i) => ({ path, endpointId: TEST_ENDPOINT_ID, bucket, key: `pause/f${i}.txt` })));
    const ids = jobs.map((job) => job.id);
    await started;

    // every id, as a window would send them (some completed since it listed them)
    const startedAfter: string[] = [];
    const completedAfter: string[] = [];
    const beforeCall = states(ids);
    const pausing = engine.pause(ids);
    const off = engine.events.on((event) => {
      if (event.type !== 'job-changed') return;
      if (event.job.state === 'uploading') startedAfter.push(event.job.id);
      if (event.job.state === 'completed') completedAfter.push(event.job.id);
    });
    const paused = await pausing;
    await engine.whenIdle();
    off();
    const after = states(ids);
    console.log(`pause all of 300: before ${JSON.stringify(beforeCall)}; after ${JSON.stringify(after)}; ${paused.length} paused`);
    expect(startedAfter).toEqual([]);
    expect(after.queued ?? 0).toBe(0);
    expect(after.uploading ?? 0).toBe(0);
    expect(after.failed ?? 0).toBe(0);
    expect((after.completed ?? 0) + (after.paused ?? 0)).toBe(300);
    // only jobs already in flight when the pause landed may still complete
    expect(completedAfter.length).toBeLessThanOrEqual(beforeCall.uploading ?? 0);
    expect(paused.length).toBe(after.paused ?? 0);
    expect(after.paused).toBeGreaterThan(100);

    // Resume all, Retry all, then Abort all over the same mixed ids: no error, each does what it can
    expect(await engine.retry(ids)).toEqual([]);
    const resumed = engine.resume(ids);
    expect(resumed.length).toBe(after.paused);
    await engine.pause(ids);
    await engine.abort(ids);
    await engine.whenIdle();
    const end = states(ids);
    expect(end.queued ?? 0).toBe(0);
    expect(end.uploading ?? 0).toBe(0);
    expect(end.paused ?? 0).toBe(0);
    expect((end.completed ?? 0) + (end.aborted ?? 0)).toBe(300);
  });

  it('one job alone that cannot take the action is still refused in words', async () => {
    const [path] = smallFiles('single', 1);
    const [job] = await engine.addJobs([{ path: path!, endpointId: TEST_ENDPOINT_ID, bucket, key: 'single/f0.txt' }]);
    await engine.whenIdle();
    expect(engine.get(job!.id)!.state).toBe('completed');
    await expect(engine.pause([job!.id])).rejects.toThrow('Cannot pause a job that is completed.');
  });
});
