/**
 * The engine: the public face of Ferry's upload machinery, the same for the desktop app, the browser
 * host and the CLI. It knows nothing of Electron, HTTP or terminals. It opens the data directory
 * (lock, store) and wires the modules that do the work; its methods delegate to them:
 *   jobTable.ts     the jobs, in memory and in the store; the only place a state changes
 *   jobCommands.ts  add, pause, resume, retry, abort, clear (jobSpec.ts builds a new job)
 *   scheduler.ts    the queue and the file-level worker pool; jobRunner.ts runs one job
 *   gateways.ts     one S3 gateway per endpoint, under one request limiter (limiter.ts)
 *   bucketOps.ts    bucket checks and lists, share links, orphans, aborts, leftovers
 *   progress.ts     the progress sampler; browserSources.ts the pages holding browser jobs' files
 */
import { Emitter } from '../../shared/emitter.ts';
import { FerryError } from '../../shared/errors.ts';
import type { CompletedPart, Job } from '../../shared/job.ts';
import type { JobRetry } from '../../shared/retry.ts';
import type { SecretVault } from '../endpoints/vault.ts';
import { secureDataDir } from '../store/database.ts';
import { JobStore } from '../store/jobStore.ts';
import { acquireDataDirLock, type DataDirLock } from '../store/lock.ts';
import { Bandwidth } from './bandwidth.ts';
import type { BrowserFileReader } from './browserSource.ts';
import { BrowserSources } from './browserSources.ts';
import { BucketOps } from './bucketOps.ts';
import { CopySources } from './changes.ts';
import type { ControlAction } from './control.ts';
import type { EngineEvent } from './events.ts';
import { Gateways } from './gateways.ts';
import { JobCommands } from './jobCommands.ts';
import { JobRunner } from './jobRunner.ts';
import type { JobSpec } from './jobSpec.ts';
import { JobTable } from './jobTable.ts';
import { Limiter } from './limiter.ts';
import type { OrphanUpload } from './orphans.ts';
import { ProgressSampler } from './progress.ts';
import { createS3Client } from './s3Client.ts';
import { JobCancelled, Scheduler } from './scheduler.ts';
import { engineSettings, type EngineOptions, type EngineSettings } from './settings.ts';
import { applyTransferSettings, type TransferSettings } from './transferSettings.ts';
import { answerExists } from './existsQuestion.ts';
import type { ExistsAnswer } from '../../shared/existsAnswer.ts';

export type { EngineEvent } from './events.ts';
export type { Credentials, EndpointResolver } from './gateways.ts';
export { guessContentType, type JobSpec } from './jobSpec.ts';
export { STILL_AFTER_MS } from './progress.ts';
export { JobCancelled } from './scheduler.ts';
export type { EngineOptions } from './settings.ts';

export class Engine {
  /** Every change to a job, progress (coalesced), retries, and idleness. */
  readonly events = new Emitter<EngineEvent>();
  readonly dataDir: string;

  readonly #lock: DataDirLock;
  readonly #settings: EngineSettings;
  /** Aborted when the engine closes: whatever still asks the server stops. */
  readonly #shutdown = new AbortController();
  readonly #limiter: Limiter;
  /** The bandwidth limit shared by every job (`ferry limit` changes it live). */
  readonly #bandwidth: Bandwidth;
  readonly #jobs: JobTable;
  readonly #sources = new BrowserSources();
  readonly #gateways: Gateways;
  readonly #buckets: BucketOps;
  readonly #progress: ProgressSampler;
  readonly #runner: JobRunner;
  readonly #scheduler: Scheduler;
  readonly #commands: JobCommands;

