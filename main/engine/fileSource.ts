/**
 * Reading the local file: its fingerprint, and parts read by offset through one open file
 * descriptor. Each part is read once into a buffer, hashed, and sent from that buffer, so the bytes
 * sent are exactly the bytes hashed, from the file the upload opened (a file replaced by rename or
 * deleted mid-upload cannot slip other bytes in), and each byte is read from disk once. Memory is
 * parts in flight x part size, bounded by the engine's request limit; buffers of a part's size are
 * reused from a small pool.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { FerryError, FileChangedError } from '../../shared/errors.ts';
import { fingerprintDifference, type FileFingerprint } from '../../shared/job.ts';
import { bufferBody, md5Of, type Md5, type PartSource, type PreparedPart } from './partSource.ts';

/** Bytes read from disk per read call when only hashing (adopting a part the store missed). */
export const READ_CHUNK = 1024 * 1024;

/** Buffers below this size are not pooled (Node's allocator handles small ones well). */
const POOL_MIN = 1024 * 1024;
/** Idle buffers kept per size: enough for a busy moment's parts, not a second copy of them all. */
const POOL_KEEP = 4;
const pool = new Map<number, Buffer[]>();

function acquireBuffer(size: number): Buffer {
  const free = size >= POOL_MIN ? pool.get(size)?.pop() : undefined;
  return free ?? Buffer.allocUnsafe(size);
}

function releaseBuffer(buffer: Buffer): void {
  if (buffer.length < POOL_MIN) return;
  const free = pool.get(buffer.length) ?? [];
  if (free.length >= POOL_KEEP) return;
  free.push(buffer);
  pool.set(buffer.length, free);
}

/** The part-buffer pool's idle buffers (for tests). */
export function pooledBuffers(): number {
  let count = 0;
  for (const free of pool.values()) count += free.length;
  return count;
}

export function fingerprintOf(stats: BigIntStats): FileFingerprint {
  return {
    size: Number(stats.size),
    mtimeMs: Number(stats.mtimeNs / 1000n) / 1000,
    ino: stats.ino.toString(),
    ctimeMs: Number(stats.ctimeNs / 1000n) / 1000,
  };
}

/** Maps file-system errors to Ferry's words. */
export function fileError(error: unknown, path: string): FerryError {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return new FerryError('FILE_NOT_FOUND', `The file does not exist: ${path}`, { cause: error });
  if (code === 'EACCES' || code === 'EPERM')
    return new FerryError('FILE_UNREADABLE', `Permission denied reading ${path}`, { cause: error });
  if (code === 'EISDIR') return new FerryError('NOT_A_FILE', `${path} is a directory, not a file.`, { cause: error });
  return new FerryError('FILE_UNREADABLE', `Cannot read ${path}: ${(error as Error).message}`, { cause: error });
}

/** The file an upload reads is no longer at its path. */
export function fileGone(path: string, cause?: unknown): FerryError {
  return new FerryError('FILE_NOT_FOUND', `The file was deleted or moved: ${path}. Upload it again from where it is now.`, { cause });
}

/** The fingerprint of the regular file at `path`, or a FerryError saying why it can't be uploaded. */
export async function statFile(path: string): Promise<FileFingerprint> {
  let stats: BigIntStats;
  try {
    stats = await stat(path, { bigint: true });
  } catch (error) {
    throw fileError(error, path);
  }
  if (!stats.isFile()) throw new FerryError('NOT_A_FILE', `${path} is not a regular file.`);
  return fingerprintOf(stats);
}

/** A file on disk, open for one upload run; hashing reads go through the same handle (same inode). */
export class SourceFile implements PartSource {
  readonly path: string;
  readonly #handle: FileHandle;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.#handle = handle;
  }

  static async open(path: string): Promise<SourceFile> {
    try {
      return new SourceFile(path, await open(path, 'r'));
    } catch (error) {
      throw fileError(error, path);
    }
  }

  /**
   * Throws FileChangedError unless the file still has the fingerprint the upload started with, or
   * a FILE_NOT_FOUND error if it was deleted or moved away.
   */
  async assertUnchanged(expected: FileFingerprint): Promise<void> {
    let actual: FileFingerprint;
    try {
      actual = fingerprintOf(await this.#handle.stat({ bigint: true }));
      // the handle keeps a replaced file's old inode alive: compare the path's current inode too
      const current = await statFile(this.path);
      if (current.ino !== actual.ino) actual = current;
    } catch (error) {
      if (error instanceof FerryError && error.code === 'FILE_NOT_FOUND') throw fileGone(this.path, error);
      throw error;
    }
    const difference = fingerprintDifference(expected, actual);
    if (difference !== null) throw new FileChangedError(this.path, difference);
  }

  /** MD5 of bytes [start, end): hex (as S3 ETags carry it) and base64 (as Content-MD5 wants it). */
  async md5(start: number, end: number, signal: AbortSignal): Promise<Md5> {
    const hash = createHash('md5');
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(1, end - start)));
    let position = start;
    while (position < end) {
      signal.throwIfAborted();
      const length = Math.min(buffer.length, end - position);
      const { bytesRead } = await this.#handle.read(buffer, 0, length, position);
      if (bytesRead === 0) throw new FileChangedError(this.path, 'it became shorter');
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    const digest = hash.digest();
    return { hex: digest.toString('hex'), base64: digest.toString('base64') };
  }

  /**
   * Reads the part once, through the open descriptor, into a (pooled) buffer; hashes it; the body
   * sends that buffer. `release` returns the buffer to the pool once the server has the part.
   */
  async prepare(start: number, end: number, signal: AbortSignal): Promise<PreparedPart> {
    if (end <= start) return { md5: md5Of(Buffer.alloc(0)), body: () => Buffer.alloc(0) };
    const data = acquireBuffer(end - start);
    try {
      await this.#readInto(data, start, signal);
    } catch (error) {
      releaseBuffer(data);
      throw error;
    }
    let released = false;
    return {
      md5: md5Of(data),
      body: (onBytes) => bufferBody(data, onBytes),
      release: () => {
        if (released) return;
        released = true;
        releaseBuffer(data);
      },
    };
  }

  async #readInto(data: Buffer, start: number, signal: AbortSignal): Promise<void> {
    let filled = 0;
    while (filled < data.length) {
      signal.throwIfAborted();
      const { bytesRead } = await this.#handle.read(data, filled, data.length - filled, start + filled);
      if (bytesRead === 0) throw new FileChangedError(this.path, 'it became shorter');
      filled += bytesRead;
    }
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}
