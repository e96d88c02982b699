// The batch rule behind "Uploads finished" in the window and the desktop app's notification and progress.
import { describe, expect, it } from 'vitest';
import { JOB_STATES, type JobState } from '../../shared/job.ts';
import { UploadBatch, isActiveJob } from '../../shared/uploadBatch.ts';

interface TestJob {
  id: string;
  state: JobState;
  size: number;
  waitingForFile: boolean;
}

const active = (job: TestJob) => isActiveJob(job.state, job.waitingForFile);

describe('isActiveJob', () => {
  it('counts queued and uploading jobs with their file at hand, nothing else', () => {
    const activeStates = JOB_STATES.filter((state) => isActiveJob(state, false));
    expect(activeStates).toEqual(['queued', 'uploading']);
    expect(JOB_STATES.filter((state) => isActiveJob(state, true))).toEqual([]);
  });
});

describe('UploadBatch with isActiveJob', () => {
  it('a job waiting for its file does not hold the batch open: it ends when the others are done', () => {
    const batch = new UploadBatch<TestJob>();
    const sent: TestJob = { id: 'a', state: 'uploading', size: 10, waitingForFile: false };
    const waiting: TestJob = { id: 'b', state: 'queued', size: 20, waitingForFile: true };
    expect(batch.observe([sent, waiting], active)).toBeNull();
    expect(batch.observe([{ ...sent, state: 'completed' }, waiting], active)).toEqual({ completed: 1, failed: 0, bytes: 10 });
  });

  it('a job waiting for its file starts no batch until its file is back', () => {
    const batch = new UploadBatch<TestJob>();
    const job: TestJob = { id: 'a', state: 'queued', size: 10, waitingForFile: true };
    expect(batch.observe([job], active)).toBeNull();
    expect(batch.size).toBe(0);
    expect(batch.observe([{ ...job, waitingForFile: false }], active)).toBeNull();
    expect(batch.size).toBe(1);
    expect(batch.observe([{ ...job, state: 'failed', waitingForFile: false }], active)).toEqual({ completed: 0, failed: 1, bytes: 0 });
  });
});
