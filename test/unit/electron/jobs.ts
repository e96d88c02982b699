// Jobs and a fake engine for the desktop indicator tests.
import { Emitter } from '../../../shared/emitter.ts';
import type { Job } from '../../../shared/job.ts';
import type { EngineEvent } from '../../../main/engine/engine.ts';

export { job } from '../jobFixture.ts';

/** The engine surface the indicators read: its jobs, its events, and which jobs wait for a file. */
export class FakeEngine {
  readonly events = new Emitter<EngineEvent>();
  jobs: Job[] = [];
  list(): Job[] {
    return this.jobs.map((each) => ({ ...each }));
  }
  readonly sources = {
    isWaitingForFile: (each: Pick<Job, 'source' | 'state'>): boolean => each.source === 'browser' && each.state === 'queued',
  };
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
