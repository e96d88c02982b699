/**
 * A job's retry, as hosts show it (issue #11, defect 8: a dead server must not look like a slow
 * upload): the attempt that failed, when the next one starts and why, in the window's row and
 * summary, `ferry jobs --json` and the CLI's progress line.
 */
import type { ErrorCode } from './errors.ts';

export interface JobRetry {
  /** The attempt that comes next (2 = the first retry). */
  attempt: number;
  /** The last attempt, or null while an outage is retried until `giveUpAt`. */
  maxAttempts: number | null;
  /** When the next attempt starts (ms since the epoch). */
  nextRetryAt: number;
  /** When an outage will be given up (ms since the epoch), or null. */
  giveUpAt: number | null;
  error: { code: ErrorCode; message: string };
}

/** Short words for why a request is retried, for "Retrying in 8 s: cannot reach the endpoint". */
export function retryReason(error: JobRetry['error']): string {
  switch (error.code) {
    case 'ENDPOINT_UNREACHABLE':
      return 'cannot reach the endpoint';
    case 'TIMEOUT':
      return 'the endpoint does not answer';
    case 'THROTTLED':
      return 'the server asked to slow down';
    case 'SERVER_ERROR':
      return 'the server failed';
    case 'CLOCK_SKEW':
      return 'the clocks differ; correcting';
    case 'INTEGRITY_MISMATCH':
      return 'a part arrived damaged';
    default: {
      const first = error.message.split(/[.:]/)[0] ?? error.message;
      return first.charAt(0).toLowerCase() + first.slice(1);
    }
  }
}

/** "Retrying in 8 s: cannot reach the endpoint (attempt 3)", or "Retrying now: …" once the wait is over. */
export function describeRetry(retry: JobRetry, now: number): string {
  const seconds = Math.ceil((retry.nextRetryAt - now) / 1000);
  const when = seconds > 0 ? `Retrying in ${seconds} s` : 'Retrying now';
  const of = retry.maxAttempts === null ? '' : ` of ${retry.maxAttempts}`;
  return `${when}: ${retryReason(retry.error)} (attempt ${retry.attempt}${of})`;
}

/** Parses a duration such as "15m", "90s", "1h", "2h30m" or "500ms" into milliseconds; null if it is not one. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = trimmed;
  if (rest === '') return null;
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|min|m|h)/.exec(rest);
    if (!match) return null;
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.slice(match[0].length).trimStart();
  }
  return Math.round(total);
}
