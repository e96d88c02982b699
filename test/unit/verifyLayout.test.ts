import { describe, expect, it } from 'vitest';
import { candidatePartSizes } from '../../main/engine/verify.ts';

const MiB = 1024 * 1024;

describe('candidatePartSizes', () => {
  it('finds the part sizes tools choose that cut the size into exactly that many parts', () => {
    // 21 MiB + 5 bytes in 4 parts: 6 MiB and 7 MiB (whole MiB), 6 MB and 7 MB (whole MB)
    expect(candidatePartSizes(21 * MiB + 5, 4)).toEqual([6_000_000, 6 * MiB, 7_000_000, 7 * MiB]);
    // a 1 GiB file in 128 parts: only 8 MiB fits
    expect(candidatePartSizes(1024 * MiB, 128)).toEqual([8 * MiB]);
    expect(candidatePartSizes(10, 1)).toEqual([10]);
  });

  it('gives none when no equal-part layout fits (the caller then says it cannot prove the content)', () => {
    // 3 parts of a 10-byte object: ceil(10/3) = 4 ... floor(9/2) = 4, no whole MiB or MB there: the exact size is offered
    expect(candidatePartSizes(10, 3)).toEqual([4]);
    // 5 bytes cannot make 6 parts
    expect(candidatePartSizes(5, 6)).toEqual([]);
  });
});
