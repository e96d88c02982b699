/**
 * Where a job's bytes come from. The uploader asks a PartSource for one part at a time:
 *   - disk (fileSource.ts): the part is read once through the open file, hashed and sent from memory;
 *   - browser (browserSource.ts): the page sends the part's bytes once; they are hashed and sent
 *     from memory (the browser host: a page cannot give a dropped file's path).
 * Memory is bounded by the parts in flight either way.
 */
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import type { FileFingerprint } from '../../shared/job.ts';

export interface Md5 {
  hex: string;
  base64: string;
}

export interface PreparedPart {
  md5: Md5;
  /** A fresh request body for one attempt; `onBytes` is told of each chunk as it flows. */
  body(onBytes: (bytes: number) => void): Readable | Buffer;
  /** Gives the part's memory back once the server has acknowledged it (optional). */
  release?(): void;
}

export interface PartSource {
  /** Throws FileChangedError unless the source still has the fingerprint the job started with. */
  assertUnchanged(expected: FileFingerprint): Promise<void>;
  /** MD5 of bytes [start, end), to adopt a part the server holds but the store missed. */
  md5(start: number, end: number, signal: AbortSignal): Promise<Md5>;
  /** Reads what one part attempt needs: its MD5 (for Content-MD5) and a body. */
  prepare(start: number, end: number, signal: AbortSignal): Promise<PreparedPart>;
  close(): Promise<void>;
}

export function md5Of(data: Uint8Array): Md5 {
  const digest = createHash('md5').update(data).digest();
  return { hex: digest.toString('hex'), base64: digest.toString('base64') };
}

const CHUNK = 256 * 1024;

/** A body that streams `data` in chunks, so progress moves as bytes go out, not per part. */
export function bufferBody(data: Uint8Array, onBytes: (bytes: number) => void): Readable | Buffer {
  if (data.length === 0) return Buffer.alloc(0);
  let offset = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (offset >= data.length) {
        this.push(null);
        return;
      }
      const chunk = data.subarray(offset, Math.min(data.length, offset + CHUNK));
      offset += chunk.length;
      onBytes(chunk.length);
      this.push(chunk);
    },
  });
}
