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

interface PendingRead {
  resolve: (data: Uint8Array) => void;
  reject: (error: unknown) => void;
  size: number;
}

export class BrowserSession {
  readonly #send: <E extends EventName>(event: E, payload: Events[E]) => void;
  readonly #pending = new Map<string, PendingRead>();
  readonly #jobIds = new Set<string>();
  #closed = false;

  constructor(send: <E extends EventName>(event: E, payload: Events[E]) => void) {
    this.#send = send;
  }

  /** The reader the engine uses for job `jobId`, whose file the page calls `fileId`. */
  reader(jobId: string, fileId: string): BrowserFileReader {
    this.#jobIds.add(jobId);
    return { read: (start, end, signal) => this.#read(fileId, start, end, signal) };
  }

  #read(fileId: string, start: number, end: number, signal: AbortSignal): Promise<Uint8Array> {
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
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        cleanup();
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

  /** The page's answer to a read request (unknown or late answers are ignored). */
  deliver(header: FileDataHeader, data: Uint8Array): void {
    const pending = this.#pending.get(header.requestId);
    if (!pending) return;
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
    return [...this.#jobIds];
  }
}
