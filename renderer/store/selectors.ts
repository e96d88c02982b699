/**
 * Derived views of the store, memoised on the inputs they read so that a progress tick (which only
 * makes a new `jobs` Map) does not recompute the filtered list or the counts, and a component that
 * selects them with useShallow does not re-render.
 */
import { isFinal, JOB_STATES, type JobState } from '../../shared/job.ts';
import { etaSeconds } from '../../shared/speed.ts';
import { isActiveJob } from '../../shared/uploadBatch.ts';
import type { JobRetry } from '../../shared/retry.ts';
import { emptyGroupStats, type GroupStats, type StateCensus } from './jobTally.ts';
import { canApply, type JobAction, type JobEntry } from './jobsSlice.ts';
import type { FerryState } from './store.ts';
import type { JobFilter, SortOrder } from './uiSlice.ts';

export function matchesFilter(filter: JobFilter, job: Pick<JobEntry, 'state' | 'waitingForFile'>): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'active':
      // a job waiting for its file (browser host) is not active: nothing happens until it is dropped again
      return isActiveJob(job.state, job.waitingForFile);
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

/** Whether a job's name, key or batch name contains `query` (case-insensitive; '' matches all). */
export function matchesSearch(query: string, job: Pick<JobEntry, 'name' | 'key' | 'batchName'>): boolean {
  if (query === '') return true;
  return (
    job.name.toLowerCase().includes(query) ||
    job.key.toLowerCase().includes(query) ||
    (job.batchName?.toLowerCase().includes(query) ?? false)
  );
}

const STATUS_ORDER: Record<JobEntry['state'], number> = { failed: 0, uploading: 1, queued: 2, paused: 3, completed: 4, aborted: 5 };

function sortIds(ids: readonly string[], jobs: ReadonlyMap<string, JobEntry>, sort: SortOrder): readonly string[] {
  if (sort.key === 'added') return sort.descending ? [...ids].reverse() : ids;
  const key = (job: JobEntry): number | string => {
    switch (sort.key) {
      case 'name':
        return job.name.toLowerCase();
      case 'size':
        return job.size;
      case 'progress':
        return job.state === 'completed' ? 1 : job.size > 0 ? job.bytesDone / job.size : 0;
      case 'status':
        return STATUS_ORDER[job.state];
      default:
        return 0;
    }
  };
  const keyed = ids.map((id, index) => ({ id, index, key: key(jobs.get(id)!) }));
  const direction = sort.descending ? -1 : 1;
  keyed.sort((a, b) => {
    const order = typeof a.key === 'string' ? a.key.localeCompare(b.key as string) : a.key - (b.key as number);
    return order !== 0 ? order * direction : a.index - b.index;
  });
  return keyed.map((entry) => entry.id);
}

/**
 * The ids of the jobs the list shows, in order: the filter tab, the search and the sort applied
 * (whether their batch is expanded or not). Re-sorted when states change, not per progress tick.
 */
export const selectVisibleIds = memoOn(
  (state) => [state.jobOrder, state.jobStatesVersion, state.filter, state.search, state.sort],
  (state): readonly string[] => {
    const query = state.search.trim().toLowerCase();
    const shown =
      state.filter === 'all' && query === ''
        ? state.jobOrder
        : state.jobOrder.filter((id) => {
            const job = state.jobs.get(id)!;
            return matchesFilter(state.filter, job) && matchesSearch(query, job);
          });
    return sortIds(shown, state.jobs, state.sort);
  },
);

/** The jobs of each batch (all of them, in the order added), for batches and their group rows. */
export const selectBatches = memoOn(
  (state) => [state.jobOrder],
  (state): ReadonlyMap<string, readonly string[]> => {
    const batches = new Map<string, string[]>();
    for (const id of state.jobOrder) {
      const batchId = state.jobs.get(id)?.batchId;
      if (!batchId) continue;
      let members = batches.get(batchId);
      if (!members) batches.set(batchId, (members = []));
      members.push(id);
    }
    return batches;
  },
);