  private constructor(options: EngineOptions, store: JobStore, lock: DataDirLock) {
    this.dataDir = options.dataDir;
    this.#lock = lock;
    const settings = (this.#settings = engineSettings(options));
    // the host's vault (the CLI's keychain or key file, the desktop app's safeStorage): the engine
    // imports no keeper itself, so that the desktop bundle carries none it does not use
    const vault: SecretVault | null = options.vault ?? null;
    const events = this.events;
    const jobs = (this.#jobs = new JobTable(store, events));
    const sources = this.#sources;
    this.#limiter = new Limiter(settings.maxRequests);
    this.#bandwidth = new Bandwidth(options.bandwidthLimit ?? null);
    const gateways = (this.#gateways = new Gateways(options.endpoints, options.createClient ?? createS3Client, this.#limiter, settings));
    const buckets = (this.#buckets = new BucketOps(gateways, this.#shutdown.signal));
    this.#progress = new ProgressSampler(
      settings.progressIntervalMs,
      (id) => jobs.get(id)?.bytesDone,
      (sample) => events.emit({ type: 'progress', ...sample }),
    );
    // "upload changes only" jobs and the object each copies its unchanged parts from (changes.ts)
    const copySources = new CopySources(store);
    const runner = (this.#runner = new JobRunner({
      copySources,
      jobs,
      gateways,
      buckets,
      sources,
      vault,
      bandwidth: this.#bandwidth,
      events,
      settings,
    }));
    const scheduler = (this.#scheduler = new Scheduler(jobs, sources, this.#progress, {
      maxActiveJobs: () => settings.maxActiveJobs, // live: Settings' "files at once"
      autoStart: settings.autoStart,
      run: (job, signal) => runner.run(job, signal),
      onIdle: () => events.emit({ type: 'idle' }),
    }));
    const assertOpen = () => {
      if (scheduler.closed) throw new FerryError('STORE_ERROR', 'The engine is closed.');
    };
    this.#commands = new JobCommands({
      jobs,
      scheduler,
      gateways,
      buckets,
      events,
      vault,
      defaults: settings,
      assertOpen,
      copySources,
      shutdown: this.#shutdown.signal,
    });
    store.onDiskFull = (error) => this.#commands.pauseForDiskFull(error);
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
    for (const id of engine.#jobs.load(engine.#settings.interrupted)) engine.#scheduler.enqueue(id);
    engine.#scheduler.schedule();
    return engine;
  }

  /**
   * `ferry pause|resume|abort|retry`, from this process or another one (control.ts): jobs by id or
   * unique prefix, or (ids null) every job the action applies to. Returns the ids acted on, and those
   * queued again that this engine will not start (not started, or outside the jobs it runs).
   */
  command(action: ControlAction, ids: readonly string[] | null): Promise<{ ids: string[]; notStarted: string[] }> {
    return this.#commands.command(action, ids);
  }

  /** The bandwidth limit in bytes per second across all jobs, or null for none. */
  get bandwidthLimit(): number | null {
    return this.#bandwidth.rate;
  }

  /** Changes the bandwidth limit now, for running uploads too (null lifts it). */
  setBandwidthLimit(bytesPerSecond: number | null): void {
    if (bytesPerSecond !== null && !(Number.isFinite(bytesPerSecond) && bytesPerSecond >= 1)) {
      throw new FerryError('INVALID_INPUT', 'The bandwidth limit must be at least 1 byte per second.');
    }
    this.#bandwidth.rate = bytesPerSecond;
  }

  /** Files at once, parts per file, part size (Settings, issue #13): live, for work that starts after. */
  setTransferSettings(settings: Partial<TransferSettings>): void {
    applyTransferSettings(this.#settings, this.#limiter, settings);
    this.#scheduler.schedule();
  }

  /** Counters for tests and the benchmark: requests in flight (now and at most) and bytes sent. */
  stats(): { requestsInFlight: number; peakRequestsInFlight: number; bytesSent: number } {
    return { requestsInFlight: this.#limiter.active, peakRequestsInFlight: this.#limiter.peak, bytesSent: this.#runner.bytesSent };
  }

  /** A snapshot of every job, oldest first. */
  list(): Job[] {
    return [...this.#jobs.values()].map((job) => ({ ...job }));
  }

  /** The retry a running job waits for, or null. */
  retryOf(id: string): JobRetry | null {
    return this.#jobs.retryOf(id);
  }

  /** How long an outage may last before a job fails (the "give up after" setting); applies to requests that start after. */
  setGiveUpAfter(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new FerryError('INVALID_INPUT', `Invalid give-up-after duration: ${ms} ms.`);
    this.#settings.giveUpAfterMs = ms;
  }

  get(id: string): Job | undefined {
    const job = this.#jobs.get(id);
    return job ? { ...job } : undefined;
  }

  /** The version id a completed job created in a versioned bucket, or null (issue #15: receipts). */
  versionId(id: string): string | null {
    return this.#jobs.store.versionId(this.#jobs.require(id).id);
  }

  /** The parts the server has acknowledged for a job (as far as the store knows). */
  parts(id: string): CompletedPart[] {
    return this.#jobs.store.loadParts(this.#jobs.require(id).id);
  }

  /**
   * Checks and queues new jobs, all or none: a missing file, a bad key or bucket, an unknown
   * endpoint or a file too large for the endpoint refuses the whole batch before anything is stored.
   */
  addJobs(specs: readonly JobSpec[]): Promise<Job[]> {
    return this.#commands.add(specs);
  }

  /**
   * Preflight before queueing: one cheap request (ListObjectsV2, one key) that proves the endpoint is
   * reachable, the credentials are valid, the bucket exists and the region is right. Throws the
   * FerryError in words; returns warnings (e.g. the key may not list the bucket, which uploads do
   * not need).
   */
  checkBucket(endpointId: string, bucket: string, signal: AbortSignal = this.#shutdown.signal): Promise<string[]> {
    return this.#buckets.checkBucket(endpointId, bucket, signal);
  }

  /**
   * Starts uploading queued jobs (when opened with autoStart: false): all of them, or only `ids`
   * (then `whenIdle` waits for those alone).
   */
  start(ids?: Iterable<string>): void {
    this.#scheduler.start(ids);
  }

  /**
   * Pauses jobs: cancels their requests, keeps their UploadId and parts on the server. Every job is
   * acted on before anything is awaited, so a queued job paused here never starts. Returns the ids paused.
   */
  pause(ids: readonly string[]): Promise<string[]> {
    return this.#commands.pause(ids);
  }

  /** Queues paused jobs again; they continue where they stopped. Returns the ids queued. */
  resume(ids: readonly string[]): string[] {
    return this.#commands.resume(ids);
  }

  /**
   * Queues failed jobs again; returns the ids queued. A job that cannot be retried as it is (its error
   * says `restart`: the file changed) is refused in words unless `restart`, which starts it over from
   * the file as it is now: a new fingerprint and part plan, no parts, a new upload.
   */
  retry(ids: readonly string[], options: { restart?: boolean } = {}): Promise<string[]> {
    return this.#commands.retry(ids, options);
  }

  /**
   * Aborts jobs: cancels their requests, waits for them to stop, then calls AbortMultipartUpload so
   * the server frees the parts. If the server cannot be told, the job is left paused and the error
   * is thrown, so nothing is silently left behind.
   */
  abort(ids: readonly string[]): Promise<void> {
    return this.#commands.abort(ids);
  }

  /**
   * The window's answer to jobs that wait because their key exists (existsQuestion.ts): Replace,
   * Skip or Keep both, for these jobs or (wholeBatch) the rest of their drop. Returns the ids queued.
   */
  answerExists(ids: readonly string[], answer: ExistsAnswer, options: { wholeBatch?: boolean } = {}): string[] {
    if (this.#scheduler.closed) throw new FerryError('STORE_ERROR', 'The engine is closed.');
    const host = {
      jobs: () => [...this.#jobs.values()],
      save: (job: Job) => {
        this.#jobs.save(job);
        this.events.emit({ type: 'job-changed', job: { ...job } });
      },
      resume: (ids: string[]) => this.resume(ids),
    };
    return answerExists(host, ids, answer, options.wholeBatch === true);
  }

  /**
   * "Send only what changed" (issue #15, changes.ts): an unfinished job whose file changed sends only
   * the parts that differ; a completed one becomes a new job copying its unchanged parts on the server.
   */
  sendChangesOnly(id: string): Promise<{ jobId: string; message: string }> {
    return this.#commands.sendChangesOnly(id);
  }

  /** A presigned GET URL for a completed job's object, valid for `expiresInSeconds` (at most 7 days). */
  async shareLink(jobId: string, expiresInSeconds: number): Promise<string> {
    return this.#buckets.shareLink(this.#jobs.require(jobId), expiresInSeconds);
  }

  /** The buckets the endpoint's credentials can list. */
  listBuckets(endpointId: string, signal: AbortSignal = this.#shutdown.signal): Promise<string[]> {
    return this.#buckets.listBuckets(endpointId, signal);
  }

  /** Incomplete multipart uploads in a bucket (or under a prefix), marked with the Ferry job they belong to. */
  listOrphans(endpointId: string, bucket: string, prefix: string, signal: AbortSignal = this.#shutdown.signal): Promise<OrphanUpload[]> {
    return this.#buckets.listOrphans(endpointId, bucket, prefix, this.#jobs.values(), signal);
  }

  /**
   * Aborts incomplete uploads. One that belongs to a Ferry job aborts the job (so the job does not
   * later try to resume a deleted upload). Returns how many were aborted.
   */
  async abortOrphans(endpointId: string, bucket: string, uploads: readonly { key: string; uploadId: string }[]): Promise<number> {
    const jobIds = await this.#buckets.abortOrphans(endpointId, bucket, uploads, this.#jobs.values());
    if (jobIds.length > 0) await this.abort(jobIds);
    return uploads.length;
  }

  /**
   * Gives a browser-sourced job its file's reader (the page that holds the file connected); a
   * queued job waiting for it starts. `jobIds` that are not browser jobs are ignored.
   */
  attachSource(jobId: string, reader: BrowserFileReader): void {
    const job = this.#jobs.require(jobId);
    if (job.source !== 'browser') return;
    this.#sources.attach(jobId, reader);
    if (job.state === 'queued') this.#scheduler.enqueueOnce(jobId);
    this.#scheduler.schedule();
  }

  /** The page holding these jobs' files is gone: running ones return to the queue and wait for it. */
  async detachSource(jobIds: readonly string[]): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const id of jobIds) {
      if (!this.#sources.detach(id)) continue;
      const done = this.#scheduler.cancel(id, new JobCancelled('detach'));
      if (done) waits.push(done);
    }
    await Promise.all(waits);
  }

  /** True if a browser job's page is connected. */
  hasSource(jobId: string): boolean {
    return this.#sources.has(jobId);
  }

  /**
   * Drops the cached client of an endpoint whose settings or credentials changed; the next request
   * builds a new one (running jobs finish with the old one).
   */
  forgetEndpoint(endpointId: string): void {
    this.#gateways.forget(endpointId);
  }

  /** True for a browser job whose file is not available (drop it again to resume). */
  isWaitingForFile(job: Pick<Job, 'id' | 'source' | 'state'>): boolean {
    return this.#sources.isWaitingForFile(job);
  }

  /** Forgets completed or aborted jobs (the list's "Clear"); other states are refused. */
  removeJobs(ids: readonly string[]): void {
    this.#commands.remove(ids);
  }

  /** Resolves when no job is queued or uploading. */
  whenIdle(): Promise<void> {
    return this.#scheduler.whenIdle();
  }

  /**
   * Stops the engine: cancels running uploads (they stay 'uploading' in the store, as after a crash,
   * and the next open resumes or pauses them per `interrupted`), writes the store, releases the
   * data directory.
   */
  async close(): Promise<void> {
    if (this.#scheduler.closed) return;
    await this.#scheduler.close();
    this.#shutdown.abort(new JobCancelled('shutdown'));
    this.#progress.stop();
    this.#jobs.store.close();
    this.#lock.release();
    this.#gateways.destroyAll();
    this.#scheduler.releaseIdleWaiters();
  }
}
