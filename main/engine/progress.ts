/**
 * The progress sampler: while jobs run, it looks at their bytes every `intervalMs` and reports each
 * job's bytes and speed, at most once per tick and only when something changed. A job whose bytes
 * have not moved for {@link STILL_AFTER_MS} reports speed 0 (its ETA unknown), once.
 */
import { SpeedMeter } from '../../shared/speed.ts';

/** No byte moved for this long: the job's speed is 0 (and its ETA unknown), not a decaying average. */
export const STILL_AFTER_MS = 3000;

export interface ProgressSample {
  jobId: string;
  bytesDone: number;
  bytesPerSecond: number;
}

interface Tracked {
  speed: SpeedMeter;
  reported: number;
  /** bytesDone at the last sample, and when it last grew: no growth for a while shows speed 0. */
  lastBytes: number;
  lastMovedAt: number;
  /** A speed of 0 was reported for the current bytesDone. */
  stillReported: boolean;
}

export class ProgressSampler {
  readonly #intervalMs: number;
  /** A tracked job's bytes now (undefined once it is gone). */
  readonly #bytesOf: (jobId: string) => number | undefined;
  readonly #report: (sample: ProgressSample) => void;
  readonly #tracked = new Map<string, Tracked>();
  #timer: NodeJS.Timeout | null = null;

  constructor(intervalMs: number, bytesOf: (jobId: string) => number | undefined, report: (sample: ProgressSample) => void) {
    this.#intervalMs = intervalMs;
    this.#bytesOf = bytesOf;
    this.#report = report;
  }

  /** A job started running with `bytesDone` already sent: sample it from now on. */
  track(jobId: string, bytesDone: number): void {
    this.#tracked.set(jobId, {
      speed: new SpeedMeter(),
      reported: -1,
      lastBytes: bytesDone,
      lastMovedAt: Date.now(),
      stillReported: false,
    });
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => this.#sample(), this.#intervalMs);
    this.#timer.unref();
  }

  /** A job's run ended; the timer stops with the last one. */
  untrack(jobId: string): void {
    this.#tracked.delete(jobId);
    if (this.#tracked.size === 0) this.stop();
  }

  stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
  }

  #sample(): void {
    const now = Date.now();
    for (const [jobId, tracked] of this.#tracked) {
      const bytesDone = this.#bytesOf(jobId);
      if (bytesDone === undefined) continue;
      if (bytesDone > tracked.lastBytes) tracked.lastMovedAt = now;
      tracked.lastBytes = bytesDone;
      let bytesPerSecond = tracked.speed.sample(now, bytesDone);
      if (now - tracked.lastMovedAt >= STILL_AFTER_MS) {
        // nothing moved for a while: say so, instead of an average that decays for minutes
        bytesPerSecond = 0;
        tracked.speed.reset();
      }
      if (bytesDone === tracked.reported && bytesPerSecond === 0 && tracked.stillReported) continue;
      tracked.stillReported = bytesPerSecond === 0;
      tracked.reported = bytesDone;
      this.#report({ jobId, bytesDone, bytesPerSecond });
    }
  }
}
