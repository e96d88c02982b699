/**
 * Numbers and states in words, as the window shows them. Pure; bytes use shared/partPlan's binary
 * units so the window, the CLI and the logs agree.
 */
import { formatBytes } from '../shared/partPlan.ts';
import { formatAge, formatDuration } from '../shared/time.ts';
import type { JobState } from '../shared/job.ts';
import type { JobView } from '../shared/contract.ts';
import type { GroupStats } from './store/jobTally.ts';
import type { PendingAction } from './store/uiSlice.ts';

export { formatAge, formatBytes, formatDuration };

/** "12.3 MiB/s", or an en dash when nothing moves. */
export function formatSpeed(bytesPerSecond: number): string {
  if (!(bytesPerSecond > 0)) return '–';
  return `${formatBytes(bytesPerSecond)}/s`;
}

const STATE_WORDS: { readonly [S in JobState]: string } = {
  queued: 'Queued',
  uploading: 'Uploading',
  paused: 'Paused',
  failed: 'Failed',
  completed: 'Completed',
  aborted: 'Aborted',
};

/** The job's state in words, as the Status column shows it. */
export function stateWords(state: JobState): string {
  return STATE_WORDS[state];
}

const PENDING_WORDS: Record<PendingAction, string> = {
  pausing: 'Pausing…',
  aborting: 'Aborting…',
  resuming: 'Resuming…',
  retrying: 'Retrying…',
};

/**
 * A job's Status cell in words (its full row and its light row alike): an action just asked for
 * ("Pausing…"), a retry's wait, a wait for its file or for an answer, else its state.
 */
export function jobStatusWords(
  job: Pick<JobView, 'state' | 'retry' | 'waitingForFile' | 'waitingForAnswer'>,
  pending: PendingAction | null,
): string {
  if (pending) return PENDING_WORDS[pending];
  if (job.state === 'uploading' && job.retry) return 'Retrying';
  if (job.waitingForFile) return 'Waiting for file';
  if (job.waitingForAnswer === true) return 'Waiting for answer';
  return stateWords(job.state);
}

/** "312 of 2,000 files": a batch's files done of all. */
export function groupFilesText(stats: Pick<GroupStats, 'completed' | 'files'>): string {
  return `${stats.completed.toLocaleString('en-US')} of ${stats.files.toLocaleString('en-US')} files`;
}

/** A batch's Status cell in words: "3 failed, 2 paused", else Completed when all are, else an en dash. */
export function groupStatusWords(stats: Pick<GroupStats, 'summary' | 'completed' | 'files'>): string {
  if (stats.summary !== '') return stats.summary;
  return stats.completed === stats.files ? 'Completed' : '–';
}

/** What a browser job waiting for its file tells the user to do. */
export const WAITING_FOR_FILE_HINT = 'Waiting for its file — drop it again to resume';

/** The detail line under a job's progress: the error or hint, else bytes done of size. */
export function jobDetail(job: Pick<JobView, 'state' | 'size' | 'bytesDone' | 'error' | 'waitingForFile'>): string {
  if (job.waitingForFile) return WAITING_FOR_FILE_HINT;
  if (job.state === 'failed' && job.error) return job.error.message;
  if (job.state === 'completed') return formatBytes(job.size);
  return `${formatBytes(job.bytesDone)} of ${formatBytes(job.size)}`;
}

/** Whole-number percentage, 0..100 (an empty file that is done is 100). */
export function percent(bytesDone: number, size: number, done = false): number {
  if (done) return 100;
  if (size <= 0) return 0;
  return Math.max(0, Math.min(100, Math.floor((bytesDone / size) * 100)));
}

/** "1 upload", "3 uploads". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
