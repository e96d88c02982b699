/**
 * Adopting an incomplete multipart upload that another tool (or a crashed Ferry) left behind: from
 * the parts the server holds and the size of a local file, the one part plan that both fit, or the
 * reason, in words, why the upload cannot be finished with that file (pure).
 *
 * S3 requires every part but the last to be the same size (R2 enforces it; every uploader does it),
 * so the parts below the highest number give the part size, and the highest one, when it is
 * shorter, gives the object's total size. A file that does not fit is refused before anything is sent.
 */
import { S3_MAX_PARTS, S3_MIN_PART_SIZE, formatBytes } from './partPlan.ts';

export interface ServerPart {
  partNumber: number;
  size: number;
}

export type AdoptionPlan = { ok: true; partSize: number; partCount: number } | { ok: false; reason: string };

export function planAdoption(parts: readonly ServerPart[], fileSize: number): AdoptionPlan {
  if (parts.length === 0) return { ok: false, reason: 'The upload holds no parts yet: there is nothing to keep. Upload the file anew.' };
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  const highest = sorted.at(-1)!;
  const lower = sorted.slice(0, -1);
  const sizes = new Set(lower.map((part) => part.size));
  if (sizes.size > 1) {
    return {
      ok: false,
      reason: `Its parts have different sizes (${[...sizes].map(formatBytes).join(', ')}): no single part plan fits them.`,
    };
  }
  let partSize: number;
  if (sizes.size === 1) {
    partSize = [...sizes][0]!;
    if (highest.size > partSize) {
      return {
        ok: false,
        reason: `Part ${highest.partNumber} (${formatBytes(highest.size)}) is larger than the others (${formatBytes(partSize)}).`,
      };
    }
  } else if (highest.partNumber === 1) {
    partSize = highest.size; // one part, numbered 1: a full part (a shorter one would be the whole object)
  } else {
    return { ok: false, reason: `It holds only part ${highest.partNumber}: the part size cannot be told from it.` };
  }
  if (partSize < S3_MIN_PART_SIZE) {
    return { ok: false, reason: `Its parts are ${formatBytes(partSize)}, below S3's minimum part size: it cannot be completed.` };
  }
  if (fileSize <= partSize) {
    return { ok: false, reason: `The file (${formatBytes(fileSize)}) fits in one part: there is nothing to keep. Upload it anew.` };
  }
  const partCount = Math.ceil(fileSize / partSize);
  if (partCount > S3_MAX_PARTS) {
    return { ok: false, reason: `The file would need ${partCount} parts of ${formatBytes(partSize)}, more than S3's 10,000.` };
  }
  for (const part of sorted) {
    const expected = part.partNumber < partCount ? partSize : fileSize - (partCount - 1) * partSize;
    if (part.partNumber > partCount || part.size !== expected) {
      const total = highest.size < partSize ? (highest.partNumber - 1) * partSize + highest.size : null;
      return {
        ok: false,
        reason:
          total !== null
            ? `The upload is of a ${formatBytes(total)} (${total} bytes) object; the file has ${fileSize} bytes: it is not the same file.`
            : `Part ${part.partNumber} (${formatBytes(part.size)}) does not fit a file of ${fileSize} bytes cut into ${formatBytes(partSize)} parts: it is not the same file.`,
      };
    }
  }
  return { ok: true, partSize, partCount };
}
