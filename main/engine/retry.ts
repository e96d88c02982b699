/**
 * The retry policy for every S3 request: exponential backoff with jitter and a cap. What is retried
 * is decided by the error's `retryable` flag (see s3Errors.ts): network errors, timeouts, 5xx, 429 and
 * 503 SlowDown are; authentication, permission, missing bucket and other client errors are not.
 */
import { FerryError } from '../../shared/errors.ts';
import { isAbortError, toFerryError, type ErrorContext } from './s3Errors.ts';

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  /** Delay scale of the first retry. */
  baseDelayMs: number;
  /** No delay exceeds this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 20_000 };

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

export interface RetryOptions {
  signal: AbortSignal;
  policy: RetryPolicy;
  context: ErrorContext;
  /** Told about each failed attempt that will be retried. */
  onRetry?: (error: FerryError, attempt: number, delayMs: number) => void;
  random?: () => number;
}

/**
 * Runs `operation` until it succeeds, a non-retryable error occurs, the attempts run out or `signal`
 * aborts. Each attempt gets the signal. An abort always surfaces as the signal's reason, unwrapped.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { signal, policy } = options;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (raw) {
      if (signal.aborted) throw signal.reason;
      if (isAbortError(raw) && !(raw instanceof FerryError)) throw raw;
      const error = toFerryError(raw, options.context);
      if (!error.retryable || attempt >= policy.maxAttempts) throw error;
      const delay = backoffDelay(attempt, policy, error.code === 'THROTTLED', options.random);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, signal);
    }
  }
}
