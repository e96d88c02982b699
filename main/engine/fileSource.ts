/**
 * Reading the local file: its fingerprint, and parts read lazily by offset. A part is read twice
 * from the page cache, once to compute its Content-MD5 and once as the request body stream, so the
 * memory an upload holds is a few small read buffers per part in flight, whatever the part size.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { FerryError, FileChangedError } from '../../shared/errors.ts';
import { fingerprintDifference, type FileFingerprint } from '../../shared/job.ts';
import { bufferBody, md5Of, type Md5, type PartSource, type PreparedPart } from './partSource.ts';

/** Bytes read from disk per read call. */
export const READ_CHUNK = 1024 * 1024;
/**
 * A part this small is read once into memory, hashed and sent from there: for small files this
 * halves the file-system calls (no second open and read), at a bounded cost (requests in flight
 * × this size).
 */
export const READ_ONCE_LIMIT = 1024 * 1024;

export function fingerprintOf(stats: BigIntStats): FileFingerprint {
  return { size: Number(stats.size), mtimeMs: Number(stats.mtimeNs / 1000n) / 1000, ino: stats.ino.toString() };
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

  /** Throws FileChangedError unless the file still has the fingerprint the upload started with. */
  async assertUnchanged(expected: FileFingerprint): Promise<void> {
    let actual: FileFingerprint;
    try {
      actual = fingerprintOf(await this.#handle.stat({ bigint: true }));
      // the handle keeps a replaced file's old inode alive: compare the path's current inode too
      const current = await statFile(this.path);
      if (current.ino !== actual.ino) actual = current;
    } catch (error) {
      if (error instanceof FerryError && error.code === 'FILE_NOT_FOUND') {
        throw new FileChangedError(this.path, 'it was deleted or moved');
      }
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
   * Hashes the part now; its body streams it from disk again (from the page cache) per attempt.
   * A small part is read once and sent from memory.
   */
  async prepare(start: number, end: number, signal: AbortSignal): Promise<PreparedPart> {
    if (end - start <= READ_ONCE_LIMIT) {
      const data = await this.#readAll(start, end, signal);
      return { md5: md5Of(data), body: (onBytes) => bufferBody(data, onBytes) };
    }
    const md5 = await this.md5(start, end, signal);
    return { md5, body: (onBytes) => (end > start ? this.stream(start, end, onBytes) : Buffer.alloc(0)) };
  }

  async #readAll(start: number, end: number, signal: AbortSignal): Promise<Buffer> {
    const data = Buffer.allocUnsafe(end - start);
    let filled = 0;
    while (filled < data.length) {
      signal.throwIfAborted();
      const { bytesRead } = await this.#handle.read(data, filled, data.length - filled, start + filled);
      if (bytesRead === 0) throw new FileChangedError(this.path, 'it became shorter');
      filled += bytesRead;
    }
    return data;
  }

  /** A stream of bytes [start, end) for a request body; `onBytes` is told of each chunk read. */
  stream(start: number, end: number, onBytes: (bytes: number) => void): ReadStream {
    // Its own descriptor: a stream on the shared FileHandle leaves a 'close' listener on it per part.
    // Reading by path is safe because the Content-MD5 computed through the handle guards the bytes.
    const stream = createReadStream(this.path, { start, end: end - 1, highWaterMark: 256 * 1024 });
    stream.on('data', (chunk) => onBytes(chunk.length));
    return stream;
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}
