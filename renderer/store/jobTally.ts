/**
 * What the summary, the filter tabs and the group rows add up over all jobs, kept by difference
 * (issue #13, smooth under load). A write that changes 40 jobs of 10,000 takes those 40 out as they
 * were and puts them back as they are: the work of a frame follows what changed, not the number of
 * jobs. Before, every write summed all 10,000 again, three times (totals, groups, states).
 *
 * Only sums and counts are kept this way; what is not a sum (the retry that comes first) is taken
 * from the few jobs it concerns. A tally from scratch ({@link tallyJobs}) and one kept by difference
 * ({@link retallyJobs}) agree: the tests check it on random sequences of changes.
 */
import { JOB_STATES, type JobState } from '../../shared/job.ts';
import type { JobRetry } from '../../shared/retry.ts';
import type { JobEntry } from './jobsSlice.ts';

/** Sums over every job, for the transfer summary and the window title. */
export interface JobSums {
  /** Jobs not aborted, and how many of them are completed. */
  files: number;
  filesDone: number;
  /** Bytes done over every job not aborted. */
  bytesDoneAll: number;
  /** Queued or uploading jobs waiting for their file (browser host): neither uploading nor queued below. */
  waitingForFile: number;
  uploading: number;
  queued: number;
  /** Uploading jobs waiting to retry (their speed is not counted). */
  retrying: number;
  bytesPerSecond: number;
  /** Bytes left, and bytes in all, of the queued and uploading jobs. */
  remainingBytes: number;
  size: number;
}

/** How many jobs are in each state, and how many queued or uploading ones wait for their file. */
export interface StateCensus {
  byState: Record<JobState, number>;
  waitingForFile: number;
}

/** One batch's figures over all its files. */
export interface GroupStats {
  name: string;
  files: number;
  completed: number;
  size: number;
  bytesDone: number;
  /** "3 failed, 2 paused": the states other than completed, most urgent first. */
  summary: string;
  uploading: number;
  queued: number;
  paused: number;
  failed: number;
  aborted: number;
  /** Paused files whose key exists, waiting for Replace, Skip or Keep both (issue #12). */
  waitingForAnswer: number;
  /** Sum of the running files' speeds. */
  bytesPerSecond: number;
}

/**
 * Each part is a new object when it changed and the same one when not, so that what reads one part
 * (a group row its batch's stats, the tabs the census) re-renders only when that part moved.
 */
export interface JobTally {
  sums: JobSums;
  census: StateCensus;
  groups: ReadonlyMap<string, GroupStats>;
  /** The retries of the uploading jobs waiting to retry, by job. */
  retries: ReadonlyMap<string, JobRetry>;
}

export function emptyGroupStats(): GroupStats {
  return {
    name: 'Files',
    files: 0,
    completed: 0,
    size: 0,
    bytesDone: 0,
    summary: '',
    uploading: 0,
    queued: 0,
    paused: 0,
    failed: 0,
    aborted: 0,
    waitingForAnswer: 0,
    bytesPerSecond: 0,
  };
}

function emptySums(): JobSums {
  return {
    files: 0,
    filesDone: 0,
    bytesDoneAll: 0,
    waitingForFile: 0,
    uploading: 0,
    queued: 0,
    retrying: 0,
    bytesPerSecond: 0,
    remainingBytes: 0,
    size: 0,
  };
}

function emptyCensus(): StateCensus {
  return { byState: Object.fromEntries(JOB_STATES.map((name) => [name, 0])) as Record<JobState, number>, waitingForFile: 0 };
}

/** Whether a job waits for its file while it would be queued or uploading (the browser host). */
function waitsForFile(job: JobEntry): boolean {
  return job.waitingForFile && (job.state === 'queued' || job.state === 'uploading');
}

/**
 * A job's speed as summed: whole bytes per second. Speeds are smoothed averages (fractions); added
 * and taken out again, fractions leave a residue (a stalled upload read as 2e-10 B/s, "0 B/s" in the
 * title instead of "–"), whole numbers do not. A fraction of a byte per second is never shown.
 */
function speedOf(job: JobEntry): number {
  return Math.round(job.bytesPerSecond);
}

/** Adds `job` to the sums (`sign` 1), or takes it out (-1). */
function addToSums(sums: JobSums, job: JobEntry, sign: 1 | -1): void {
  if (job.state !== 'aborted') {
    sums.files += sign;
    if (job.state === 'completed') {
      sums.filesDone += sign;
      sums.bytesDoneAll += sign * job.size;
    } else sums.bytesDoneAll += sign * job.bytesDone;
  }
  if (waitsForFile(job)) {
    sums.waitingForFile += sign;
    return;
  }
  if (job.state === 'uploading') {
    sums.uploading += sign;
    if (job.retry) sums.retrying += sign;
    else sums.bytesPerSecond += sign * speedOf(job);
  } else if (job.state === 'queued') sums.queued += sign;
  else return;
  sums.remainingBytes += sign * Math.max(0, job.size - job.bytesDone);
  sums.size += sign * job.size;
}

