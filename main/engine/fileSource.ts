/**
 * Reading the local file: its fingerprint, and parts read by offset through one open file
 * descriptor (a file replaced by rename or deleted mid-upload cannot slip other bytes in). A small
 * part is read once into memory, hashed and sent from there. A large part is hashed in one pass and
 * streamed from the file in a second, in chunks: memory is a few chunks per part in flight, not the
 * part size (issue #14: peak memory no higher than the AWS CLI's, flat with the file's size). The
 * bytes sent are the bytes hashed because the server checks them: every part carries a check the
 * server validates on arrival (partCheck.ts), so bytes rewritten between the two passes are refused,
 * and the fingerprint, checked after each pass, then says why (FileChangedError).
 *
 * Both passes read into 1 MiB buffers from one pool, and a buffer goes back to it once the socket has
 * taken its bytes (the write's callback): fresh buffers per chunk left tens of MiB of dead chunks
 * waiting for the garbage collector, and the C heap grown with them, at any moment of a big upload.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { OutgoingMessage } from 'node:http';
import { Readable, type Writable } from 'node:stream';
import type { PartCheck } from '../../shared/endpoint.ts';
import { FerryError, FileChangedError } from '../../shared/errors.ts';
import { fingerprintDifference, type FileFingerprint } from '../../shared/job.ts';
import { partHasher } from './partCheck.ts';
import { memoryPart, type Md5, type PartSource, type PreparedPart } from './partSource.ts';

/** Bytes per read call: hashing passes and the chunks a streamed part is sent in. */
export const READ_CHUNK = 1024 * 1024;

/** Parts up to this size are read once into memory and sent from there (a small file: one read). */
export const MEMORY_PART_MAX = 2 * 1024 * 1024;

/**
 * Idle read buffers kept: two per part in flight at the default concurrency (one being read or
 * hashed, one the socket is still writing). More than that in use at once are allocated and left to
 * the garbage collector when returned.
 */
const POOL_KEEP = 16;
const pool: Buffer[] = [];

function acquireBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafeSlow(READ_CHUNK);
}

function releaseBuffer(buffer: Buffer): void {
  if (pool.length < POOL_KEEP) pool.push(buffer);
}

