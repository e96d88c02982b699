import { describe, expect, it } from 'vitest';
import { replanForChangedFile } from '../../shared/changePlan.ts';
import { MiB } from '../../shared/partPlan.ts';

const job = { multipart: true, partSize: 16 * MiB, partCount: 64, size: 1024 * MiB };

describe('replanForChangedFile', () => {
  it('keeps the part size and extends the plan for an appended file', () => {
    expect(replanForChangedFile(job, 1034 * MiB)).toEqual({ ok: true, size: 1034 * MiB, partCount: 65 });
  });

  it('cuts the plan for a file that shrank but still spans more than one part', () => {
    expect(replanForChangedFile(job, 20 * MiB + 1)).toEqual({ ok: true, size: 20 * MiB + 1, partCount: 2 });
  });

  it('refuses in words a file that shrank into its first part, one sent in one request, and one needing over 10,000 parts', () => {
    expect(replanForChangedFile(job, 16 * MiB)).toEqual({
      ok: false,
      reason: expect.stringMatching(/shrank to 16.0 MiB, within its first part/),
    });
    expect(replanForChangedFile({ ...job, multipart: false }, 2 * MiB)).toEqual({
      ok: false,
      reason: expect.stringMatching(/one request/),
    });
    expect(replanForChangedFile({ ...job, partSize: 5 * MiB }, 10_001 * 5 * MiB)).toEqual({
      ok: false,
      reason: expect.stringMatching(/10001 parts of 5.00 MiB, more than S3's 10,000/),
    });
    expect(replanForChangedFile(job, 2000 * MiB, 1024 * MiB)).toEqual({
      ok: false,
      reason: expect.stringMatching(/larger than the endpoint allows/),
    });
  });
});
