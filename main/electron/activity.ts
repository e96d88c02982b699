/**
 * What the desktop shows of the engine's work outside the window (the tray, the taskbar's progress,
 * the power-save blocker, notifications), computed from the engine's events. Pure: no Electron here,
 * indicators.ts applies it.
 *
 * A batch (shared/uploadBatch.ts, the window's rule too) is of jobs active (queued or uploading, with
 * their file at hand). Its progress is bytes done over bytes of its jobs; its end is worth a
 * notification when something in it completed. A failure is worth a notification at once.
 */
import type { Job } from '../../shared/job.ts';
import { UploadBatch, isActiveJob } from '../../shared/uploadBatch.ts';
import type { EngineEvent } from '../engine/engine.ts';

export interface ActivitySummary {
  /** Queued or uploading jobs (not counting browser jobs waiting for their file). */
  active: number;
  uploading: number;
  queued: number;
  bytesPerSecond: number;
  /** Bytes done / bytes of the current batch, 0..1; null when no batch runs. */
  fraction: number | null;
}

export type ActivityNotice =
  { kind: 'failed'; name: string; message: string } | { kind: 'batch-finished'; completed: number; failed: number; bytes: number };

type JobFacts = Pick<Job, 'id' | 'state' | 'path' | 'size' | 'bytesDone' | 'source' | 'error'>;

export class ActivityTracker {
  readonly #jobs = new Map<string, JobFacts>();
  readonly #speeds = new Map<string, number>();
  readonly #batch = new UploadBatch<JobFacts>();
  readonly #isWaiting: (job: JobFacts) => boolean;

  /** `isWaiting`: a queued job that cannot run yet (a browser job whose page is gone) is not activity. */
  constructor(jobs: readonly JobFacts[], isWaiting: (job: JobFacts) => boolean) {
    this.#isWaiting = isWaiting;
    for (const job of jobs) this.#jobs.set(job.id, { ...job });
    this.#batch.observe(this.#jobs.values(), (job) => this.#isActive(job));
  }

  /** Takes one engine event; returns what is worth telling the user about. */
  apply(event: EngineEvent): ActivityNotice[] {
    switch (event.type) {
      case 'jobs-added':
        for (const job of event.jobs) this.#jobs.set(job.id, { ...job });
        return this.#settle();
      case 'job-changed': {
        const before = this.#jobs.get(event.job.id);
        this.#jobs.set(event.job.id, { ...event.job });
        if (event.job.state !== 'uploading') this.#speeds.delete(event.job.id);
        const notices: ActivityNotice[] = [];
        if (event.job.state === 'failed' && before?.state !== 'failed') {
          notices.push({ kind: 'failed', name: fileName(event.job.path), message: event.job.error?.message ?? 'The upload failed.' });
        }
        return [...notices, ...this.#settle()];
      }
      case 'jobs-removed':
        for (const id of event.ids) {
          this.#jobs.delete(id);
          this.#speeds.delete(id);
        }
        return this.#settle();
      case 'progress': {
        const job = this.#jobs.get(event.jobId);
        if (job) job.bytesDone = event.bytesDone;
        this.#speeds.set(event.jobId, event.bytesPerSecond);
        return [];
      }
      case 'part-uploaded':
      case 'retrying':
      case 'retry-cleared':
      case 'idle':
        return [];
    }
  }

  summary(): ActivitySummary {
    let uploading = 0;
    let queued = 0;
    for (const job of this.#jobs.values()) {
      if (!this.#isActive(job)) continue;
      if (job.state === 'uploading') uploading += 1;
      else queued += 1;
    }
    let bytesPerSecond = 0;
    for (const speed of this.#speeds.values()) bytesPerSecond += speed;
    return { active: uploading + queued, uploading, queued, bytesPerSecond, fraction: this.#fraction() };
  }

  #isActive(job: JobFacts): boolean {
    return isActiveJob(job.state, this.#isWaiting(job));
  }

  /** Adds newly active jobs to the batch; ends the batch when nothing is active. */
  #settle(): ActivityNotice[] {
    const ended = this.#batch.observe(this.#jobs.values(), (job) => this.#isActive(job));
    return ended !== null && ended.completed > 0 ? [{ kind: 'batch-finished', ...ended }] : [];
  }

  #fraction(): number | null {
    if (this.#batch.size === 0) return null;
    let done = 0;
    let total = 0;
    // a removed job counts as last seen: the bar does not go back when a completed upload is cleared
    for (const job of this.#batch.values()) {
      // an empty file counts as one byte, so that a batch of empty files still moves
      const size = Math.max(job.size, 1);
      total += size;
      done += job.state === 'completed' ? size : Math.min(job.bytesDone, size);
    }
    return total === 0 ? null : done / total;
  }
}

function fileName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
