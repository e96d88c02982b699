/**
 * `ferry verify`: does the object on the server hold exactly the bytes of a local file? Answered
 * without downloading the object, from what S3 already knows of it:
 *   - size: ContentLength;
 *   - a single-request object: its ETag is the MD5 of its bytes;
 *   - a multipart object: its ETag is md5(part MD5s)-N. The part layout comes from HeadObject with
 *     partNumber=1 (the first part's length; every part but the last has that length), so an object
 *     uploaded by any tool, with any part size, is checked by hashing the file once with that layout.
 * An ETag that is neither (SSE-KMS and SSE-C objects, some providers) cannot prove the content: the
 * answer then says so instead of claiming a match.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { FerryError } from '../../shared/errors.ts';
import { unquote } from './etag.ts';
import { fileError, scanFile } from './fileSource.ts';
import type { S3Gateway } from './gateway.ts';

export interface VerifyResult {
  /** true: same bytes; false: different; null: the server's ETag cannot tell (size matched). */
  match: boolean | null;
  method: 'md5' | 'multipart-etag' | 'size-only';
  /** Why it does not match or cannot tell, in words; null on a match. */
  reason: string | null;
  objectSize: number;
  fileSize: number;
  etag: string;
  /** The part size and count the object was uploaded with (multipart only). */
  partSize: number | null;
  partCount: number | null;
}

/** How the bytes of one candidate layout are being hashed. */
class LayoutHash {
  readonly partSize: number;
  readonly digests: Buffer[] = [];
  #hash = createHash('md5');
  #inPart = 0;

  constructor(partSize: number) {
    this.partSize = partSize;
  }

  update(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, this.partSize - this.#inPart);
      this.#hash.update(chunk.subarray(offset, offset + take));
      offset += take;
      this.#inPart += take;
      if (this.#inPart === this.partSize) this.#endPart();
    }
  }

  finish(): string {
    if (this.#inPart > 0 || this.digests.length === 0) this.#endPart();
    return this.digests.length === 1 && this.partSize === Infinity
      ? this.digests[0]!.toString('hex')
      : `${createHash('md5').update(Buffer.concat(this.digests)).digest('hex')}-${this.digests.length}`;
  }

  #endPart(): void {
    this.digests.push(this.#hash.digest());
    this.#hash = createHash('md5');
    this.#inPart = 0;
  }
}

/**
 * The ETag each candidate part size would give the file (Infinity: one request, the plain MD5),
 * reading the file once from start to end whatever the number of candidates.
 */
async function etagsOf(path: string, fileSize: number, partSizes: readonly number[], signal: AbortSignal): Promise<Map<number, string>> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(error, path);
  }
  try {
    const layouts = partSizes.map((partSize) => new LayoutHash(partSize));
    const shorter = () => new FerryError('FILE_CHANGED', `${path} became shorter while it was read.`);
    await scanFile(handle, 0, fileSize, signal, (chunk) => layouts.forEach((layout) => layout.update(chunk)), shorter);
    return new Map(layouts.map((layout) => [layout.partSize, layout.finish()]));
  } finally {
    await handle.close();
  }
}

const MB = 1_000_000;
const MIB = 1024 * 1024;
/** At most this many layouts are hashed at once (each costs one MD5 of the file). */
const MAX_CANDIDATES = 6;

/**
 * Part sizes that can cut `size` bytes into exactly `count` parts, all but the last equal: every
 * whole MiB and whole MB between ceil(size / count) and floor((size - 1) / (count - 1)), the sizes
 * tools choose. Nearest the lower bound first (the usual choice is the smallest that fits).
 */
export function candidatePartSizes(size: number, count: number): number[] {
  if (count === 1) return [Math.max(size, 1)];
  const low = Math.ceil(size / count);
  const high = Math.floor((size - 1) / (count - 1));
  const found = new Set<number>();
  for (const unit of [MIB, MB]) {
    for (let p = Math.ceil(low / unit) * unit; p <= high && found.size < MAX_CANDIDATES * 2; p += unit) found.add(p);
  }
  if (found.size === 0 && low <= high) found.add(low);
  return [...found].sort((a, b) => a - b).slice(0, MAX_CANDIDATES);
}

