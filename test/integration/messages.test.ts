// Issue #11, item 12's messages: a clock skew that uploads correct is no FAILED in `endpoint test`.
import { describe, expect, inject, it } from 'vitest';
import { probeEndpoint } from '../../main/endpoints/probe.ts';
import { TEST_ENDPOINT_ID, testResolver } from '../harness/engine.ts';

const s3 = inject('s3');

describe('endpoint test with a skewed clock', () => {
  it('succeeds (as uploads do, correcting the clock) and warns about the clock', async () => {
    const realNow = Date.now;
    Date.now = () => realNow() + 20 * 60 * 1000; // 20 minutes fast: RGW, like S3, refuses more than 15
    let result;
    try {
      result = await probeEndpoint(testResolver(s3), TEST_ENDPOINT_ID);
    } finally {
      Date.now = realNow;
    }
    expect(result.error).toBeNull();
    expect(result.ok).toBe(true);
    expect(result.warnings.join(' ')).toMatch(/This computer's clock is \d+ s ahead of the server's/);
  });
});