function addToCensus(census: StateCensus, job: JobEntry, sign: 1 | -1): void {
  census.byState[job.state] += sign;
  if (waitsForFile(job)) census.waitingForFile += sign;
}

function addToGroup(stats: GroupStats, job: JobEntry, sign: 1 | -1): void {
  stats.files += sign;
  if (sign > 0) stats.name = job.batchName ?? stats.name;
  stats.size += sign * job.size;
  stats.bytesDone += sign * (job.state === 'completed' ? job.size : job.bytesDone);
  if (job.state === 'completed') stats.completed += sign;
  else stats[job.state] += sign;
  if (job.state === 'uploading') stats.bytesPerSecond += sign * speedOf(job);
  if (job.waitingForAnswer) stats.waitingForAnswer += sign;
}

/** The group's summary in words. */
function finishGroup(stats: GroupStats): void {
  if (stats.uploading === 0) stats.bytesPerSecond = 0;
  const parts: string[] = [];
  // the files whose key exists ask first: nothing of them is sent until answered (issue #12)
  if (stats.waitingForAnswer > 0) parts.push(`${stats.waitingForAnswer.toLocaleString('en-US')} exist: answer to go on`);
  for (const state of ['failed', 'uploading', 'queued', 'paused', 'aborted'] as const)
    if (stats[state] > 0) parts.push(`${stats[state].toLocaleString('en-US')} ${state}`);
  stats.summary = parts.join(', ');
}

function finishSums(sums: JobSums): void {
  if (sums.uploading === sums.retrying) sums.bytesPerSecond = 0;
}

/** The tally of `jobs`, from scratch (a snapshot). */
export function tallyJobs(jobs: Iterable<JobEntry>): JobTally {
  const sums = emptySums();
  const census = emptyCensus();
  const groups = new Map<string, GroupStats>();
  const retries = new Map<string, JobRetry>();
  for (const job of jobs) {
    addToSums(sums, job, 1);
    addToCensus(census, job, 1);
    if (job.batchId !== null) {
      let stats = groups.get(job.batchId);
      if (!stats) groups.set(job.batchId, (stats = emptyGroupStats()));
      addToGroup(stats, job, 1);
    }
    if (job.state === 'uploading' && job.retry && !waitsForFile(job)) retries.set(job.id, job.retry);
  }
  finishSums(sums);
  for (const stats of groups.values()) finishGroup(stats);
  return { sums, census, groups, retries };
}

/** One job's change: as it was (undefined: new) and as it is (undefined: removed). */
export type JobChange = readonly [before: JobEntry | undefined, after: JobEntry | undefined];

/** `tally` after `changes`, applied in order: only the changed jobs are looked at. */
export function retallyJobs(tally: JobTally, changes: readonly JobChange[]): JobTally {
  if (changes.length === 0) return tally;
  const sums = { ...tally.sums };
  let census: StateCensus | null = null;
  let groups: Map<string, GroupStats> | null = null;
  /** The batches whose stats were copied in this call (and are changed in place from then on). */
  const touched = new Set<string>();
  let retries: Map<string, JobRetry> | null = null;

  const group = (batchId: string): GroupStats => {
    groups ??= new Map(tally.groups);
    let stats = groups.get(batchId);
    if (!touched.has(batchId)) {
      touched.add(batchId);
      stats = stats ? { ...stats } : emptyGroupStats();
      groups.set(batchId, stats);
    }
    return stats!;
  };

  for (const [before, after] of changes) {
    if (before) addToSums(sums, before, -1);
    if (after) addToSums(sums, after, 1);
    if (before?.state !== after?.state || (before !== undefined && after !== undefined && waitsForFile(before) !== waitsForFile(after))) {
      census ??= { byState: { ...tally.census.byState }, waitingForFile: tally.census.waitingForFile };
      if (before) addToCensus(census, before, -1);
      if (after) addToCensus(census, after, 1);
    }
    if (before?.batchId) addToGroup(group(before.batchId), before, -1);
    if (after?.batchId) addToGroup(group(after.batchId), after, 1);
    const id = (after ?? before)!.id;
    const retry = after && after.state === 'uploading' && !waitsForFile(after) ? after.retry : null;
    const current = (retries ?? tally.retries).get(id) ?? null;
    if (retry !== current) {
      retries ??= new Map(tally.retries);
      if (retry) retries.set(id, retry);
      else retries.delete(id);
    }
  }
  finishSums(sums);
  if (groups !== null) {
    const written: Map<string, GroupStats> = groups;
    for (const batchId of touched) {
      const stats = written.get(batchId)!;
      if (stats.files === 0) written.delete(batchId);
      else finishGroup(stats);
    }
  }
  return { sums, census: census ?? tally.census, groups: groups ?? tally.groups, retries: retries ?? tally.retries };
}
