/**
 * What `ferry upload` and `ferry run` show while they wait: on a terminal, a progress bar with bytes,
 * speed and ETA (cli-progress) and a line above it for each finished or failed file; elsewhere (a
 * pipe, a log, CI) one line per event, nothing redrawn.
 */
import { formatDuration } from '../../shared/time.ts';
import { SingleBar } from 'cli-progress';
import type { EngineEvent } from '../engine/engine.ts';
import type { Job, JobState } from '../../shared/job.ts';
import type { IfExists } from '../../shared/uploadOptions.ts';
import { formatBytes } from '../../shared/partPlan.ts';
import { SpeedMeter, etaSeconds } from '../../shared/speed.ts';
import { formatS3Url } from '../../shared/s3Url.ts';
import { line, type Io } from './output.ts';
import { describeRetry, type JobRetry } from '../../shared/retry.ts';
import { STILL_AFTER_MS } from '../engine/engine.ts';

/** What the reporter reads of a job: an engine's Job, or a status row of the owner's (main/host/handoff.ts). */
export interface ReportedJob {
  id: string;
  state: JobState;
  path: string;
  bucket: string;
  key: string;
  size: number;
  bytesDone: number;
  error: { message: string } | null;
  skipped?: boolean;
  options?: { ifExists?: IfExists };
}

/** The engine's events, or the same made from polling the owner's status rows. */
export type ReporterEvent = Exclude<EngineEvent, { type: 'job-changed' }> | { type: 'job-changed'; job: ReportedJob };

export interface ReporterSource {
  events: { on(listener: (event: ReporterEvent) => void): () => void };
}

export class ProgressReporter<J extends ReportedJob = Job> {
  readonly #io: Io;
  readonly #jobs = new Map<string, J>();
  readonly #speed = new SpeedMeter(2000);
  readonly #bar: SingleBar | null;
  readonly #off: () => void;
  readonly #timer: NodeJS.Timeout | null;
  readonly #startedAt = Date.now();
  /** Jobs waiting to retry a request: the bar says so instead of a speed. */
  readonly #retries = new Map<string, JobRetry>();
  /** The highest attempt a line was printed for, per job (no bar). */
  readonly #printedAttempt = new Map<string, number>();
  /** Bytes done at the last redraw, and when they last grew (no growth for 3 s: speed 0, no ETA). */
  #lastDone = -1;
  #lastMovedAt = Date.now();
  /** After stop() or once interrupted: the bar is not drawn again below what follows. */
  #stopped = false;
  /**
   * The jobs' sums, kept as they change: a redraw (one per finished file, and 4 a second) reads them
   * instead of walking every job, which made a folder of 100,000 files cost minutes of CPU.
   */
  #total = 0;
  #done = 0;
  #completed = 0;
  readonly #uploading = new Set<string>();

