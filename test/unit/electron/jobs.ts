// Jobs and a fake engine for the desktop indicator tests.
import { Emitter } from '../../../shared/emitter.ts';
import type { Job } from '../../../shared/job.ts';
import type { EngineEvent } from '../../../main/engine/engine.ts';

let next = 1;

export function job(patch: Partial<Job> = {}): Job {
  const id = patch.id ?? `job-${next++}`;
  return {
    id,
    state: 'queued',
    source: 'disk',
    path: `/data/${id}.bin`,
    endpointId: 'e1',
    bucket: 'bucket',
    key: `${id}.bin`,
    size: 100,
    fingerprint: { size: 100, mtimeMs: 0, ino: '1' },
    multipart: false,
    partSize: 100,
    partCount: 1,
    concurrency: 1,
    uploadId: null,
    bytesDone: 0,
    etag: null,
    error: null,
    createdAt: 0,
    updatedAt: 0,
    completedAt: null,
    batchId: null,
    batchName: null,
    ...patch,
  } as Job;
}

/** The engine surface the indicators read: its jobs, its events, and which jobs wait for a file. */
export class FakeEngine {
  readonly events = new Emitter<EngineEvent>();
  jobs: Job[] = [];
  list(): Job[] {
    return this.jobs.map((each) => ({ ...each }));
  }
  isWaitingForFile(each: Pick<Job, 'source' | 'state'>): boolean {
    return each.source === 'browser' && each.state === 'queued';
  }
  /** Changes a job as the engine would, and says so. */
  change(id: string, patch: Partial<Job>): void {
    const index = this.jobs.findIndex((each) => each.id === id);
    this.jobs[index] = { ...this.jobs[index]!, ...patch };
    this.events.emit({ type: 'job-changed', job: { ...this.jobs[index]! } });
  }
  add(...jobs: Job[]): void {
    this.jobs.push(...jobs);
    this.events.emit({ type: 'jobs-added', jobs });
  }
}
