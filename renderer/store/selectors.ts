/**
 * Derived views of the store, memoised on the inputs they read so that a progress tick (which only
 * makes a new `jobs` Map) does not recompute the filtered list or the counts, and a component that
 * selects them with useShallow does not re-render.
 */
import { isFinal } from '../../shared/job.ts';
import { etaSeconds } from '../../shared/speed.ts';
import type { JobRetry } from '../../shared/retry.ts';
import { canApply, type JobAction, type JobEntry } from './jobsSlice.ts';
import type { FerryState } from './store.ts';
import type { JobFilter } from './uiSlice.ts';

export function matchesFilter(filter: JobFilter, job: Pick<JobEntry, 'state' | 'waitingForFile'>): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'active':
      // a job waiting for its file (browser host) is not active: nothing happens until it is dropped again
      return (job.state === 'queued' || job.state === 'uploading') && !job.waitingForFile;
    case 'paused':
      return job.state === 'paused';
    case 'failed':
      return job.state === 'failed';
    case 'completed':
      return job.state === 'completed';
  }
}

/**
 * A selector that recomputes only when one of its `keys` changed (compared with ===). Filters and
 * counts key on `jobOrder` and `jobStatesVersion`, not on `jobs`, which is new on every tick.
 */
function memoOn<Result>(
  keys: (state: FerryState) => readonly unknown[],
  compute: (state: FerryState) => Result,
): (state: FerryState) => Result {
  let last: { keys: readonly unknown[]; result: Result } | null = null;
  return (state) => {
    const now = keys(state);
    if (last && last.keys.length === now.length && last.keys.every((value, index) => value === now[index])) return last.result;
    const result = compute(state);
    last = { keys: now, result };
    return result;
  };
}

/** The ids the list shows, in order, for the current filter. */
export const selectVisibleIds = memoOn(
  (state) => [state.jobOrder, state.jobStatesVersion, state.filter],
  (state): readonly string[] =>
    state.filter === 'all' ? state.jobOrder : state.jobOrder.filter((id) => matchesFilter(state.filter, state.jobs.get(id)!)),
);

export type FilterCounts = Record<JobFilter, number>;

/** How many jobs each filter tab shows. */
export const selectCounts = memoOn(
  (state) => [state.jobOrder, state.jobStatesVersion],
  (state): FilterCounts => {
    const result: FilterCounts = { all: state.jobOrder.length, active: 0, paused: 0, failed: 0, completed: 0 };
    for (const job of state.jobs.values()) {
      if ((job.state === 'queued' || job.state === 'uploading') && !job.waitingForFile) result.active++;
      else if (job.state === 'paused') result.paused++;
      else if (job.state === 'failed') result.failed++;
      else if (job.state === 'completed') result.completed++;
    }
    return result;
  },
);

export interface Totals {
  /** Sum of the running jobs' speeds. */
  bytesPerSecond: number;
  /** Bytes left of queued and uploading jobs. */
  remainingBytes: number;
  /** Seconds until those are done at the current speed, null when unknown. */
  etaSeconds: number | null;
  uploading: number;
  queued: number;
  /** Overall progress of queued and uploading jobs, 0..1. */
  fraction: number;
  /** Uploading jobs waiting to retry, and the retry that comes first. */
  retrying: number;
  nextRetry: JobRetry | null;
  /** Jobs waiting for their file (browser host): neither uploading nor queued. */
  waitingForFile: number;
}

/** Total speed and what remains (computed once per progress tick, whoever asks). */
export const selectTotals = memoOn(
  (state) => [state.jobs],
  (state): Totals => {
    let bytesPerSecond = 0;
    let remainingBytes = 0;
    let size = 0;
    let uploading = 0;
    let queued = 0;
    let retrying = 0;
    let waitingForFile = 0;
    let nextRetry: JobRetry | null = null;
    for (const job of state.jobs.values()) {
      if ((job.state === 'uploading' || job.state === 'queued') && job.waitingForFile) {
        waitingForFile++;
        continue;
      }
      if (job.state === 'uploading') {
        uploading++;
        if (job.retry) {
          retrying++;
          if (nextRetry === null || job.retry.nextRetryAt < nextRetry.nextRetryAt) nextRetry = job.retry;
        } else bytesPerSecond += job.bytesPerSecond;
      } else if (job.state === 'queued') queued++;
      else continue;
      remainingBytes += Math.max(0, job.size - job.bytesDone);
      size += job.size;
    }
    return {
      bytesPerSecond,
      remainingBytes,
      etaSeconds: uploading + queued === 0 ? null : etaSeconds(remainingBytes, bytesPerSecond),
      uploading,
      queued,
      fraction: size > 0 ? 1 - remainingBytes / size : 0,
      retrying,
      nextRetry,
      waitingForFile,
    };
  },
);

export type ActionTargets = Record<JobAction, readonly string[]>;

/** The jobs each toolbar action applies to: those selected, or all when none is. */
export const selectActionTargets = memoOn(
  (state) => [state.jobOrder, state.jobStatesVersion, state.selected],
  (state): ActionTargets => {
    const { jobOrder, selected } = state;
    const scope = selected.size > 0 ? jobOrder.filter((id) => selected.has(id)) : jobOrder;
    const result: Record<JobAction, string[]> = { pause: [], resume: [], retry: [], abort: [], clear: [] };
    for (const id of scope) {
      const job = state.jobs.get(id);
      if (!job) continue;
      for (const action of ['pause', 'resume', 'retry', 'abort', 'clear'] as const) if (canApply(action, job)) result[action].push(id);
    }
    return result;
  },
);

/** Whether any browser job is still going (leaving the page would stop it). */
export function selectBrowserJobsRunning(state: FerryState): boolean {
  for (const job of state.jobs.values()) if (job.source === 'browser' && (job.state === 'uploading' || job.state === 'queued')) return true;
  return false;
}

/** Completed and aborted jobs: what "Clear completed" removes from the list. */
export const selectFinishedIds = memoOn(
  (state) => [state.jobOrder, state.jobStatesVersion],
  (state): readonly string[] =>
    state.jobOrder.filter((id) => {
      const job = state.jobs.get(id);
      return job !== undefined && isFinal(job.state);
    }),
);
