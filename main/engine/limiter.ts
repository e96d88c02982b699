/**
 * One concurrency limit shared by every job (Uppy's RateLimitedQueue idea): at most `limit` S3
 * requests in flight across the engine. High-priority requests (create, complete) go before parts, so
 * a job that is nearly done finishes instead of waiting behind another job's parts.
 *
 * A slot of the limit is one request of a large body. A request whose body is small is bound by its
 * round trip, not by its bytes: it takes a fraction of a slot, by its bytes (requestUnits), so up to
 * SLOT_UNITS such requests share one slot. Bytes in flight stay bounded (a slot holds at most
 * SMALL_BODY_BYTES of small bodies), while a far endpoint's round trips are paid many at a time.
 */
export type Priority = 'high' | 'low';

/** The units of one slot: a small request takes from one of them (its bytes' share) to all. */
export const SLOT_UNITS = 4;
/** A body of this many bytes or more takes a whole slot. */
export const SMALL_BODY_BYTES = 1024 * 1024;

/**
 * The units a request takes: its body's share of SMALL_BODY_BYTES, at least one unit; a whole slot
 * when its size is not given (a request whose cost is not its body, e.g. completing an upload).
 */
export function requestUnits(bodyBytes?: number): number {
  if (bodyBytes === undefined || !(bodyBytes < SMALL_BODY_BYTES)) return SLOT_UNITS;
  return Math.max(1, Math.ceil((bodyBytes * SLOT_UNITS) / SMALL_BODY_BYTES));
}

interface Waiter {
  units: number;
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class Limiter {
  #limit: number;
  /** Requests in flight. */
  #active = 0;
  /** Units in flight (at most limit × SLOT_UNITS). */
  #units = 0;
  #peak = 0;
  readonly #queues: Record<Priority, Waiter[]> = { high: [], low: [] };

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Requests in flight. */
  get active(): number {
    return this.#active;
  }

  /** The most requests ever in flight at once. */
  get peak(): number {
    return this.#peak;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Changes the limit now: a higher one lets waiters in at once; a lower one is reached as requests end. */
  set limit(limit: number) {
    this.#limit = Math.max(1, limit);
    this.#drain();
  }

  /**
   * Waits for room for a request of `units` (default: a whole slot); resolves to the function that
   * gives it back. Rejects when `signal` aborts first.
   */
  acquire(priority: Priority, signal: AbortSignal, units: number = SLOT_UNITS): Promise<() => void> {
    signal.throwIfAborted();
    const need = Math.min(SLOT_UNITS, Math.max(1, Math.ceil(units)));
    if (
      this.#queues.high.length === 0 &&
      (priority === 'high' ? this.#fitsHigh(need) : this.#queues.low.length === 0 && this.#fits(need))
    ) {
      this.#take(need);
      return Promise.resolve(this.#releaser(need));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        units: need,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const queue = this.#queues[priority];
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(signal.reason);
          this.#drain(); // a large waiter at the head may have held smaller ones back
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queues[priority].push(waiter);
    });
  }

  /** Runs `task` within room for `units` (default: a whole slot). */
  async run<T>(priority: Priority, signal: AbortSignal, task: () => Promise<T>, units?: number): Promise<T> {
    const release = await this.acquire(priority, signal, units);
    try {
      return await task();
    } finally {
      release();
    }
  }

  #fits(units: number): boolean {
    return this.#units + units <= this.#limit * SLOT_UNITS;
  }

  /**
   * The units a high-priority request of `units` leaves free: those of the low waiter at the head of
   * its queue when that one needs more. Small requests that keep coming (checks of small files that
   * end at once, --if-exists skip or ask) would otherwise take every unit as it frees, and a part
   * waiting for a whole slot would never see one free. A whole-slot request (create, complete), or
   * one no smaller than the low head, goes first as ever.
   */
  #reserve(units: number): number {
    const low = this.#queues.low[0];
    return low !== undefined && low.units > units ? low.units : 0;
  }

  #fitsHigh(units: number): boolean {
    return this.#fits(units + this.#reserve(units));
  }

  #take(units: number): void {
    this.#active++;
    this.#units += units;
    this.#peak = Math.max(this.#peak, this.#active);
  }

  #releaser(units: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#units -= units;
      this.#drain();
    };
  }

  /**
   * Lets waiters in, in order, while the one at the head fits: high first; a small high one held back
   * for the room of a larger low one (#reserve) lets that one in first, when it fits.
   */
  #drain(): void {
    for (;;) {
      const high = this.#queues.high[0];
      const heldBack = high !== undefined && !this.#fitsHigh(high.units) && this.#reserve(high.units) > 0;
      const queue = high !== undefined && !heldBack ? this.#queues.high : this.#queues.low;
      const waiter = queue[0];
      if (!waiter || !(queue === this.#queues.high ? this.#fitsHigh(waiter.units) : this.#fits(waiter.units))) return;
      queue.shift();
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.#take(waiter.units);
      waiter.resolve(this.#releaser(waiter.units));
    }
  }
}
