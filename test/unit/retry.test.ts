import { describe, expect, it, vi } from 'vitest';
import { backoffDelay, sleep, withRetry, type RetryPolicy } from '../../main/engine/retry.ts';
import { toFerryError } from '../../main/engine/s3Errors.ts';
import { FerryError } from '../../shared/errors.ts';
import { describeRetry, parseDuration } from '../../shared/retry.ts';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 };
const context = { operation: 'uploading part 1', bucket: 'b', endpoint: 'test' };

/** An SDK-shaped service error. */
function serviceError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('backoffDelay', () => {
  const wide: RetryPolicy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 5000 };
  it('grows exponentially, half fixed and half random', () => {
    expect(backoffDelay(1, wide, false, () => 0)).toBe(50);
    expect(backoffDelay(1, wide, false, () => 1)).toBe(100);
    expect(backoffDelay(3, wide, false, () => 0)).toBe(200);
    expect(backoffDelay(3, wide, false, () => 1)).toBe(400);
  });
  it('never exceeds the cap', () => {
    for (let retry = 1; retry < 30; retry++) expect(backoffDelay(retry, wide, true, () => 1)).toBeLessThanOrEqual(5000);
  });
  it('waits longer when the server throttles', () => {
    expect(backoffDelay(2, wide, true, () => 0)).toBe(2 * backoffDelay(2, wide, false, () => 0));
  });
});

