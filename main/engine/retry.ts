/**
 * The retry policy for every S3 request: exponential backoff with jitter and a cap. What is retried
 * is decided by the error's `retryable` flag (see s3Errors.ts): network errors, timeouts, 5xx, 429 and
 * 503 SlowDown are; authentication, permission, missing bucket and other client errors are not.
 *
 * An outage is not a failure (issue #11, defect 8): network-class errors (refused, reset, DNS,
 * timeouts) do not use up `maxAttempts`; they are retried with a backoff capped at
 * `outageMaxDelayMs` until the endpoint answers again, or until `giveUpAfterMs` has passed since the
 * first of them in a row.
 */
import { FerryError } from '../../shared/errors.ts';
import { isAbortError, toFerryError, type ErrorContext } from './s3Errors.ts';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  /** Delay scale of the first retry. */
  baseDelayMs: number;
  /** No delay exceeds this (other than during an outage). */
  maxDelayMs: number;
  /**
   * Set: an outage (network-class errors in a row) uses up no attempt and is retried until it lasted
   * this long (uploads). Unset: network errors count as attempts (quick checks that must answer now).
   */
  giveUpAfterMs?: number;
  /** During an outage no delay exceeds this. Default 60 s. */
  outageMaxDelayMs?: number;
}

export const DEFAULT_GIVE_UP_AFTER_MS = 15 * 60_000;
export const DEFAULT_OUTAGE_MAX_DELAY_MS = 60_000;

/** Quick checks use it as is; uploads add `giveUpAfterMs` (the engine's setting) to it. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 20_000 };

/** Errors that say the endpoint cannot be reached right now: an outage, retried until it ends. */
export function isNetworkClass(error: FerryError): boolean {
  return error.code === 'ENDPOINT_UNREACHABLE' || error.code === 'TIMEOUT';
}

/**
 * Delay before retry number `retry` (1 = the first retry): "equal jitter", half fixed and half
 * random, of min(cap, base × 2^(retry-1)). Throttling doubles the scale, so a server that asks to
 * slow down gets more room. https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(retry: number, policy: RetryPolicy, throttled = false, random: () => number = Math.random): number {
  const scale = policy.baseDelayMs * (throttled ? 2 : 1) * 2 ** Math.max(0, retry - 1);
  const ceiling = Math.min(policy.maxDelayMs, scale);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** A sleep that ends early, with the signal's reason, when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What a host shows about a retry: the attempt that failed and when the next one starts. */
export interface RetryNotice {
  /** The attempt that failed (1 = the first). */
  attempt: number;
  /** The last attempt, or null while an outage is retried until `giveUpAt`. */
  maxAttempts: number | null;
  delayMs: number;
  /** When an outage will be given up (ms since the epoch), or null. */
  giveUpAt: number | null;
}

export interface RetryOptions {
  signal: AbortSignal;
  policy: RetryPolicy;
  context: ErrorContext;
  /** Told about each failed attempt that will be retried. */
  onRetry?: (error: FerryError, attempt: number, delayMs: number, notice: RetryNotice) => void;
  random?: () => number;
  /**
   * During an outage: resolves as soon as the endpoint seems to answer again, so that a long backoff
   * (up to a minute) ends early and the job resumes on its own right after the outage.
   */
  whenReachable?: (signal: AbortSignal) => Promise<void>;
  /** The clock (tests). */
  now?: () => number;
}

/**
 * Runs `operation` until it succeeds, a non-retryable error occurs, the attempts run out or `signal`
 * aborts. Each attempt gets the signal. An abort always surfaces as the signal's reason, unwrapped.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { signal, policy } = options;
  const now = options.now ?? Date.now;
  const giveUpAfterMs = policy.giveUpAfterMs;
  /** Attempts that failed for other reasons than an outage: these use up maxAttempts. */
  let counted = 0;
  /** Network-class failures in a row: the outage's backoff step, and when it began. */
  let outageRetries = 0;
  let outageSince: number | null = null;
  /**
   * The endpoint answered (whenReachable) during the last outage wait: a network failure after that
   * is this request's own (a proxy that drops one kind of answer, a reset at a fixed point), not an
   * outage, and uses up an attempt like any other.
   */
  let endpointAnswered = false;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (raw) {
      if (signal.aborted) throw signal.reason;
      if (isAbortError(raw) && !(raw instanceof FerryError)) throw raw;
      const error = toFerryError(raw, options.context);
      if (!error.retryable) throw error;
      let delay: number;
      let notice: RetryNotice;
      if (giveUpAfterMs !== undefined && isNetworkClass(error) && !endpointAnswered) {
        outageSince ??= now();
        outageRetries += 1;
        const giveUpAt = outageSince + giveUpAfterMs;
        if (now() >= giveUpAt) throw gaveUp(error, giveUpAfterMs);
        const outagePolicy = { ...policy, maxDelayMs: policy.outageMaxDelayMs ?? DEFAULT_OUTAGE_MAX_DELAY_MS };
        delay = Math.min(backoffDelay(outageRetries, outagePolicy, false, options.random), Math.max(0, giveUpAt - now()));
        notice = { attempt, maxAttempts: null, delayMs: delay, giveUpAt };
      } else {
        outageSince = null;
        outageRetries = 0;
        counted += 1;
        if (counted >= policy.maxAttempts) throw error;
        delay = backoffDelay(counted, policy, error.code === 'THROTTLED', options.random);
        notice = { attempt, maxAttempts: attempt + policy.maxAttempts - counted, delayMs: delay, giveUpAt: null };
      }
      options.onRetry?.(error, attempt, delay, notice);
      endpointAnswered = false;
      if (notice.maxAttempts === null && options.whenReachable)
        endpointAnswered = await sleepUntilReachable(delay, signal, options.whenReachable);
      else await sleep(delay, signal);
    }
  }
}

/** The error an outage ends with when it lasted longer than the give-up setting. */
function gaveUp(error: FerryError, giveUpAfterMs: number): FerryError {
  return new FerryError(error.code, `${error.message} Gave up after ${formatMinutes(giveUpAfterMs)} without an answer.`, {
    cause: error,
    retryable: true,
  });
}

function formatMinutes(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const minutes = Math.round(ms / 60_000);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * Sleeps `ms`, or less if `whenReachable` resolves first; an abort of `signal` rejects as sleep does.
 * True when the endpoint answered (the wait was cut short by it).
 */
async function sleepUntilReachable(
  ms: number,
  signal: AbortSignal,
  whenReachable: (signal: AbortSignal) => Promise<void>,
): Promise<boolean> {
  const done = new AbortController();
  const both = AbortSignal.any([signal, done.signal]);
  let answered = false;
  try {
    await Promise.race([
      sleep(ms, both),
      whenReachable(both).then(
        () => {
          answered = true;
        },
        () => sleep(ms, both),
      ),
    ]);
  } finally {
    done.abort();
  }
  signal.throwIfAborted();
  return answered;
}