/**
 * The list's rows in order: `g:BATCH` a batch of several files (one row, at its first shown job),
 * `j:ID` a job on its own, `c:ID` a job shown under its expanded batch.
 */
export const selectListItems = memoOn(
  (state) => [selectVisibleIds(state), selectBatches(state), state.expanded],
  (state): readonly string[] => {
    const visible = selectVisibleIds(state);
    const batches = selectBatches(state);
    const items: string[] = [];
    const byBatch = new Map<string, string[]>();
    const order: (string | { batch: string })[] = [];
    for (const id of visible) {
      const batchId = state.jobs.get(id)!.batchId;
      if (batchId === null || (batches.get(batchId)?.length ?? 0) < 2) {
        order.push(id);
        continue;
      }
      let shown = byBatch.get(batchId);
      if (!shown) {
        byBatch.set(batchId, (shown = []));
        order.push({ batch: batchId });
      }
      shown.push(id);
    }
    for (const entry of order) {
      if (typeof entry === 'string') {
        items.push(`j:${entry}`);
        continue;
      }
      items.push(`g:${entry.batch}`);
      if (state.expanded.has(entry.batch)) for (const id of byBatch.get(entry.batch)!) items.push(`c:${id}`);
    }
    return items;
  },
);

/** The shown jobs of one batch (filter and search applied), in the list's order. */
export function shownMembers(state: FerryState, batchId: string): readonly string[] {
  const members = new Set(selectBatches(state).get(batchId) ?? []);
  return selectVisibleIds(state).filter((id) => members.has(id));
}

export type { GroupStats, StateCensus } from './jobTally.ts';

/**
 * Every batch's figures, kept by difference as jobs change (jobTally.ts): a row reads its own entry,
 * which is a new object only when a job of its batch changed.
 */
export function selectAllGroupStats(state: FerryState): ReadonlyMap<string, GroupStats> {
  return state.jobTally.groups;
}

const NO_STATS = emptyGroupStats();

/** A batch's figures over all its files. */
export function groupStats(state: FerryState, batchId: string): GroupStats {
  return selectAllGroupStats(state).get(batchId) ?? NO_STATS;
}

/** The one state a batch's row shows: the most pressing of its files' states. */
export function groupState(stats: GroupStats): JobEntry['state'] {
  if (stats.uploading > 0) return 'uploading';
  if (stats.failed > 0) return 'failed';
  if (stats.queued > 0) return 'queued';
  if (stats.paused > 0) return 'paused';
  return stats.completed === stats.files ? 'completed' : 'aborted';
}

/** For each batch: are none, some or all of its files selected (once per change of the selection). */
export const selectGroupSelection = memoOn(
  (state) => [state.selected, selectBatches(state)],
  (state): ReadonlyMap<string, 'none' | 'some' | 'all'> => {
    const result = new Map<string, 'none' | 'some' | 'all'>();
    for (const [batchId, members] of selectBatches(state)) {
      let n = 0;
      if (state.selected.size > 0) for (const id of members) if (state.selected.has(id)) n++;
      result.set(batchId, n === 0 ? 'none' : n === members.length ? 'all' : 'some');
    }
    return result;
  },
);

/** The census of `jobs` (some of them: the selection). */
function censusOf(jobs: Iterable<JobEntry | undefined>): StateCensus {
  const byState = Object.fromEntries(JOB_STATES.map((name) => [name, 0])) as Record<JobState, number>;
  let waitingForFile = 0;
  for (const job of jobs) {
    if (!job) continue;
    byState[job.state]++;
    if (job.waitingForFile && (job.state === 'queued' || job.state === 'uploading')) waitingForFile++;
  }
  return { byState, waitingForFile };
}

/**
 * How many jobs are in each state, and how many of those queued or uploading wait for their file,
 * kept by difference (jobTally.ts): the filter tabs' counts and the toolbar's actions follow from it.
 */
export function selectCensus(state: FerryState): StateCensus {
  return state.jobTally.census;
}

export type FilterCounts = Record<JobFilter, number>;