describe('withRetry', () => {
  it('retries network errors, 5xx, 429 and SlowDown, then succeeds', async () => {
    const failures = [
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      serviceError('InternalError', 500),
      serviceError('SlowDown', 503),
      serviceError('TooManyRequests', 429),
    ];
    const operation = vi.fn(async () => {
      const next = failures.shift();
      if (next) throw next;
      return 'ok';
    });
    const onRetry = vi.fn();
    const result = await withRetry(operation, {
      signal: new AbortController().signal,
      policy: { ...policy, maxAttempts: 5 },
      context,
      onRetry,
    });
    expect(result).toBe('ok');
    expect(operation).toHaveBeenCalledTimes(5);
    expect(onRetry.mock.calls.map((call) => (call[0] as FerryError).code)).toEqual([
      'ENDPOINT_UNREACHABLE',
      'SERVER_ERROR',
      'THROTTLED',
      'THROTTLED',
    ]);
  });

  it.each([
    ['InvalidAccessKeyId', 403, 'AUTH_INVALID_KEY_ID'],
    ['SignatureDoesNotMatch', 403, 'AUTH_BAD_SECRET'],
    ['AccessDenied', 403, 'ACCESS_DENIED'],
    ['NoSuchBucket', 404, 'NO_SUCH_BUCKET'],
    ['InvalidPart', 400, 'REQUEST_REJECTED'],
  ])('fails at once on %s without a retry', async (name, status, code) => {
    const operation = vi.fn(async () => {
      throw serviceError(name, status);
    });
    await expect(withRetry(operation, { signal: new AbortController().signal, policy, context })).rejects.toMatchObject({ code });
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const operation = vi.fn(async () => {
      throw serviceError('InternalError', 500);
    });
    await expect(withRetry(operation, { signal: new AbortController().signal, policy, context })).rejects.toMatchObject({
      code: 'SERVER_ERROR',
    });
    expect(operation).toHaveBeenCalledTimes(4);
  });

  it('stops at once with the abort reason when the signal aborts, even mid-backoff', async () => {
    const controller = new AbortController();
    const reason = new Error('paused');
    const operation = vi.fn(async () => {
      setTimeout(() => controller.abort(reason), 5);
      throw serviceError('InternalError', 500);
    });
    await expect(
      withRetry(operation, { signal: controller.signal, policy: { maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 }, context }),
    ).rejects.toBe(reason);
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it('sleep rejects with the signal reason', async () => {
    const controller = new AbortController();
    controller.abort('why');
    await expect(sleep(1000, controller.signal)).rejects.toBe('why');
  });
});

describe('toFerryError', () => {
  it('says in words what is wrong, naming the bucket and region', () => {
    expect(toFerryError(serviceError('NoSuchBucket', 404), context).message).toBe('The bucket "b" does not exist on the endpoint "test".');
    const redirect = Object.assign(serviceError('PermanentRedirect', 301), {
      $response: { headers: { 'x-amz-bucket-region': 'eu-west-1' } },
    });
    expect(toFerryError(redirect, context)).toMatchObject({ code: 'WRONG_REGION', message: expect.stringContaining('eu-west-1') });
  });
  it('treats clock skew as retryable (the SDK corrects its clock offset from the server Date)', () => {
    expect(toFerryError(serviceError('RequestTimeTooSkewed', 403), context)).toMatchObject({ code: 'CLOCK_SKEW', retryable: true });
  });
  it('refuses TLS errors without retry', () => {
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(toFerryError(tls, context)).toMatchObject({ code: 'TLS_ERROR', retryable: false });
  });
});

describe('an outage (issue #11, defect 8)', () => {
  const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

  it('uses up no attempt: network errors are retried past maxAttempts until the endpoint answers', async () => {
    let calls = 0;
    const notices: (number | null)[] = [];
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls <= 12) throw refused();
        return 'ok';
      },
      {
        signal: new AbortController().signal,
        policy: { ...policy, giveUpAfterMs: 60_000, outageMaxDelayMs: 4 },
        context,
        onRetry: (_error, _attempt, _delay, notice) => notices.push(notice.maxAttempts),
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(13); // maxAttempts is 4
    expect(notices.every((max) => max === null)).toBe(true);
  });

  it('without giveUpAfterMs (quick checks), network errors count as attempts as before', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw refused();
        },
        { signal: new AbortController().signal, policy, context },
      ),
    ).rejects.toMatchObject({ code: 'ENDPOINT_UNREACHABLE' });
    expect(calls).toBe(4);
  });

  it('gives up in words once the outage lasted giveUpAfterMs, and caps the backoff at outageMaxDelayMs', async () => {
    let clock = 0;
    const delays: number[] = [];
    const promise = withRetry(
      async () => {
        throw refused();
      },
      {
        signal: new AbortController().signal,
        policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, outageMaxDelayMs: 8, giveUpAfterMs: 90_000 },
        context,
        random: () => 1,
        now: () => clock,
        onRetry: (_error, _attempt, delay) => {
          delays.push(delay);
          clock += 10_000; // ten seconds pass per attempt
        },
      },
    );
    await expect(promise).rejects.toMatchObject({
      code: 'ENDPOINT_UNREACHABLE',
      message: expect.stringMatching(/Gave up after 2 minutes without an answer\.$/),
    });
    expect(Math.max(...delays)).toBe(8);
    expect(delays.length).toBe(9);
  });

  // (a 5-10 minute backoff: without the early end, the test times out)
  it('a long backoff ends as soon as the endpoint is reachable again', async () => {
    let calls = 0;
    let reachableAsked = 0;
    await withRetry(
      async () => {
        calls += 1;
        if (calls === 1) throw refused();
        return 'ok';
      },
      {
        signal: new AbortController().signal,
        policy: { maxAttempts: 2, baseDelayMs: 600_000, maxDelayMs: 600_000, outageMaxDelayMs: 600_000, giveUpAfterMs: 3_600_000 },
        context,
        whenReachable: async () => {
          reachableAsked += 1;
        },
      },
    );
    expect(calls).toBe(2);
    expect(reachableAsked).toBe(1);
  });

  // a proxy that drops every answer to one request (a lost CompleteMultipartUpload): the endpoint
  // answers, so it is no outage, and the attempts run out instead of retrying for the give-up time
  it('a request that fails while the endpoint answers uses up attempts, even with a network error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls += 1;
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        },
        {
          signal: new AbortController().signal,
          policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, outageMaxDelayMs: 1, giveUpAfterMs: 3_600_000 },
          context,
          whenReachable: async () => undefined,
        },
      ),
    ).rejects.toMatchObject({ code: 'ENDPOINT_UNREACHABLE' });
    // outage retry, then a counted one, alternately, until three are counted
    expect(calls).toBe(6);
  });
});

describe('retry words', () => {
  it('says when, why and which attempt', () => {
    const retry = {
      attempt: 3,
      maxAttempts: null,
      nextRetryAt: 10_000,
      giveUpAt: null,
      error: { code: 'ENDPOINT_UNREACHABLE' as const, message: 'x' },
    };
    expect(describeRetry(retry, 2_000)).toBe('Retrying in 8 s: cannot reach the endpoint (attempt 3)');
    expect(describeRetry({ ...retry, maxAttempts: 8 }, 10_500)).toBe('Retrying now: cannot reach the endpoint (attempt 3 of 8)');
  });
  it('parses durations', () => {
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('')).toBeNull();
  });
});