  constructor(io: Io, engine: ReporterSource, jobs: readonly J[]) {
    this.#io = io;
    for (const job of jobs) this.#put({ ...job });
    const interactive = io.stderr.isTTY === true && io.env.CI !== 'true' && io.env.TERM !== 'dumb';
    if (interactive) {
      this.#bar = new SingleBar({
        // not {total} nor {eta}: cli-progress fills those itself (raw bytes, bare seconds or "INF")
        format: ' {bar} {percentage}% | {doneBytes} of {totalBytes} | {speed} | {timeLeft} left | {finished}/{count} files{retry}',
        barCompleteChar: '█',
        barIncompleteChar: '░',
        hideCursor: true,
        stream: io.stderr,
        fps: 8,
        clearOnComplete: false,
        linewrap: false,
      });
      this.#bar.start(this.#total || 1, this.#done, this.#payload(0));
      this.#timer = setInterval(() => this.#redraw(), 250);
      this.#timer.unref();
    } else {
      this.#bar = null;
      this.#timer = null;
    }
    this.#off = engine.events.on((event) => this.#onEvent(event));
  }

  /** Sets a job as last seen, keeping the sums. */
  #put(job: J): void {
    const previous = this.#jobs.get(job.id);
    if (previous) {
      this.#total -= previous.size;
      this.#done -= previous.bytesDone;
      if (previous.state === 'completed') this.#completed--;
    }
    this.#jobs.set(job.id, job);
    this.#total += job.size;
    this.#done += job.bytesDone;
    if (job.state === 'completed') this.#completed++;
    if (job.state === 'uploading') this.#uploading.add(job.id);
    else this.#uploading.delete(job.id);
  }

  #payload(rate: number) {
    const total = this.#total;
    const done = this.#done;
    const finished = this.#completed;
    const eta = etaSeconds(total - done, rate);
    return {
      doneBytes: formatBytes(done),
      totalBytes: formatBytes(total),
      speed: `${formatBytes(rate)}/s`,
      timeLeft: eta === null ? 'unknown time' : formatDuration(eta),
      finished,
      count: this.#jobs.size,
      retry: this.#retryText(),
    };
  }

  /** " | Retrying in 8 s: cannot reach the endpoint (attempt 3)" while every running job waits for a retry. */
  #retryText(): string {
    if (this.#retries.size === 0) return '';
    const waiting = [...this.#retries].filter(([id]) => this.#uploading.has(id)).map(([, retry]) => retry);
    if (waiting.length === 0) return '';
    const next = waiting.reduce((a, b) => (b.nextRetryAt < a.nextRetryAt ? b : a));
    const all = waiting.length === this.#uploading.size;
    return ` | ${all ? '' : `${waiting.length} of ${this.#uploading.size} files: `}${describeRetry(next, Date.now())}`;
  }

  #redraw(): void {
    if (!this.#bar || this.#stopped) return;
    const now = Date.now();
    const done = this.#done;
    if (done > this.#lastDone) this.#lastMovedAt = now;
    this.#lastDone = done;
    let rate = this.#speed.sample(now, done);
    if (now - this.#lastMovedAt >= STILL_AFTER_MS) {
      rate = 0; // nothing moved: 0 B/s and no ETA, not an average that decays for minutes
      this.#speed.reset();
    }
    this.#bar.setTotal(this.#total || 1);
    this.#bar.update(this.#done, this.#payload(rate));
  }

  /**
   * Ctrl-C: the bar is drawn one last time and left, so the "Pausing…" and "Paused …" lines that
   * follow are not covered by a bar drawn again below them.
   */
  interrupt(): void {
    if (!this.#bar || this.#stopped) return;
    this.#redraw();
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#bar.stop();
  }

  /** Prints a line above the bar (or just a line without one). */
  #say(text: string): void {
    if (this.#bar && !this.#stopped) {
      this.#io.stderr.write('\r\x1b[2K');
      line(this.#io.stderr, text);
      this.#redraw();
    } else {
      line(this.#io.stderr, text);
    }
  }

  #onEvent(event: ReporterEvent): void {
    if (event.type === 'progress') {
      const job = this.#jobs.get(event.jobId);
      if (job) {
        this.#done += event.bytesDone - job.bytesDone;
        job.bytesDone = event.bytesDone;
      }
      return;
    }
    if (event.type === 'retrying') {
      const job = this.#jobs.get(event.jobId);
      if (!job) return;
      this.#retries.set(event.jobId, event.retry);
      // on a terminal the bar's line counts down; elsewhere one line per attempt of the job (its
      // parts retry side by side: not one line per part)
      const printed = this.#printedAttempt.get(event.jobId) ?? 0;
      if (!this.#bar && event.retry.attempt > printed) {
        this.#printedAttempt.set(event.jobId, event.retry.attempt);
        this.#say(`${formatS3Url(job.bucket, job.key)}: ${describeRetry(event.retry, Date.now())}: ${event.error.message}`);
      } else if (this.#bar) this.#redraw();
      return;
    }
    if (event.type === 'retry-cleared') {
      this.#printedAttempt.delete(event.jobId);
      if (this.#retries.delete(event.jobId) && !this.#bar) {
        const job = this.#jobs.get(event.jobId);
        if (job) this.#say(`${formatS3Url(job.bucket, job.key)}: the endpoint answers again; uploading`);
      }
      return;
    }
    if (event.type !== 'job-changed') return;
    const previous = this.#jobs.get(event.job.id);
    if (!previous) return;
    if (event.job.state !== 'uploading') this.#retries.delete(event.job.id);
    this.#put({ ...event.job } as J);
    if (previous.state === event.job.state) return;
    const target = formatS3Url(event.job.bucket, event.job.key);
    switch (event.job.state) {
      case 'uploading':
        if (!this.#bar) this.#say(`uploading ${event.job.path} -> ${target} (${formatBytes(event.job.size)})`);
        break;
      case 'completed':
        this.#say(
          event.job.skipped
            ? `skipped ${target}: an object with this key exists (--if-exists ${event.job.options?.ifExists ?? 'skip'})`
            : `completed ${target} (${formatBytes(event.job.size)})`,
        );
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
  stop(): J[] {
    this.#off();
    if (this.#timer) clearInterval(this.#timer);
    if (this.#bar && !this.#stopped) {
      this.#redraw();
      this.#stopped = true;
      this.#bar.stop();
    }
    return [...this.#jobs.values()];
  }

  elapsedSeconds(): number {
    return (Date.now() - this.#startedAt) / 1000;
  }
}
