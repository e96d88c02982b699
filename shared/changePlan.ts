/**
 * "Send only what changed" (issue #15): a file changed after some of its parts reached the server.
 * The job's part plan is kept, extended (or cut short) to the file's new size, so that every part
 * whose bytes did not change lines up with the part the server holds, and only the others are sent
 * again. This is the plan, or the reason, in words, why it cannot fit the file as it is now (pure).
 */
import { S3_MAX_OBJECT_SIZE, S3_MAX_PARTS, formatBytes } from './partPlan.ts';

export interface PlannedJob {
  multipart: boolean;
  partSize: number;
  partCount: number;
  size: number;
}

export type ChangePlan = { ok: true; size: number; partCount: number } | { ok: false; reason: string };

/** The job's part plan for the file's new size, keeping its part size. */
export function replanForChangedFile(job: PlannedJob, newSize: number, maxObjectSize = S3_MAX_OBJECT_SIZE): ChangePlan {
  if (!job.multipart) return { ok: false, reason: 'it was sent in one request, so there are no parts to keep' };
  if (newSize > maxObjectSize) return { ok: false, reason: `the file (${formatBytes(newSize)}) is larger than the endpoint allows` };
  if (newSize <= job.partSize) {
    return {
      ok: false,
      reason: `the file shrank to ${formatBytes(newSize)}, within its first part of ${formatBytes(job.partSize)}: no part of the upload can be kept`,
    };
  }
  const partCount = Math.ceil(newSize / job.partSize);
  if (partCount > S3_MAX_PARTS) {
    return { ok: false, reason: `the file would need ${partCount} parts of ${formatBytes(job.partSize)}, more than S3's 10,000` };
  }
  return { ok: true, size: newSize, partCount };
}
