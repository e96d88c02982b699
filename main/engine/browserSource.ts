/**
 * A job's bytes from a file in a browser page (the browser host): the page reads File.slice() and
 * sends the bytes over its connection. Each part is read once per attempt, hashed and sent from
 * memory, so memory is bounded by the parts in flight.
 */
import { FerryError } from '../../shared/errors.ts';
import type { FileFingerprint } from '../../shared/job.ts';
import type { PartCheck } from '../../shared/endpoint.ts';
import { md5Of, memoryPart, type Md5, type PartSource, type PreparedPart } from './partSource.ts';

/** The page side of a browser file: reads bytes [start, end). Rejects with FILE_NOT_AVAILABLE when the page is gone. */
export interface BrowserFileReader {
  read(start: number, end: number, signal: AbortSignal): Promise<Uint8Array>;
}

export class BrowserPartSource implements PartSource {
  readonly #reader: BrowserFileReader;
  readonly #name: string;

  constructor(reader: BrowserFileReader, name: string) {
    this.#reader = reader;
    this.#name = name;
  }

  /** A dropped File is a snapshot: the browser refuses to read it if it changed on disk. */
  async assertUnchanged(_expected: FileFingerprint): Promise<void> {}

  async #read(start: number, end: number, signal: AbortSignal): Promise<Uint8Array> {
    const data = await this.#reader.read(start, end, signal);
    if (data.length !== end - start) {
      throw new FerryError(
        'FILE_CHANGED',
        `The page sent ${data.length} bytes of ${this.#name} instead of ${end - start}: the file changed.`,
      );
    }
    return data;
  }

  async md5(start: number, end: number, signal: AbortSignal): Promise<Md5> {
    return md5Of(await this.#read(start, end, signal));
  }

  async prepare(start: number, end: number, signal: AbortSignal, check: PartCheck): Promise<PreparedPart> {
    const data = end > start ? await this.#read(start, end, signal) : new Uint8Array(0);
    return memoryPart(data, check);
  }

  async close(): Promise<void> {}
}
