/**
 * The scheduler: the queue of jobs and the file-level worker pool (at most `maxActiveJobs` running;
 * a small file, sent in one request, counts as its share of one, as in the request limiter: up to
 * SLOT_UNITS small files run in the room of one large one, since their round trips, not their bytes,
 * decide how fast they go).
 * It starts queued jobs in order as slots free up, cancels runs with a reason (JobCancelled, the
 * reason of the run's AbortSignal), and tells when nothing is left to do. What one run does is the
 * runner's (jobRunner.ts); the request limit shared by all jobs is the limiter's (limiter.ts).
 */
import type { ErrorInfo } from '../../shared/errors.ts';
import type { Job } from '../../shared/job.ts';
import type { BrowserSources } from './browserSources.ts';
import type { JobTable } from './jobTable.ts';
import { requestUnits, SLOT_UNITS } from './limiter.ts';
import type { ProgressSampler } from './progress.ts';

/**
 * Why a running job was cancelled: the reason of its AbortSignal.
 *   pause: the user paused it; abort: Engine.abort finishes it; detach: its browser page went away
 *   (back to the queue, waiting for the file); shutdown: the engine is closing (the job stays
 *   'uploading' in the store, exactly as after a crash, and the next open applies `interrupted`).
 */
export class JobCancelled extends Error {
  readonly kind: 'pause' | 'abort' | 'detach' | 'shutdown';
  /** Why the engine itself paused the job (a full disk), shown on the job. */
  readonly error: ErrorInfo | null;
  constructor(kind: 'pause' | 'abort' | 'detach' | 'shutdown', error: ErrorInfo | null = null) {
    super(`Job ${kind}`);
    this.name = 'JobCancelled';
    this.kind = kind;
    this.error = error;
  }
}

interface RunningJob {
  controller: AbortController;
  done: Promise<void>;
  /** Its share of the pool, in limiter units (jobUnits). */
  units: number;
}

/** A job's share of the pool: a whole place, or a small file's share (one request of its bytes). */
export function jobUnits(job: Job): number {
  return job.multipart ? SLOT_UNITS : requestUnits(job.size);
}

export interface SchedulerOptions {
  /** Jobs uploading at once (read at each scheduling: the setting may change while jobs run). */
  maxActiveJobs: () => number;
  /** Start queued jobs at once (else only after start()). */
  autoStart: boolean;
  /** One run of a job, to its end state; never rejects. */
  run: (job: Job, signal: AbortSignal) => Promise<void>;
  /** Nothing is running or startable any more. */
  onIdle: () => void;
}

export class Scheduler {
  readonly #jobs: JobTable;
  readonly #sources: BrowserSources;
  readonly #progress: ProgressSampler;
  readonly #options: SchedulerOptions;
  readonly #queue: string[] = [];
  readonly #running = new Map<string, RunningJob>();
  /** The running jobs' units. */
  #load = 0;
  #started: boolean;
  /** When set, only these jobs are started (the CLI's `upload` runs its own jobs, not the whole queue). */
  #scope: Set<string> | null = null;
  #closed = false;
  #idleWaiters: (() => void)[] = [];
  /** abort() calls still telling the server. */
  #aborting = 0;

  constructor(jobs: JobTable, sources: BrowserSources, progress: ProgressSampler, options: SchedulerOptions) {
    this.#jobs = jobs;
    this.#sources = sources;
    this.#progress = progress;
    this.#options = options;
    this.#started = options.autoStart;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Adds a queued job at the end of the queue (schedule() starts it). */
  enqueue(id: string): void {
    this.#queue.push(id);
  }

  /** Queues a job again unless it is in the queue already (a browser job whose page came back). */
  enqueueOnce(id: string): void {
    if (!this.#queue.includes(id)) this.#queue.push(id);
  }

  /** Starts uploading queued jobs: all of them, or only `ids` (added to those started before). */
  start(ids?: Iterable<string>): void {
    this.#started = true;
    this.#scope = ids === undefined ? null : new Set([...(this.#scope ?? []), ...ids]);
    this.schedule();
  }

  /** A queued job this scheduler will not start (not started, or outside the jobs it runs). */
  willNotStart(id: string): boolean {
    return !this.#started || !this.#inScope(id);
  }

  /** The jobs running now. */
  runningIds(): string[] {
    return [...this.#running.keys()];
  }

  /** Cancels a job's run with `reason`; resolves when the run has ended. Null when it is not running. */
  cancel(id: string, reason: JobCancelled): Promise<void> | null {
    const running = this.#running.get(id);
    if (!running) return null;
    if (!running.controller.signal.aborted) running.controller.abort(reason);
    return running.done;
  }

  /** Runs `work` (telling the server about aborts) with the engine not idle meanwhile, then schedules. */
  async whileAborting<T>(work: () => Promise<T>): Promise<T> {
    // not idle until the server has been told: a host waiting for idleness must not close the engine first
    this.#aborting += 1;
    try {
      return await work();
    } finally {
      this.#aborting -= 1;
    }
  }

  /** Resolves when no job is queued or uploading. */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Starts what can start, in queue order, up to the pool's size; tells when idle. */
  schedule(): void {
    if (this.#closed || !this.#started) return;
    const room = this.#options.maxActiveJobs() * SLOT_UNITS;
    for (let i = 0; i < this.#queue.length && this.#load < room;) {
      const id = this.#queue[i]!;
      const job = this.#jobs.get(id);
      if (job?.state !== 'queued') {
        this.#queue.splice(i, 1); // no longer queued: drop it
      } else if (this.#running.has(id)) {
        i++; // queued again (a retry) while its last run winds down: that run's end schedules it
      } else if (this.#isStartable(id)) {
        if (this.#load + jobUnits(job) > room) break; // in order: the next job waits for its room
        this.#queue.splice(i, 1);
        this.#startJob(job);
      } else if (!this.#sources.canStart(job)) {
        this.#queue.splice(i, 1); // waits for its file; sources.attach queues it again
      } else {
        i++;
      }
    }
    if (this.#isIdle()) {
      this.#options.onIdle();
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  /** Stops starting jobs and cancels the running ones ('shutdown'); resolves when their runs ended. */
  async close(): Promise<void> {
    this.#closed = true;
    const running = [...this.#running.values()];
    for (const job of running) job.controller.abort(new JobCancelled('shutdown'));
    await Promise.all(running.map((job) => job.done));
  }

  /** Lets whoever waits for idleness go (the engine closed). */
  releaseIdleWaiters(): void {
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #isIdle(): boolean {
    return this.#running.size === 0 && this.#aborting === 0 && !this.#queue.some((id) => this.#isStartable(id));
  }

  /** Queued, in scope, and (browser jobs) with its file's page connected. */
  #isStartable(id: string): boolean {
    const job = this.#jobs.get(id);
    return job?.state === 'queued' && this.#inScope(id) && this.#sources.canStart(job);
  }

  #inScope(id: string): boolean {
    return this.#scope === null || this.#scope.has(id);
  }

  #startJob(job: Job): void {
    this.#jobs.transition(job, 'start', { error: null });
    const controller = new AbortController();
    const running: RunningJob = { controller, done: Promise.resolve(), units: jobUnits(job) };
    this.#running.set(job.id, running);
    this.#load += running.units;
    running.done = this.#options.run(job, controller.signal).finally(() => {
      this.#running.delete(job.id);
      this.#load -= running.units;
      this.#progress.untrack(job.id);
      this.schedule();
    });
    this.#progress.track(job.id, job.bytesDone);
  }
}
