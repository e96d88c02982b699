/**
 * The engine's scheduler (main/engine/scheduler.ts, driven through Engine) and its shared limiter against the in-memory FakeS3:
 * jobs at once, requests at once, pause. A real store in a temporary directory, small real files.
 */
import { describe, expect, it } from 'vitest';
import { FakeS3 } from './fakeS3.ts';
import { FAKE_PART, fakeEngineEachTest, fakeSpecs as specs } from './fakeEngine.ts';

const PART = FAKE_PART;
const fixture = fakeEngineEachTest('scheduler');
const { open } = fixture;
/** `count` files of `parts` parts each. */
const files = (count: number, parts: number): string[] => fixture.files(count, parts * PART);

describe('the scheduler against an in-memory S3', () => {
  it('runs at most maxActiveJobs jobs and maxRequests requests at once, and completes every job', async () => {
    const s3 = new FakeS3();
    const ferry = await open(s3, { maxActiveJobs: 2, maxRequests: 3, partConcurrency: 4 });
    const jobs = await ferry.addJobs(specs(files(5, 4)));
    await ferry.whenIdle();
    expect(jobs.map((job) => ferry.get(job.id)?.state)).toEqual(Array(5).fill('completed'));
    expect(s3.peakKeysInFlight).toBe(2);
    expect(s3.peakInFlight).toBe(3);
    expect(ferry.stats().requestsInFlight).toBe(0);
    // each job: create, then its parts, then complete
    for (let i = 0; i < 5; i++) {
      const operations = s3.operations(`key-${i}`);
      expect(operations[0]).toBe('CreateMultipartUpload');
      expect(operations.slice(-2)).toEqual(['CompleteMultipartUpload', 'HeadObject']);
      expect(operations.filter((op) => op === 'UploadPart')).toHaveLength(4);
    }
  });

  it('runs small files (one request each) four in the room of one file, and no more', async () => {
    const s3 = new FakeS3();
    const ferry = await open(s3, { maxActiveJobs: 2, maxRequests: 2, partConcurrency: 1 });
    const held = s3.gate((call) => call.operation === 'PutObject');
    // 512 bytes: one PutObject each (the fake part size is 1 KiB), the smallest share of a place
    const jobs = await ferry.addJobs(specs(fixture.files(40, 512)));
    await held.reached;
    while (s3.inFlight < 8) await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(s3.inFlight).toBe(8);
    expect(ferry.list().filter((job) => job.state === 'uploading')).toHaveLength(8);
    held.open();
    await ferry.whenIdle();
    expect(jobs.map((job) => ferry.get(job.id)?.state)).toEqual(Array(40).fill('completed'));
    expect(s3.peakInFlight).toBe(8);
    expect(s3.operations().filter((op) => op === 'PutObject')).toHaveLength(40);
  });

  it('under a bandwidth limit, small files go a request slot each: none waits out the stall timeout', async () => {
    const s3 = new FakeS3();
    // 32 files of 16 KiB, one PutObject each, at 128 KiB/s: the 8 requests of the 8 slots share
    // the rate in about 1 s, well within the stall timeout; 32 at once would wait about 4 s each
    const ferry = await open(s3, {
      maxActiveJobs: 8,
      maxRequests: 8,
      partConcurrency: 1,
      partSize: 5 * 1024 * 1024,
      bandwidthLimit: 128 * 1024,
      stallTimeoutMs: 3000,
    });
    const jobs = await ferry.addJobs(specs(fixture.files(32, 16 * 1024)));
    await ferry.whenIdle();
    expect(jobs.map((job) => ferry.get(job.id)?.state)).toEqual(Array(32).fill('completed'));
    expect(s3.operations().filter((op) => op === 'PutObject')).toHaveLength(32);
    expect(s3.peakInFlight).toBeLessThanOrEqual(8);
  });

  it('pauses a job mid-part: nothing of it is in flight once pause returns, and a resume sends only the missing parts', async () => {
    const s3 = new FakeS3();
    const ferry = await open(s3, { partConcurrency: 2 });
    const held = s3.gate((call) => call.operation === 'UploadPart' && call.partNumber === 3);
    const [job] = await ferry.addJobs(specs(files(1, 6)));
    await held.reached;
    await ferry.pause([job!.id]);
    expect(ferry.get(job!.id)?.state).toBe('paused');
    expect(s3.inFlight).toBe(0);
    const sent = s3.calls.length;
    held.open();
    await ferry.whenIdle();
    expect(s3.calls.length).toBe(sent);
    expect(s3.operations()).not.toContain('AbortMultipartUpload');

    const acknowledged = ferry.parts(job!.id).map((part) => part.partNumber);
    ferry.resume([job!.id]);
    await ferry.whenIdle();
    expect(ferry.get(job!.id)?.state).toBe('completed');
    const resent = s3.calls
      .slice(sent)
      .filter((call) => call.operation === 'UploadPart')
      .map((call) => call.partNumber);
    expect(resent.sort()).toEqual([1, 2, 3, 4, 5, 6].filter((n) => !acknowledged.includes(n)));
  });
});