/** How many jobs each filter tab shows. */
export const selectCounts = memoOn(
  (state) => [selectCensus(state)],
  (state): FilterCounts => {
    const { byState, waitingForFile } = selectCensus(state);
    return {
      all: state.jobOrder.length,
      active: byState.queued + byState.uploading - waitingForFile,
      paused: byState.paused,
      failed: byState.failed,
      completed: byState.completed,
    };
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
  /** Files in the list that are not aborted, and how many of them are completed. */
  files: number;
  filesDone: number;
  /** Bytes done over every job not aborted (what a speed meter samples: small files count too). */
  bytesDoneAll: number;
}

/** Total speed and what remains: from the sums kept by difference (jobTally.ts), once per change of them. */
export const selectTotals = memoOn(
  (state) => [state.jobTally.sums, state.jobTally.retries],
  (state): Totals => {
    const { sums, retries } = state.jobTally;
    let nextRetry: JobRetry | null = null;
    for (const retry of retries.values()) if (nextRetry === null || retry.nextRetryAt < nextRetry.nextRetryAt) nextRetry = retry;
    return {
      bytesPerSecond: sums.bytesPerSecond,
      remainingBytes: sums.remainingBytes,
      etaSeconds: sums.uploading + sums.queued === 0 ? null : etaSeconds(sums.remainingBytes, sums.bytesPerSecond),
      uploading: sums.uploading,
      queued: sums.queued,
      fraction: sums.size > 0 ? 1 - sums.remainingBytes / sums.size : 0,
      retrying: sums.retrying,
      nextRetry,
      waitingForFile: sums.waitingForFile,
      files: sums.files,
      filesDone: sums.filesDone,
      bytesDoneAll: sums.bytesDoneAll,
    };
  },
);

const JOB_ACTIONS = ['pause', 'resume', 'retry', 'abort', 'clear'] as const satisfies readonly JobAction[];

/** For each state, the actions that apply to a job in it (the table of shared/job.ts, read once). */
const APPLIES = Object.fromEntries(
  JOB_STATES.map((name) => [name, Object.fromEntries(JOB_ACTIONS.map((action) => [action, canApply(action, { state: name })]))]),
) as Record<JobState, Record<JobAction, boolean>>;

export type ActionCounts = Record<JobAction, number>;

/**
 * How many jobs each toolbar action applies to: those selected, or all when none is. Counted from
 * the states (no pass over the jobs without a selection); the ids are gathered on a click
 * ({@link actionTargets}).
 */
export const selectActionCounts = memoOn(
  (state) => [selectCensus(state), state.selected],
  (state): ActionCounts => {
    const { byState } = state.selected.size > 0 ? censusOf([...state.selected].map((id) => state.jobs.get(id))) : selectCensus(state);
    const result: ActionCounts = { pause: 0, resume: 0, retry: 0, abort: 0, clear: 0 };
    for (const name of JOB_STATES) for (const action of JOB_ACTIONS) if (APPLIES[name][action]) result[action] += byState[name];
    return result;
  },
);

/** The jobs `action` applies to, in the list's order: those selected, or all when none is. */
export function actionTargets(state: FerryState, action: JobAction): string[] {
  const { jobOrder, selected } = state;
  const result: string[] = [];
  for (const id of jobOrder) {
    if (selected.size > 0 && !selected.has(id)) continue;
    const job = state.jobs.get(id);
    if (job && APPLIES[job.state][action]) result.push(id);
  }
  return result;
}

/** Whether any browser job is still going (leaving the page would stop it). */
export function selectBrowserJobsRunning(state: FerryState): boolean {
  for (const job of state.jobs.values()) if (job.source === 'browser' && (job.state === 'uploading' || job.state === 'queued')) return true;
  return false;
}

/** Completed and aborted jobs: what "Clear completed" removes from the list (gathered on a click). */
export function finishedIds(state: FerryState): string[] {
  return state.jobOrder.filter((id) => {
    const job = state.jobs.get(id);
    return job !== undefined && isFinal(job.state);
  });
}

/** How many jobs "Clear completed" would remove. */
export function selectFinishedCount(state: FerryState): number {
  const { byState } = selectCensus(state);
  return byState.completed + byState.aborted;
}
