/**
 * The engine: the public face of Ferry's upload machinery, the same for the desktop app, the browser
 * host and the CLI. It knows nothing of Electron, HTTP or terminals. It opens the data directory
 * (lock, store), builds its parts (wiring.ts) and delegates to them:
 *   jobTable.ts     the jobs, in memory and in the store; the only place a state changes
 *   jobCommands.ts  add, pause, resume, retry, abort, clear (jobSpec.ts builds a new job)
 *   scheduler.ts    the queue and the file-level worker pool; jobRunner.ts runs one job
 *   gateways.ts     one S3 gateway per endpoint, under one request limiter (limiter.ts)
 *   bucketOps.ts    bucket checks and lists, share links, orphans, aborts, leftovers
 *   progress.ts     the progress sampler
 *   browserSources.ts  the pages holding browser jobs' files (`engine.sources`)
 */
import type { Emitter } from '../../shared/emitter.ts';
import { FerryError } from '../../shared/errors.ts';
import type { ExistsAnswer } from '../../shared/existsAnswer.ts';
import type { CompletedPart, Job } from '../../shared/job.ts';
import type { JobRetry } from '../../shared/retry.ts';
import { secureDataDir } from '../store/database.ts';
import { JobStore } from '../store/jobStore.ts';
import { acquireDataDirLock, type DataDirLock } from '../store/lock.ts';
import type { PageSources } from './browserSources.ts';
import type { ControlAction } from './control.ts';
import type { EngineEvent } from './events.ts';
import type { JobSpec } from './jobSpec.ts';
import type { OrphanUpload } from './orphans.ts';
import { JobCancelled } from './scheduler.ts';
import type { EngineOptions } from './settings.ts';
import { applyTransferSettings, type TransferSettings } from './transferSettings.ts';
import { wireEngine, type EngineParts } from './wiring.ts';

export type { EngineEvent } from './events.ts';
export type { Credentials, EndpointResolver } from './gateways.ts';
export { guessContentType, type JobSpec } from './jobSpec.ts';
export { STILL_AFTER_MS } from './progress.ts';
export { JobCancelled } from './scheduler.ts';
export type { EngineOptions } from './settings.ts';

export class Engine {
  /** Every change to a job, progress (coalesced), retries, and idleness. */
  readonly events: Emitter<EngineEvent>;
  /** The pages holding browser jobs' files (the browser host attaches and detaches them). */
  readonly sources: PageSources;
  readonly dataDir: string;

  readonly #lock: DataDirLock;
  /** Aborted when the engine closes: whatever still asks the server stops. */
  readonly #shutdown = new AbortController();
  readonly #parts: EngineParts;

  private constructor(options: EngineOptions, store: JobStore, lock: DataDirLock) {
    this.dataDir = options.dataDir;
    this.#lock = lock;
    this.#parts = wireEngine(options, store, this.#shutdown.signal);
    this.events = this.#parts.events;
    this.sources = this.#parts.sources;
  }

  /**
   * Opens the engine on a data directory: takes the directory's lock (a second engine is refused
   * with EngineLockedError naming the owner), opens the store, and returns jobs that were uploading
   * when the previous engine stopped or died to the queue (or pauses them, per `interrupted`).
   */
  static async open(options: EngineOptions): Promise<Engine> {
    secureDataDir(options.dataDir);
    const lock = acquireDataDirLock(options.dataDir);
    let store: JobStore;
    try {
      store = JobStore.open(options.dataDir);
    } catch (error) {
      lock.release();
      throw new FerryError('STORE_ERROR', `Cannot open the job store in ${options.dataDir}: ${(error as Error).message}`, { cause: error });
    }
    const engine = new Engine(options, store, lock);
    const { jobs, settings, scheduler } = engine.#parts;
    for (const id of jobs.load(settings.interrupted)) scheduler.enqueue(id);
    scheduler.schedule();
    return engine;
  }

  /**
   * `ferry pause|resume|abort|retry`, from this process or another one (control.ts): jobs by id or
   * unique prefix, or (ids null) every job the action applies to. Returns the ids acted on, and those
   * queued again that this engine will not start (not started, or outside the jobs it runs).
   */
  command(action: ControlAction, ids: readonly string[] | null): Promise<{ ids: string[]; notStarted: string[] }> {
    return this.#parts.commands.command(action, ids);
  }

