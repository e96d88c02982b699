/**
 * The job events that arrived since the window last drew, folded into one change (issue #13,
 * "smooth under load"). While thousands of small files upload the host sends dozens of
 * jobsChanged/jobsProgress messages a second; applied one by one, each made a new jobs Map and
 * recomputed every derived view, and the list stuttered. Folded, the store takes one write per frame.
 *
 * Folding keeps what applying the events in order would give:
 *   - a job changed twice keeps its last view; progress older than a view is dropped (the view has it)
 *   - a removed job loses its pending view and progress; a job added again after its removal is kept
 *   - jobs new to the window keep the order in which they were first named
 * `take()` gives the removals first, then the views, then the progress: applied in that order they
 * end where the events would have.
 */
import type { JobView, ProgressUpdate } from '../../shared/contract.ts';

/** One write's worth of job changes. */
export interface JobChanges {
  removed: readonly string[];
  upserts: readonly JobView[];
  progress: readonly ProgressUpdate[];
}

export type JobEventMessage =
  | { event: 'jobsAdded' | 'jobsChanged'; payload: { jobs: readonly JobView[] } }
  | { event: 'jobsProgress'; payload: { updates: readonly ProgressUpdate[] } }
  | { event: 'jobsRemoved'; payload: { ids: readonly string[] } };

export class JobEventBatch {
  #removed = new Set<string>();
  #upserts = new Map<string, JobView>();
  #progress = new Map<string, ProgressUpdate>();

  /** Folds one event into the batch. */
  add(message: JobEventMessage): void {
    switch (message.event) {
      case 'jobsAdded':
      case 'jobsChanged':
        for (const view of message.payload.jobs) {
          this.#progress.delete(view.id);
          // delete first: a view after a removal is a new arrival and goes to the end
          if (this.#removed.has(view.id)) this.#upserts.delete(view.id);
          this.#upserts.set(view.id, view);
        }
        return;
      case 'jobsProgress':
        for (const update of message.payload.updates) this.#progress.set(update.id, update);
        return;
      case 'jobsRemoved':
        for (const id of message.payload.ids) {
          this.#upserts.delete(id);
          this.#progress.delete(id);
          this.#removed.add(id);
        }
        return;
    }
  }

  get isEmpty(): boolean {
    return this.#removed.size === 0 && this.#upserts.size === 0 && this.#progress.size === 0;
  }

  /** What was folded since the last take, and an empty batch. */
  take(): JobChanges {
    const changes: JobChanges = {
      removed: [...this.#removed],
      upserts: [...this.#upserts.values()],
      progress: [...this.#progress.values()],
    };
    this.clear();
    return changes;
  }

  /** Forgets everything (a snapshot replaces it). */
  clear(): void {
    this.#removed = new Set();
    this.#upserts = new Map();
    this.#progress = new Map();
  }
}

/**
 * Runs `flush` once, soon: at the next animation frame, or after `fallbackMs` when no frame comes
 * (a hidden tab draws no frames, but its title and notifications still follow the uploads).
 */
export function nextFrame(flush: () => void, fallbackMs = 250): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    flush();
  };
  const timer = setTimeout(run, fallbackMs);
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
}

/** Resolves after the next frame was drawn: a task queued from the frame's callback runs after its paint. */
export function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => nextFrame(() => setTimeout(resolve, 0)));
}
