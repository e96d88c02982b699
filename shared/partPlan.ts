/**
 * Part-size arithmetic for S3 multipart upload (pure).
 *
 * S3's rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html): part numbers 1..10,000,
 * parts 5 MiB..5 GiB except the last, which may be smaller. Every part but the last has the same size
 * because Cloudflare R2 rejects unequal parts. The chosen part size is stored in the job, so a resume
 * reuses the plan even if defaults change.
 */

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;
export const TiB = 1024 * GiB;

export const S3_MIN_PART_SIZE = 5 * MiB;
export const S3_MAX_PART_SIZE = 5 * GiB;
export const S3_MAX_PARTS = 10_000;
/** AWS's documented maximum object size: 10,000 parts of 5 GiB (~48.8 TiB). */
export const S3_MAX_OBJECT_SIZE = S3_MAX_PARTS * S3_MAX_PART_SIZE;
/** PutObject accepts at most 5 GiB in one request. */
export const S3_MAX_PUT_SIZE = 5 * GiB;
export const DEFAULT_PART_SIZE = 16 * MiB;

export interface PartPlanOptions {
  /** The part size the user or the defaults ask for. */
  preferredPartSize?: number;
  /** Files of at most this many bytes go up as one PutObject. Default: the part size. */
  singlePutThreshold?: number;
  /** The provider's minimum part size (S3: 5 MiB). */
  minPartSize?: number;
  /** The provider's maximum object size (S3: ~48.8 TiB). */
  maxObjectSize?: number;
}

/** How a file of a given size is cut. `multipart: false` means one PutObject (partCount 1). */
export interface PartPlan {
  size: number;
  multipart: boolean;
  partSize: number;
  partCount: number;
}

/** Why a file cannot be planned: callers choose their error code from this, never from the message. */
export type PartPlanErrorReason = 'invalid-size' | 'invalid-part-size' | 'part-size-too-large' | 'file-too-large';

export class PartPlanError extends Error {
  readonly reason: PartPlanErrorReason;
  constructor(reason: PartPlanErrorReason, message: string) {
    super(message);
    this.name = 'PartPlanError';
    this.reason = reason;
  }
}

/** Computes the plan for a file of `size` bytes, or throws PartPlanError if it cannot be uploaded. */
export function planParts(size: number, options: PartPlanOptions = {}): PartPlan {
  if (!Number.isSafeInteger(size) || size < 0) throw new PartPlanError('invalid-size', `Invalid file size: ${size}`);
  const minPartSize = options.minPartSize ?? S3_MIN_PART_SIZE;
  const maxObjectSize = Math.min(options.maxObjectSize ?? S3_MAX_OBJECT_SIZE, S3_MAX_OBJECT_SIZE);
  const preferred = options.preferredPartSize ?? DEFAULT_PART_SIZE;
  if (!Number.isSafeInteger(preferred) || preferred <= 0) throw new PartPlanError('invalid-part-size', `Invalid part size: ${preferred}`);
  if (preferred > S3_MAX_PART_SIZE) {
    throw new PartPlanError('part-size-too-large', `The part size ${formatBytes(preferred)} is above S3's maximum of 5 GiB.`);
  }
  if (size > maxObjectSize) {
    throw new PartPlanError(
      'file-too-large',
      `The file is ${formatBytes(size)}, larger than the largest object this endpoint accepts (${formatBytes(maxObjectSize)}).`,
    );
  }
  const partSize = Math.min(S3_MAX_PART_SIZE, Math.max(preferred, minPartSize, Math.ceil(size / S3_MAX_PARTS)));
  const threshold = Math.min(options.singlePutThreshold ?? partSize, S3_MAX_PUT_SIZE);
  if (size <= threshold) return { size, multipart: false, partSize: size, partCount: 1 };
  const partCount = Math.ceil(size / partSize);
  return { size, multipart: true, partSize, partCount };
}

/** Byte range [start, end) of part `partNumber` (1-based). */
export function partRange(plan: PartPlan, partNumber: number): { start: number; end: number } {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) {
    throw new RangeError(`Part ${partNumber} is outside 1..${plan.partCount}`);
  }
  const start = (partNumber - 1) * plan.partSize;
  return { start, end: Math.min(plan.size, start + plan.partSize) };
}

/** Human-readable byte count in binary units (1.5 MiB). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(bytes)} B`;
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${units[unit]}`;
}

/** Parses "16MiB", "16M", "8 mb", "5242880" into bytes (binary units). Returns null when invalid. */
export function parseSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b?)\s*$/i.exec(text);
  if (!match) return null;
  const factor = { '': 1, k: KiB, m: MiB, g: GiB, t: TiB }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const value = Math.round(Number(match[1]) * factor);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}
