/**
 * One browser page's connection to the browser host, seen from the engine: the page holds dropped
 * files (a page cannot give their paths), so the engine asks it for each part's bytes with a
 * fileReadRequested event and the page answers with a binary frame (shared/wire.ts).
 */
import { randomUUID } from 'node:crypto';
import type { EventName, Events } from '../../shared/contract.ts';
import { FerryError } from '../../shared/errors.ts';
import type { FileDataHeader } from '../../shared/wire.ts';
import type { BrowserFileReader } from '../engine/browserSource.ts';

/** A page that does not answer a read within this time is asked again (a retryable timeout). */
const READ_TIMEOUT_MS = 60_000;
/** The most bytes the host asks a page for at once: a part is read in chunks of this size. */
export const READ_CHUNK_BYTES = 4 * 1024 * 1024;
/** Room for a file-data frame's length prefix and JSON header (shared/wire.ts caps it at 4096). */
const FRAME_HEADER_BYTES = 4 + 4096;
/** The largest frame a page ever needs to send: one chunk of file data with its header. */
export const MAX_FRAME_BYTES = READ_CHUNK_BYTES + FRAME_HEADER_BYTES;
/**
 * Reads cancelled (a pause, an abort, a timeout) whose answer may still be on its way: the page read
 * the chunk before it could know. The last this many are remembered, so that their late frames are
 * dropped quietly instead of closing the page's connection as data nobody asked for. More than can
 * be waiting at once (32 files at once x 32 parts per file, one chunk each, and the hashing reads),
 * so that "Pause all" on the largest settings is remembered whole; an entry is a few dozen bytes.
 */
const REMEMBERED_CANCELLED_READS = 4096;

interface PendingRead {
  resolve: (data: Uint8Array) => void;
  reject: (error: unknown) => void;
  size: number;
}

export class BrowserSession {
  readonly #send: <E extends EventName>(event: E, payload: Events[E]) => void;
  readonly #pending = new Map<string, PendingRead>();
  /** Cancelled reads whose answer may still arrive: request id to size, oldest first. */
  readonly #cancelled = new Map<string, number>();
  readonly #jobIds = new Set<string>();
  /** Paths the browser host's browseFiles showed this page's session: addPaths accepts only these. */
  readonly browsed: Set<string>;
  #closed = false;

  constructor(send: <E extends EventName>(event: E, payload: Events[E]) => void, browsed: Set<string> = new Set()) {
    this.#send = send;
    this.browsed = browsed;
  }

  /** Whether a binary frame of `bytes` can be the answer to a read this session asked for. */
  acceptsFrame(bytes: number): boolean {
    let largest = -1;
    for (const pending of this.#pending.values()) largest = Math.max(largest, pending.size);
    for (const size of this.#cancelled.values()) largest = Math.max(largest, size);
    return largest >= 0 && bytes <= largest + FRAME_HEADER_BYTES;
  }

  /** The reader the engine uses for job `jobId`, whose file the page calls `fileId`. */
  reader(jobId: string, fileId: string): BrowserFileReader {
    this.#jobIds.add(jobId);
    return { read: (start, end, signal) => this.#read(fileId, start, end, signal) };
  }

  /** Bytes [start, end) of the page's file `fileId`, asked for in chunks of at most READ_CHUNK_BYTES. */
  async #read(fileId: string, start: number, end: number, signal: AbortSignal): Promise<Uint8Array> {
    if (end - start <= READ_CHUNK_BYTES) return this.#readChunk(fileId, start, end, signal);
    const whole = new Uint8Array(end - start);
    for (let at = start; at < end; at += READ_CHUNK_BYTES) {
      const chunk = await this.#readChunk(fileId, at, Math.min(end, at + READ_CHUNK_BYTES), signal);
      whole.set(chunk, at - start);
    }
    return whole;
  }

  #readChunk(fileId: string, start: number, end: number, signal: AbortSignal): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new FerryError('FILE_NOT_AVAILABLE', 'The page that holds the file was closed.'));
    signal.throwIfAborted();
    const requestId = randomUUID();
    return new Promise<Uint8Array>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#pending.delete(requestId);
      };
      const onAbort = () => {
        cleanup();
        this.#rememberCancelled(requestId, end - start);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        cleanup();
        this.#rememberCancelled(requestId, end - start);
        reject(new FerryError('TIMEOUT', 'The browser page did not send the file data in time.'));
      }, READ_TIMEOUT_MS);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(requestId, {
        size: end - start,
        resolve: (data) => {
          cleanup();
          resolve(data);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      });
      this.#send('fileReadRequested', { requestId, fileId, start, end });
    });
  }

  #rememberCancelled(requestId: string, size: number): void {
    this.#cancelled.set(requestId, size);
    if (this.#cancelled.size > REMEMBERED_CANCELLED_READS) this.#cancelled.delete(this.#cancelled.keys().next().value!);
  }

  /** The page's answer to a read request (unknown or late answers are ignored). */
  deliver(header: FileDataHeader, data: Uint8Array): void {
    const pending = this.#pending.get(header.requestId);
    if (!pending) {
      this.#cancelled.delete(header.requestId);
      return;
    }
    if (header.error !== undefined) {
      pending.reject(new FerryError('FILE_UNREADABLE', `The browser could not read the file: ${header.error}`));
    } else if (data.length !== pending.size) {
      pending.reject(new FerryError('FILE_CHANGED', `The browser sent ${data.length} bytes instead of ${pending.size}: the file changed.`));
    } else {
      pending.resolve(data);
    }
  }

  /** The page is gone: pending reads fail as FILE_NOT_AVAILABLE (the jobs wait for the file). Returns the session's jobs. */
  close(): string[] {
    this.#closed = true;
    for (const pending of this.#pending.values())
      pending.reject(new FerryError('FILE_NOT_AVAILABLE', 'The page that holds the file was closed.'));
    this.#pending.clear();
    this.#cancelled.clear();
    return [...this.#jobIds];
  }
}
