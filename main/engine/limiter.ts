/**
 * One concurrency limit shared by every job (Uppy's RateLimitedQueue idea): at most `limit` S3
 * requests in flight across the engine. High-priority requests (create, complete) go before parts, so
 * a job that is nearly done finishes instead of waiting behind another job's parts.
 */
export type Priority = 'high' | 'low';

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

export class Limiter {
  #limit: number;
  #active = 0;
  #peak = 0;
  readonly #queues: Record<Priority, Waiter[]> = { high: [], low: [] };

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  get active(): number {
    return this.#active;
  }

  /** The most slots ever held at once. */
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

  /** Waits for a slot; resolves to the function that gives it back. Rejects when `signal` aborts first. */
  acquire(priority: Priority, signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    if (this.#active < this.#limit && this.#queues.high.length === 0 && (priority === 'high' || this.#queues.low.length === 0)) {
      this.#take();
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const queue = this.#queues[priority];
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queues[priority].push(waiter);
    });
  }

  /** Runs `task` within a slot. */
  async run<T>(priority: Priority, signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    const release = await this.acquire(priority, signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  #take(): void {
    this.#active++;
    this.#peak = Math.max(this.#peak, this.#active);
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#drain();
    };
  }

  #drain(): void {
    while (this.#active < this.#limit) {
      const waiter = this.#queues.high.shift() ?? this.#queues.low.shift();
      if (!waiter) return;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      this.#take();
      waiter.resolve(this.#releaser());
    }
  }
}
