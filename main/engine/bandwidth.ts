/**
 * The bandwidth limit (`--bwlimit`, `ferry limit`, the window's Settings): one token bucket shared by
 * every job of the process, applied where request bodies flow, so that the total rate is bounded and
 * progress stays smooth. The rate can change (or be lifted) at any moment; waiting senders see the new
 * rate within {@link MAX_WAIT_MS}.
 */
import { Readable } from 'node:stream';
import { FerryError } from '../../shared/errors.ts';
import { sleep } from './retry.ts';

/** Bodies are let through in slices of this size, so that the flow is even at low rates. */
export const SLICE = 64 * 1024;
/** A sender waits at most this long before it looks at the rate again. */
const MAX_WAIT_MS = 100;

export class Bandwidth {
  #rate: number | null;
  #tokens = 0;
  #last = performance.now();

  constructor(bytesPerSecond: number | null = null) {
    this.#rate = bytesPerSecond;
  }

  /** Bytes per second, or null for no limit. */
  get rate(): number | null {
    return this.#rate;
  }

  /** Changes the limit now, for senders waiting too (null lifts it); less than 1 byte per second is refused. */
  set rate(bytesPerSecond: number | null) {
    if (bytesPerSecond !== null && !(Number.isFinite(bytesPerSecond) && bytesPerSecond >= 1)) {
      throw new FerryError('INVALID_INPUT', 'The bandwidth limit must be at least 1 byte per second.');
    }
    this.#refill();
    this.#rate = bytesPerSecond;
    this.#tokens = 0;
  }

  #refill(): void {
    const now = performance.now();
    if (this.#rate !== null) {
      // a burst of at most 1/20 s of the rate (and one slice)
      const burst = Math.max(SLICE, this.#rate / 20);
      this.#tokens = Math.min(burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    }
    this.#last = now;
  }

  /** Waits until `bytes` may be sent under the limit (at once without one). */
  async take(bytes: number, signal: AbortSignal): Promise<void> {
    if (this.#rate === null) return;
    this.#refill();
    this.#tokens -= bytes;
    while (this.#rate !== null) {
      this.#refill();
      if (this.#tokens >= 0) return;
      await sleep(Math.min(MAX_WAIT_MS, Math.ceil((-this.#tokens / this.#rate) * 1000)), signal);
    }
  }

  /**
   * A body that passes through the bucket. `source` is a stream or a buffer; the result streams the
   * same bytes in slices, each sent only when the limit allows; `onBytes` counts the slices as they
   * go (so progress follows the limited flow, not the reads ahead of it).
   */
  throttle(source: Readable | Buffer, signal: AbortSignal, onBytes: (bytes: number) => void): Readable | Buffer {
    if (Buffer.isBuffer(source) && source.length === 0) return source;
    const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
    const take = (bytes: number) => this.take(bytes, signal);
    async function* slices(): AsyncGenerator<Buffer> {
      try {
        for await (const chunk of input as AsyncIterable<Buffer>) {
          for (let offset = 0; offset < chunk.length; offset += SLICE) {
            const slice = chunk.subarray(offset, Math.min(chunk.length, offset + SLICE));
            await take(slice.length);
            onBytes(slice.length);
            yield slice;
          }
        }
      } catch (error) {
        // A cancelled part (pause, abort, shutdown) ends its request through the same signal; the
        // body just stops. Emitted as an 'error', it would reach nobody (the HTTP request has already
        // unpiped it) and crash the process.
        if (signal.aborted) {
          output.destroy();
          return;
        }
        throw error;
      }
    }
    const output: Readable = Readable.from(slices(), { objectMode: false, highWaterMark: SLICE });
    output.on('close', () => {
      if (!Buffer.isBuffer(source)) source.destroy();
    });
    return output;
  }
}
