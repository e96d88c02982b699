import { describe, expect, it } from 'vitest';
import { GiB, MiB, PartPlanError, S3_MAX_OBJECT_SIZE, formatBytes, parseSize, partRange, planParts } from '../../shared/partPlan.ts';

describe('planParts', () => {
  it('sends a 0-byte file as one PutObject', () => {
    expect(planParts(0)).toEqual({ size: 0, multipart: false, partSize: 0, partCount: 1 });
  });

  it('sends files up to the part size as one PutObject and larger ones as multipart', () => {
    expect(planParts(16 * MiB).multipart).toBe(false);
    expect(planParts(16 * MiB + 1)).toEqual({ size: 16 * MiB + 1, multipart: true, partSize: 16 * MiB, partCount: 2 });
  });

  it('honours a single-put threshold below the part size', () => {
    expect(planParts(5 * MiB + 1, { preferredPartSize: 5 * MiB, singlePutThreshold: 5 * MiB })).toMatchObject({
      multipart: true,
      partCount: 2,
    });
    expect(planParts(5 * MiB, { preferredPartSize: 5 * MiB, singlePutThreshold: 5 * MiB }).multipart).toBe(false);
  });

  it('never goes below S3’s 5 MiB minimum part size', () => {
    expect(planParts(100 * MiB, { preferredPartSize: 1 * MiB }).partSize).toBe(5 * MiB);
  });

  it('grows the part size so a huge file fits in 10,000 parts', () => {
    const size = 1024 * GiB; // 1 TiB at 16 MiB would need 65,536 parts
    const plan = planParts(size);
    expect(plan.partCount).toBeLessThanOrEqual(10_000);
    expect(plan.partSize).toBe(Math.ceil(size / 10_000));
    expect(plan.partSize * (plan.partCount - 1)).toBeLessThan(size);
  });

  it('keeps every part but the last the same size, and the ranges cover the file exactly', () => {
    const plan = planParts(64 * MiB + 123, { preferredPartSize: 5 * MiB });
    let covered = 0;
    for (let n = 1; n <= plan.partCount; n++) {
      const { start, end } = partRange(plan, n);
      expect(start).toBe(covered);
      if (n < plan.partCount) expect(end - start).toBe(plan.partSize);
      else expect(end - start).toBeGreaterThan(0);
      covered = end;
    }
    expect(covered).toBe(plan.size);
  });

  it('refuses a file above the provider’s maximum object size, in words', () => {
    expect(() => planParts(S3_MAX_OBJECT_SIZE + 1)).toThrow(PartPlanError);
    expect(() => planParts(6 * GiB, { maxObjectSize: 5 * GiB })).toThrow(
      /larger than the largest object this endpoint accepts \(5\.00 GiB\)/,
    );
  });

  it('refuses a part size above 5 GiB', () => {
    expect(() => planParts(10 * GiB, { preferredPartSize: 6 * GiB })).toThrow(/above S3's maximum/);
  });

  it('says why it refuses, as a reason a caller can choose its error code from (not the words)', () => {
    const reason = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as PartPlanError).reason;
      }
      return 'no error';
    };
    expect(reason(() => planParts(6 * GiB, { maxObjectSize: 5 * GiB }))).toBe('file-too-large');
    expect(reason(() => planParts(10 * GiB, { preferredPartSize: 6 * GiB }))).toBe('part-size-too-large');
    expect(reason(() => planParts(-1))).toBe('invalid-size');
    expect(reason(() => planParts(10, { preferredPartSize: 0 }))).toBe('invalid-part-size');
  });

  it('rejects part numbers outside the plan', () => {
    const plan = planParts(20 * MiB, { preferredPartSize: 5 * MiB });
    expect(() => partRange(plan, 0)).toThrow(RangeError);
    expect(() => partRange(plan, plan.partCount + 1)).toThrow(RangeError);
  });
});

describe('sizes in words', () => {
  it('formats and parses binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(300 * MiB)).toBe('300 MiB');
    expect(parseSize('16MiB')).toBe(16 * MiB);
    expect(parseSize('8m')).toBe(8 * MiB);
    expect(parseSize('1.5 GiB')).toBe(1.5 * GiB);
    expect(parseSize('5242880')).toBe(5 * MiB);
    expect(parseSize('lots')).toBeNull();
    expect(parseSize('0')).toBeNull();
  });
});
