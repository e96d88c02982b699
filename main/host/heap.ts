/**
 * Gives back the memory a large store's load leaves behind (issue #14: `ferry serve` with 100,000 queued
 * jobs at most 1.5x the memory of an idle one). Reading 100,000 jobs grows V8's young generation to its
 * maximum (32 MiB) and leaves the old one with the load's garbage; a busy host does not shrink them, and
 * a host stays up for hours. One full, memory-reducing collection right after the load returns about
 * 45 MiB for 100,000 jobs, at about 0.2 s once. Node offers it only behind --expose-gc, which not every
 * launcher passes (the desktop app, `npx ferry serve`): the flag is set at run time, where a new
 * context's `gc` reads it. Best effort: where that is refused, nothing happens.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

/** Below this many jobs the load leaves too little behind to be worth a full collection. */
export const COMPACT_AFTER_JOBS = 10_000;

type Collect = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async'; flavor?: 'regular' | 'last-resort' }) => void;

/** A full, memory-reducing garbage collection now; false if this runtime offers none. */
export function compactHeap(): boolean {
  try {
    v8.setFlagsFromString('--expose-gc');
    const collect = vm.runInNewContext('gc') as Collect | undefined;
    if (typeof collect !== 'function') return false;
    collect({ type: 'major', execution: 'sync', flavor: 'last-resort' });
    return true;
  } catch {
    return false;
  }
}

/**
 * One collection once a burst of work is over: `request()` (re)starts a quiet period of `delayMs`, and
 * the collection runs when it ends with no activity in it (`activity`, a counter such as the bytes
 * sent: while it moves, the period starts again). A window that reads a large store's list (100,000
 * jobs, in pages of 5,000) makes V8 grow its young generation to the maximum again, after the
 * collection that followed the load, and an idle host keeps it: `ferry serve` settled at 162-187 MiB
 * against 141-143 with this collection (2026-12-02). The collection stops the event loop for 0.1-0.4 s,
 * so it waits for a moment when no upload is sending.
 */
export class QuietCompactor {
  #timer: NodeJS.Timeout | null = null;
  readonly #delayMs: number;
  readonly #compact: () => unknown;
  readonly #activity: () => number;
  #seen = 0;

  constructor(delayMs = 1000, compact: () => unknown = compactHeap, activity: () => number = () => 0) {
    this.#delayMs = delayMs;
    this.#compact = compact;
    this.#activity = activity;
  }

  request(): void {
    this.#seen = this.#activity();
    this.#arm();
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const now = this.#activity();
      if (now !== this.#seen) {
        this.#seen = now;
        this.#arm();
        return;
      }
      this.#compact();
    }, this.#delayMs);
    this.#timer.unref();
  }

  /** Forgets a pending collection (the host closes). */
  cancel(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