  /** The bandwidth limit in bytes per second across all jobs, or null for none. */
  get bandwidthLimit(): number | null {
    return this.#parts.bandwidth.rate;
  }

  /** Changes the bandwidth limit now, for running uploads too (null lifts it). */
  setBandwidthLimit(bytesPerSecond: number | null): void {
    this.#parts.bandwidth.rate = bytesPerSecond;
  }

  /** Files at once, parts per file, part size (Settings, issue #13): live, for work that starts after. */
  setTransferSettings(settings: Partial<TransferSettings>): void {
    applyTransferSettings(this.#parts.settings, this.#parts.limiter, settings);
    this.#parts.scheduler.schedule();
  }

  /** Counters for tests and the benchmark: requests in flight (now and at most) and bytes sent. */
  stats(): { requestsInFlight: number; peakRequestsInFlight: number; bytesSent: number } {
    return {
      requestsInFlight: this.#parts.limiter.active,
      peakRequestsInFlight: this.#parts.limiter.peak,
      bytesSent: this.#parts.runner.bytesSent,
    };
  }

  /** A snapshot of every job, oldest first. */
  list(): Job[] {
    return [...this.#parts.jobs.values()].map((job) => ({ ...job }));
  }

  /**
   * Every job's id, oldest first: for a caller that reads only some of the jobs (a page of the list),
   * without a copy of each of 100,000 jobs (issue #14, the memory of `ferry serve`).
   */
  ids(): string[] {
    return this.#parts.jobs.ids();
  }

  /** The retry a running job waits for, or null. */
  retryOf(id: string): JobRetry | null {
    return this.#parts.jobs.retryOf(id);
  }

  /** How long an outage may last before a job fails (the "give up after" setting); applies to requests that start after. */
  setGiveUpAfter(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new FerryError('INVALID_INPUT', `Invalid give-up-after duration: ${ms} ms.`);
    this.#parts.settings.giveUpAfterMs = ms;
  }

  get(id: string): Job | undefined {
    const job = this.#parts.jobs.get(id);
    return job ? { ...job } : undefined;
  }

  /** The version id a completed job created in a versioned bucket, or null (issue #15: receipts). */
  versionId(id: string): string | null {
    return this.#parts.jobs.store.versionId(this.#parts.jobs.require(id).id);
  }

  /** The parts the server has acknowledged for a job, written to the store first: what this returns is on disk. */
  parts(id: string): CompletedPart[] {
    const { store } = this.#parts.jobs;
    store.flush();
    return store.loadParts(this.#parts.jobs.require(id).id);
  }

  /**
   * Checks and queues new jobs, all or none: a missing file, a bad key or bucket, an unknown
   * endpoint or a file too large for the endpoint refuses the whole batch before anything is stored.
   */
  addJobs(specs: readonly JobSpec[]): Promise<Job[]> {
    return this.#parts.commands.add(specs);
  }

  /**
   * Preflight before queueing: one cheap request (ListObjectsV2, one key) that proves the endpoint is
   * reachable, the credentials are valid, the bucket exists and the region is right. Throws the
   * FerryError in words; returns warnings (e.g. the key may not list the bucket, which uploads do
   * not need).
   */
  checkBucket(endpointId: string, bucket: string, signal: AbortSignal = this.#shutdown.signal): Promise<string[]> {
    return this.#parts.buckets.checkBucket(endpointId, bucket, signal);
  }

  /**
   * Starts uploading queued jobs (when opened with autoStart: false): all of them, or only `ids`
   * (then `whenIdle` waits for those alone).
   */
  start(ids?: Iterable<string>): void {
    this.#parts.scheduler.start(ids);
  }

  /**
   * Pauses jobs: cancels their requests, keeps their UploadId and parts on the server. Every job is
   * acted on before anything is awaited, so a queued job paused here never starts. Returns the ids paused.
   */
  pause(ids: readonly string[]): Promise<string[]> {
    return this.#parts.commands.pause(ids);
  }

  /** Queues paused jobs again; they continue where they stopped. Returns the ids queued. */
  resume(ids: readonly string[]): string[] {
    return this.#parts.commands.resume(ids);
  }

  /**
   * Queues failed jobs again; returns the ids queued. A job that cannot be retried as it is (its error
   * says `restart`: the file changed) is refused in words unless `restart`, which starts it over from
   * the file as it is now: a new fingerprint and part plan, no parts, a new upload.
   */
  retry(ids: readonly string[], options: { restart?: boolean } = {}): Promise<string[]> {
    return this.#parts.commands.retry(ids, options);
  }

  /**
   * Aborts jobs: cancels their requests, waits for them to stop, then calls AbortMultipartUpload so
   * the server frees the parts. If the server cannot be told, the job is left paused and the error
   * is thrown, so nothing is silently left behind.
   */
  abort(ids: readonly string[]): Promise<void> {
    return this.#parts.commands.abort(ids);
  }

  /**
   * The window's answer to jobs that wait because their key exists (existsQuestion.ts): Replace,
   * Skip or Keep both, for these jobs or (wholeBatch) the rest of their drop. Returns the ids queued.
   */
  answerExists(ids: readonly string[], answer: ExistsAnswer, options: { wholeBatch?: boolean } = {}): string[] {
    return this.#parts.commands.answerExists(ids, answer, options.wholeBatch === true);
  }

  /**
   * "Send only what changed" (issue #15, changes.ts): an unfinished job whose file changed sends only
   * the parts that differ; a completed one becomes a new job copying its unchanged parts on the server.
   */
  sendChangesOnly(id: string): Promise<{ jobId: string; message: string }> {
    return this.#parts.commands.sendChangesOnly(id);
  }

  /** A presigned GET URL for a completed job's object, valid for `expiresInSeconds` (at most 7 days). */
  async shareLink(jobId: string, expiresInSeconds: number): Promise<string> {
    return this.#parts.buckets.shareLink(this.#parts.jobs.require(jobId), expiresInSeconds);
  }

  /** The buckets the endpoint's credentials can list. */
  listBuckets(endpointId: string, signal: AbortSignal = this.#shutdown.signal): Promise<string[]> {
    return this.#parts.buckets.listBuckets(endpointId, signal);
  }

  /** Incomplete multipart uploads in a bucket (or under a prefix), marked with the Ferry job they belong to. */
  listOrphans(endpointId: string, bucket: string, prefix: string, signal: AbortSignal = this.#shutdown.signal): Promise<OrphanUpload[]> {
    return this.#parts.buckets.listOrphans(endpointId, bucket, prefix, this.#parts.jobs.values(), signal);
  }

  /**
   * Aborts incomplete uploads. One that belongs to a Ferry job aborts the job (so the job does not
   * later try to resume a deleted upload). Returns how many were aborted.
   */
  abortOrphans(endpointId: string, bucket: string, uploads: readonly { key: string; uploadId: string }[]): Promise<number> {
    return this.#parts.commands.abortOrphans(endpointId, bucket, uploads);
  }

  /**
   * Drops the cached client of an endpoint whose settings or credentials changed; the next request
   * builds a new one (running jobs finish with the old one).
   */
  forgetEndpoint(endpointId: string): void {
    this.#parts.gateways.forget(endpointId);
  }

  /** Forgets completed or aborted jobs (the list's "Clear"); other states are refused. */
  removeJobs(ids: readonly string[]): void {
    this.#parts.commands.remove(ids);
  }

  /** Resolves when no job is queued or uploading. */
  whenIdle(): Promise<void> {
    return this.#parts.scheduler.whenIdle();
  }

  /**
   * Stops the engine: cancels running uploads (they stay 'uploading' in the store, as after a crash,
   * and the next open resumes or pauses them per `interrupted`), writes the store, releases the
   * data directory.
   */
  async close(): Promise<void> {
    if (this.#parts.scheduler.closed) return;
    await this.#parts.scheduler.close();
    this.#shutdown.abort(new JobCancelled('shutdown'));
    this.#parts.progress.stop();
    this.#parts.jobs.store.close();
    this.#lock.release();
    this.#parts.gateways.destroyAll();
    this.#parts.scheduler.releaseIdleWaiters();
  }
}
