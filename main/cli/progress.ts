/**
 * What `ferry upload` and `ferry run` show while they wait: on a terminal, a progress bar with bytes,
 * speed and ETA (cli-progress) and a line above it for each finished or failed file; elsewhere (a
 * pipe, a log, CI) one line per event, nothing redrawn.
 */
import { formatDuration } from '../../shared/time.ts';
import { SingleBar } from 'cli-progress';
import type { Engine, EngineEvent } from '../engine/engine.ts';
import type { Job } from '../../shared/job.ts';
import { formatBytes } from '../../shared/partPlan.ts';
import { SpeedMeter, etaSeconds } from '../../shared/speed.ts';
import { formatS3Url } from '../../shared/s3Url.ts';
import { line, type Io } from './output.ts';

export class ProgressReporter {
  readonly #io: Io;
  readonly #jobs = new Map<string, Job>();
  readonly #speed = new SpeedMeter(2000);
  readonly #bar: SingleBar | null;
  readonly #off: () => void;
  readonly #timer: NodeJS.Timeout | null;
  readonly #startedAt = Date.now();

  constructor(io: Io, engine: Engine, jobs: readonly Job[]) {
    this.#io = io;
    for (const job of jobs) this.#jobs.set(job.id, { ...job });
    const interactive = io.stderr.isTTY === true && io.env.CI !== 'true' && io.env.TERM !== 'dumb';
    if (interactive) {
      this.#bar = new SingleBar({
        format: ' {bar} {percentage}% | {done} of {total} | {speed} | ETA {eta} | {finished}/{count} files',
        barCompleteChar: '█',
        barIncompleteChar: '░',
        hideCursor: true,
        stream: io.stderr,
        fps: 8,
        clearOnComplete: false,
        linewrap: false,
      });
      this.#bar.start(this.#totalBytes() || 1, this.#doneBytes(), this.#payload(0));
      this.#timer = setInterval(() => this.#redraw(), 250);
      this.#timer.unref();
    } else {
      this.#bar = null;
      this.#timer = null;
    }
    this.#off = engine.events.on((event) => this.#onEvent(event));
  }

  #totalBytes(): number {
    let total = 0;
    for (const job of this.#jobs.values()) total += job.size;
    return total;
  }

  #doneBytes(): number {
    let done = 0;
    for (const job of this.#jobs.values()) done += job.bytesDone;
    return done;
  }

  #payload(rate: number) {
    const total = this.#totalBytes();
    const done = this.#doneBytes();
    const finished = [...this.#jobs.values()].filter((job) => job.state === 'completed').length;
    return {
      done: formatBytes(done),
      total: formatBytes(total),
      speed: `${formatBytes(rate)}/s`,
      eta: formatDuration(etaSeconds(total - done, rate), '--'),
      finished,
      count: this.#jobs.size,
    };
  }

  #redraw(): void {
    if (!this.#bar) return;
    const rate = this.#speed.sample(Date.now(), this.#doneBytes());
    this.#bar.setTotal(this.#totalBytes() || 1);
    this.#bar.update(this.#doneBytes(), this.#payload(rate));
  }

  /** Prints a line above the bar (or just a line without one). */
  #say(text: string): void {
    if (this.#bar) {
      this.#io.stderr.write('\r\x1b[2K');
      line(this.#io.stderr, text);
      this.#redraw();
    } else {
      line(this.#io.stderr, text);
    }
  }

  #onEvent(event: EngineEvent): void {
    if (event.type === 'progress') {
      const job = this.#jobs.get(event.jobId);
      if (job) job.bytesDone = event.bytesDone;
      return;
    }
    if (event.type === 'retrying') {
      const job = this.#jobs.get(event.jobId);
      if (job) this.#say(`retrying ${formatS3Url(job.bucket, job.key)} in ${(event.delayMs / 1000).toFixed(1)} s: ${event.error.message}`);
      return;
    }
    if (event.type !== 'job-changed') return;
    const previous = this.#jobs.get(event.job.id);
    if (!previous) return;
    this.#jobs.set(event.job.id, { ...event.job });
    if (previous.state === event.job.state) return;
    const target = formatS3Url(event.job.bucket, event.job.key);
    switch (event.job.state) {
      case 'uploading':
        if (!this.#bar) this.#say(`uploading ${event.job.path} -> ${target} (${formatBytes(event.job.size)})`);
        break;
      case 'completed':
        this.#say(`completed ${target} (${formatBytes(event.job.size)})`);
        break;
      case 'failed':
        this.#say(`failed ${target}: ${event.job.error?.message ?? 'unknown error'}`);
        break;
      case 'paused':
        this.#say(`paused ${target} at ${formatBytes(event.job.bytesDone)} of ${formatBytes(event.job.size)}`);
        break;
      case 'aborted':
        this.#say(`aborted ${target}`);
        break;
      case 'queued':
        break;
    }
  }

  /** Stops drawing and returns the jobs as last seen. */
  stop(): Job[] {
    this.#off();
    if (this.#timer) clearInterval(this.#timer);
    if (this.#bar) {
      this.#redraw();
      this.#bar.stop();
    }
    return [...this.#jobs.values()];
  }

  elapsedSeconds(): number {
    return (Date.now() - this.#startedAt) / 1000;
  }
}
