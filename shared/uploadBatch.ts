/**
 * A batch of uploads, the one rule behind "Uploads finished" in the browser window
 * (renderer/notify/batchWatcher.ts) and the desktop app's notification and taskbar progress
 * (main/electron/activity.ts). A batch starts when a job becomes active while none was, takes in every
 * job that becomes active before it ends, and ends when no job is active. Each of its jobs is kept as
 * last seen, so one removed from the list before the end counts as it was (a completed upload cleared
 * from the list still completed, and a bar over the batch does not go back).
 *
 * A job is active when it is queued or uploading with its file at hand: a browser job whose page is
 * gone waits for its file, cannot run, and neither starts a batch nor keeps one going.
 */
import type { JobState } from './job.ts';

export interface BatchJob {
  readonly id: string;
  readonly state: JobState;
  readonly size: number;
}

/** What an ended batch came to. */
export interface BatchResult {
  completed: number;
  failed: number;
  bytes: number;
}

/** Whether a job in `state` is active, the rule by which batches start and end (see above). */
export function isActiveJob(state: JobState, waitingForFile: boolean): boolean {
  return (state === 'queued' || state === 'uploading') && !waitingForFile;
}

export class UploadBatch<J extends BatchJob> {
  readonly #jobs = new Map<string, J>();

  /** The batch's jobs, each as last seen. */
  values(): IterableIterator<J> {
    return this.#jobs.values();
  }

  get size(): number {
    return this.#jobs.size;
  }

  /**
   * Takes in every job known now (`isActive` says which are active). Returns what the batch came to if it
   * has just ended (and starts afresh), or null while it goes on, or when there was none.
   */
  observe(jobs: Iterable<J>, isActive: (job: J) => boolean): BatchResult | null {
    let active = 0;
    for (const job of jobs) {
      if (isActive(job)) {
        active += 1;
        this.#jobs.set(job.id, job);
      } else if (this.#jobs.has(job.id)) this.#jobs.set(job.id, job);
    }
    if (active > 0 || this.#jobs.size === 0) return null;
    const result: BatchResult = { completed: 0, failed: 0, bytes: 0 };
    for (const job of this.#jobs.values()) {
      if (job.state === 'completed') {
        result.completed += 1;
        result.bytes += job.size;
      } else if (job.state === 'failed') result.failed += 1;
    }
    this.#jobs.clear();
    return result;
  }
}
