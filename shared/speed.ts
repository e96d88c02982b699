/**
 * Smoothed transfer speed and ETA (aws/aws-sdk-js-v3#5682: progress must not jump part by part).
 * An exponentially weighted moving average over samples of (time, bytes done).
 */
export class SpeedMeter {
  #lastTime: number | null = null;
  #lastBytes = 0;
  #rate = 0;
  readonly #halfLifeMs: number;

  constructor(halfLifeMs = 3000) {
    this.#halfLifeMs = halfLifeMs;
  }

  /** Records that `bytesDone` bytes are done at time `now` (ms); returns the smoothed bytes/s. */
  sample(now: number, bytesDone: number): number {
    if (this.#lastTime === null) {
      this.#lastTime = now;
      this.#lastBytes = bytesDone;
      return 0;
    }
    const dt = now - this.#lastTime;
    if (dt <= 0) return this.#rate;
    const instant = Math.max(0, ((bytesDone - this.#lastBytes) * 1000) / dt);
    const weight = 1 - 0.5 ** (dt / this.#halfLifeMs);
    this.#rate = this.#rate === 0 ? instant : this.#rate + weight * (instant - this.#rate);
    this.#lastTime = now;
    this.#lastBytes = bytesDone;
    return this.#rate;
  }

  get bytesPerSecond(): number {
    return this.#rate;
  }

  reset(): void {
    this.#lastTime = null;
    this.#lastBytes = 0;
    this.#rate = 0;
  }
}

/** Seconds left at `bytesPerSecond`, or null when unknown. */
export function etaSeconds(remainingBytes: number, bytesPerSecond: number): number | null {
  if (remainingBytes <= 0) return 0;
  if (bytesPerSecond <= 0) return null;
  return Math.ceil(remainingBytes / bytesPerSecond);
}