/** The read-buffer pool's idle buffers (for tests). */
export function pooledBuffers(): number {
  return pool.length;
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

/**
 * Feeds bytes [start, end) of an open file to `take`, a chunk at a time, through one pooled buffer
 * (a chunk is valid only during the call); throws `shorter()` if the file ends before `end`.
 */
export async function scanFile(
  handle: FileHandle,
  start: number,
  end: number,
  signal: AbortSignal,
  take: (chunk: Buffer) => void,
  shorter: () => Error,
): Promise<void> {
  const buffer = acquireBuffer();
  try {
    for (let position = start; position < end;) {
      signal.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - position), position);
      if (bytesRead === 0) throw shorter();
      take(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    releaseBuffer(buffer);
  }
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
    await this.#scan(start, end, signal, (chunk) => hash.update(chunk));
    const digest = hash.digest();
    return { hex: digest.toString('hex'), base64: digest.toString('base64') };
  }

  /**
   * A part under `check`: a small one read once into memory; a large one hashed in a pass through the
   * open descriptor, its body a stream reading the same range again (see the file's comment).
   */
  async prepare(start: number, end: number, signal: AbortSignal, check: PartCheck): Promise<PreparedPart> {
    if (end - start <= MEMORY_PART_MAX) {
      const data = Buffer.allocUnsafe(end - start);
      await this.#readInto(data, start, signal);
      return memoryPart(data, check);
    }
    const hasher = partHasher(check);
    await this.#scan(start, end, signal, (chunk) => hasher.update(chunk));
    return { digest: hasher.digest(), body: (onBytes) => this.#stream(start, end, onBytes) };
  }

  /** Feeds bytes [start, end) to `take`, a chunk at a time (scanFile). */
  #scan(start: number, end: number, signal: AbortSignal, take: (chunk: Buffer) => void): Promise<void> {
    return scanFile(this.#handle, start, end, signal, take, () => new FileChangedError(this.path, 'it became shorter'));
  }

  /**
   * Bytes [start, end) as a stream. Piped straight into an HTTP request (as the SDK sends a body), it
   * writes pooled buffers itself and takes each back when the request's write of it completed; piped
   * anywhere else (the bandwidth limiter), it pushes fresh chunks: a chunk handed on must not be reused.
   */
  #stream(start: number, end: number, onBytes: (bytes: number) => void): Readable {
    let position = start;
    const readAt = this.#readAt.bind(this);
    const body = new Readable({
      highWaterMark: READ_CHUNK,
      read() {
        if (position >= end) {
          this.push(null);
          return;
        }
        const chunk = Buffer.allocUnsafeSlow(Math.min(READ_CHUNK, end - position));
        readAt(chunk, 0, chunk.length, position).then(
          (bytesRead) => {
            if (this.destroyed) return;
            position += bytesRead;
            onBytes(bytesRead);
            this.push(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
          },
          (error: unknown) => {
            if (!this.destroyed) this.destroy(error as Error);
          },
        );
      },
    });
    const pipe = body.pipe.bind(body);
    body.pipe = <T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T => {
      if (!(destination instanceof OutgoingMessage) || position !== start || options?.end === false) return pipe(destination, options);
      void this.#pump(body, destination, start, end, onBytes);
      return destination;
    };
    return body;
  }

  /**
   * Writes bytes [start, end) into `request` through pooled buffers, one read ahead of the socket at
   * most; a buffer goes back to the pool when its write completed (never while the socket may still
   * read it). Stops when the request or `body` is destroyed; a read error destroys both.
   */
  async #pump(body: Readable, request: Writable, start: number, end: number, onBytes: (bytes: number) => void): Promise<void> {
    const stopped = () => body.destroyed || request.destroyed;
    try {
      for (let position = start; position < end;) {
        if (stopped()) return;
        const buffer = acquireBuffer();
        let bytesRead: number;
        try {
          bytesRead = await this.#readAt(buffer, 0, Math.min(buffer.length, end - position), position);
        } catch (error) {
          releaseBuffer(buffer);
          throw error;
        }
        if (stopped()) {
          releaseBuffer(buffer);
          return;
        }
        position += bytesRead;
        onBytes(bytesRead);
        const more = request.write(buffer.subarray(0, bytesRead), (error) => {
          if (!error) releaseBuffer(buffer);
        });
        if (!more && !(await drained(request))) return;
      }
      if (!stopped()) request.end();
    } catch (error) {
      request.destroy(error as Error);
      if (!body.destroyed) body.destroy(error as Error);
    }
  }

  async #readInto(data: Buffer, start: number, signal: AbortSignal): Promise<void> {
    let filled = 0;
    while (filled < data.length) {
      signal.throwIfAborted();
      filled += await this.#readAt(data, filled, data.length - filled, start + filled);
    }
  }

  /** Reads up to `length` bytes at `position` into `buffer` at `offset`: a file that ends first changed. */
  async #readAt(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    const { bytesRead } = await this.#handle.read(buffer, offset, length, position);
    if (bytesRead === 0) throw new FileChangedError(this.path, 'it became shorter');
    return bytesRead;
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }
}

/** Waits for `stream` to drain: true, or false if it closed or failed first. */
function drained(stream: Writable): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (value: boolean) => () => {
      stream.off('drain', onDrain);
      stream.off('close', onClose);
      stream.off('error', onClose);
      resolve(value);
    };
    const onDrain = done(true);
    const onClose = done(false);
    stream.on('drain', onDrain);
    stream.on('close', onClose);
    stream.on('error', onClose);
  });
}