/** Checks the object `bucket`/`key` against the local file at `path`. */
export async function verifyObject(
  gateway: S3Gateway,
  target: { bucket: string; key: string },
  path: string,
  signal: AbortSignal,
): Promise<VerifyResult> {
  const head = (partNumber?: number) =>
    gateway.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key, PartNumber: partNumber }), {
      operation: partNumber ? 'reading the object’s part layout' : 'reading the object',
      bucket: target.bucket,
      policy: 'quick',
      signal,
    });
  let fileSize: number;
  try {
    const handle = await open(path, 'r');
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new FerryError('NOT_A_FILE', `${path} is not a regular file.`);
      fileSize = stats.size;
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw error instanceof FerryError ? error : fileError(error, path);
  }
  let object;
  try {
    object = await head();
  } catch (error) {
    const status = ((error as { cause?: { $metadata?: { httpStatusCode?: number } } }).cause ?? {}).$metadata?.httpStatusCode;
    if (status === 404) throw new FerryError('INVALID_INPUT', `There is no object s3://${target.bucket}/${target.key}.`, { cause: error });
    throw error;
  }
  const etag = unquote(object.ETag);
  const objectSize = object.ContentLength ?? -1;
  const base = { objectSize, fileSize, etag, partSize: null, partCount: null };
  if (objectSize !== fileSize) {
    return { ...base, match: false, method: 'size-only', reason: `The object has ${objectSize} bytes, the file ${fileSize}.` };
  }
  if (/^[0-9a-f]{32}$/.test(etag)) {
    const match = (await etagsOf(path, fileSize, [Infinity], signal)).get(Infinity) === etag;
    return { ...base, match, method: 'md5', reason: match ? null : 'The object holds other bytes (its MD5 differs from the file’s).' };
  }
  const multipart = /^([0-9a-f]{32})-(\d+)$/.exec(etag);
  if (!multipart) {
    return {
      ...base,
      match: null,
      method: 'size-only',
      reason:
        'The size matches, but the server’s ETag is not an MD5 (encrypted object or another provider’s scheme): the content cannot be checked without downloading it.',
    };
  }
  const partCount = Number(multipart[2]);
  // S3 tells the first part's length (HeadObject partNumber=1); Ceph RGW 16 ignores partNumber and
  // answers with the whole object, so the layouts that fit the size and the count are tried as well.
  const candidates = new Set(candidatePartSizes(fileSize, partCount));
  try {
    const first = await head(1);
    const told = first.ContentLength ?? 0;
    if (told > 0 && told < fileSize && Math.ceil(fileSize / told) === partCount) {
      candidates.clear();
      candidates.add(told);
    }
  } catch {
    // a server that refuses partNumber: the candidates stand
  }
  if (candidates.size === 0) {
    return {
      ...base,
      partCount,
      match: null,
      method: 'size-only',
      reason: `The size matches, but no part size cuts ${fileSize} bytes into ${partCount} parts.`,
    };
  }
  const etags = await etagsOf(path, fileSize, [...candidates], signal);
  const found = [...etags].find(([, computed]) => computed === etag);
  if (found) return { ...base, partSize: found[0], partCount, match: true, method: 'multipart-etag', reason: null };
  return {
    ...base,
    partSize: candidates.size === 1 ? [...candidates][0]! : null,
    partCount,
    match: candidates.size === 1 ? false : null,
    method: 'multipart-etag',
    reason:
      candidates.size === 1
        ? `The object holds other bytes (its multipart ETag differs from the file’s, hashed as ${partCount} parts).`
        : `The object's multipart ETag matches none of the ${candidates.size} part layouts that fit ${partCount} parts: the bytes differ, or it was uploaded with an unusual part size.`,
  };
}
