import { describe, expect, it } from 'vitest';
import { planAdoption } from '../../shared/adoptPlan.ts';
import { MiB } from '../../shared/partPlan.ts';

const parts = (...sizes: [number, number][]) => sizes.map(([partNumber, size]) => ({ partNumber, size }));

describe('planAdoption', () => {
  it('takes the part size from the parts below the highest, whatever parts are missing', () => {
    expect(planAdoption(parts([1, 8 * MiB], [3, 8 * MiB], [4, 8 * MiB]), 40 * MiB + 3)).toEqual({
      ok: true,
      partSize: 8 * MiB,
      partCount: 6,
    });
    // the short last part is there: the file must have exactly the object's size
    expect(planAdoption(parts([1, 6 * MiB], [2, 6 * MiB], [3, 100]), 12 * MiB + 100)).toEqual({
      ok: true,
      partSize: 6 * MiB,
      partCount: 3,
    });
    expect(planAdoption(parts([1, 5 * MiB]), 11 * MiB)).toEqual({ ok: true, partSize: 5 * MiB, partCount: 3 });
  });

  it('refuses, in words, a file of another size, parts of varying sizes, and what cannot be planned', () => {
    const other = planAdoption(parts([1, 6 * MiB], [2, 6 * MiB], [3, 100]), 12 * MiB + 101);
    expect(other).toEqual({ ok: false, reason: expect.stringContaining('the file has 12583013 bytes: it is not the same file') });
    expect(planAdoption(parts([1, 6 * MiB], [2, 5 * MiB], [3, 1]), 20 * MiB)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('different sizes'),
    });
    expect(planAdoption(parts([1, 8 * MiB], [2, 8 * MiB]), 10 * MiB)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('Part 2'),
    });
    expect(planAdoption(parts([4, 8 * MiB]), 80 * MiB)).toMatchObject({ ok: false, reason: expect.stringContaining('only part 4') });
    expect(planAdoption([], 80 * MiB)).toMatchObject({ ok: false, reason: expect.stringContaining('no parts') });
    expect(planAdoption(parts([1, 1 * MiB], [2, 1 * MiB]), 3 * MiB)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('minimum'),
    });
    expect(planAdoption(parts([1, 8 * MiB]), 8 * MiB)).toMatchObject({ ok: false, reason: expect.stringContaining('fits in one part') });
  });
});
