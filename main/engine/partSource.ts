/**
 * Where a job's bytes come from. The uploader asks a PartSource for one part at a time, hashed under
 * the part's check (partCheck.ts) before it is sent:
 *   - disk (fileSource.ts): a small part is read once into memory; a large one is hashed in one pass
 *     through the open file and streamed from it in a second, so memory does not grow with the part
 *     size (the server refuses the part if the bytes changed in between: its check says so);
 *   - browser (browserSource.ts): the page sends the part's bytes once; they are hashed and sent
 *     from memory (the browser host: a page cannot give a dropped file's path).
 */
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import type { PartCheck } from '../../shared/endpoint.ts';
import type { FileFingerprint } from '../../shared/job.ts';
import { digestOf, type PartDigest } from './partCheck.ts';

export interface Md5 {
  hex: string;
  base64: string;
}

export interface PreparedPart {
  /** The part's digest under its check (what the request carries for the server to verify). */
  digest: PartDigest;
  /** A fresh request body for one attempt; `onBytes` is told of each chunk as it flows. */
  body(onBytes: (bytes: number) => void): Readable | Buffer;
  /** Gives the part's memory back once the server has acknowledged it (optional). */
  release?(): void;
  /**
   * The body is the memory that was hashed: nothing is read from the source while it is sent, so
   * the check of the source after the read covers the send too.
   */
  held?: boolean;
}

export interface PartSource {
  /** Throws FileChangedError unless the source still has the fingerprint the job started with. */
  assertUnchanged(expected: FileFingerprint): Promise<void>;
  /** MD5 of bytes [start, end), to adopt a part the server holds but the store missed. */
  md5(start: number, end: number, signal: AbortSignal): Promise<Md5>;
  /** Reads what one part attempt needs: its digest under `check` and a body. */
  prepare(start: number, end: number, signal: AbortSignal, check: PartCheck): Promise<PreparedPart>;
  close(): Promise<void>;
}

export function md5Of(data: Uint8Array): Md5 {
  const digest = createHash('md5').update(data).digest();
  return { hex: digest.toString('hex'), base64: digest.toString('base64') };
}

/** A part held in memory, hashed under `check`, sent from that memory. */
export function memoryPart(data: Uint8Array, check: PartCheck): PreparedPart {
  return { digest: digestOf(check, data), body: (onBytes) => bufferBody(data, onBytes), held: true };
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
