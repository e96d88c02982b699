/**
 * Numbers and states in words, as the window shows them. Pure; bytes use shared/partPlan's binary
 * units so the window, the CLI and the logs agree.
 */
import { formatBytes } from '../shared/partPlan.ts';
import type { JobState } from '../shared/job.ts';
import type { JobView } from '../shared/contract.ts';

export { formatBytes };

/** "12.3 MiB/s", or an en dash when nothing moves. */
export function formatSpeed(bytesPerSecond: number): string {
  if (!(bytesPerSecond > 0)) return '–';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** "45 s", "3 min 5 s", "2 h 10 min", "3 d 4 h" left; an en dash when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    const rest = s % 60;
    return minutes < 10 && rest > 0 ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest > 0 ? `${days} d ${rest} h` : `${days} d`;
}

/** How long ago an ISO time was: "5 minutes ago", "3 days ago". */
export function formatAge(iso: string | null, now: number = Date.now()): string {
  if (iso === null) return 'Unknown';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'Unknown';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (seconds < 60) return 'Just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  const days = Math.floor(hours / 24);
  if (days < 60) return plural(days, 'day');
  return plural(Math.floor(days / 30), 'month');
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
