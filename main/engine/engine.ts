/**
 * The engine: the public face of Ferry's upload machinery, the same for the desktop app, the browser
 * host and the CLI. It owns the job store, the state machine's transitions (shared/job.ts), the
 * scheduler (a file-level worker pool of `maxActiveJobs` plus one request limit shared by all jobs)
 * and one S3 client per endpoint. It knows nothing of Electron, HTTP or terminals.
 */
import { Emitter } from '../../shared/emitter.ts';
import { FerryError } from '../../shared/errors.ts';
import type { CompletedPart, Job } from '../../shared/job.ts';
import { DEFAULT_PART_SIZE } from '../../shared/partPlan.ts';
import { acquireDataDirLock, type DataDirLock } from '../store/lock.ts';
import { secureDataDir } from '../store/database.ts';
import { JobStore } from '../store/jobStore.ts';
import type { BrowserFileReader } from './browserSource.ts';
import { BrowserSources } from './browserSources.ts';
import { Limiter } from './limiter.ts';
import { DEFAULT_GIVE_UP_AFTER_MS, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
import type { JobRetry } from '../../shared/retry.ts';
import { createS3Client } from './s3Client.ts';
import { Gateways, type EndpointResolver } from './gateways.ts';
import type { OrphanUpload } from './orphans.ts';
import { BucketOps } from './bucketOps.ts';
import type { ControlAction } from './control.ts';
import { Bandwidth } from './bandwidth.ts';
import type { SecretVault } from '../endpoints/vault.ts';
import { ProgressSampler } from './progress.ts';
import type { EngineEvent } from './events.ts';
import { JobTable } from './jobTable.ts';
import { JobCommands } from './jobCommands.ts';
import { JobRunner } from './jobRunner.ts';
import type { JobSpec } from './jobSpec.ts';
import { JobCancelled, Scheduler } from './scheduler.ts';

export type { EngineEvent } from './events.ts';
export { guessContentType, type JobSpec } from './jobSpec.ts';

export { STILL_AFTER_MS } from './progress.ts';
export { JobCancelled } from './scheduler.ts';

export type { Credentials, EndpointResolver } from './gateways.ts';

export interface EngineOptions {
  dataDir: string;
  endpoints: EndpointResolver;
  /** S3 requests in flight across all jobs (parts in flight, so memory, is bounded by it). */
  maxRequests?: number;
  /** Jobs uploading at once: the file-level worker pool. */
  maxActiveJobs?: number;
  /** Parallel parts within one job, unless the job says otherwise. */
  partConcurrency?: number;
  partSize?: number;
  retryPolicy?: RetryPolicy;
  /**
   * An outage (the endpoint unreachable or not answering) keeps a job retrying, with a backoff capped
   * at 60 s, for this long before it fails (default 15 minutes); the job resumes on its own when the
   * endpoint answers again.
   */
  giveUpAfterMs?: number;
  stallTimeoutMs?: number;
  /** Progress events per job at most this often. */
  progressIntervalMs?: number;
  /** Parts per ListParts page when resuming (default: the server's own, 1,000 on S3). */
  listPageSize?: number;
  /** Start uploading queued jobs as soon as the engine opens (default true). */
  autoStart?: boolean;
  /** What happens to uploads that were running when the last engine stopped or died (default resume). */
  interrupted?: 'resume' | 'pause';
  /** Makes an endpoint's S3 client (default createS3Client; unit tests pass an in-memory fake). */
  createClient?: typeof createS3Client;
  /** Seals jobs' SSE-C keys for their life (default: the data directory's vault). */
  vault?: SecretVault;
  /** Bytes per second across every job of the process, or null (default) for no limit. */
  bandwidthLimit?: number | null;
}

export class Engine {
  /** Every change to a job, progress (coalesced), retries, and idleness. */
  readonly events = new Emitter<EngineEvent>();
  readonly dataDir: string;

  readonly #store: JobStore;
  readonly #lock: DataDirLock;
  readonly #options: Required<Omit<EngineOptions, 'dataDir' | 'endpoints' | 'createClient' | 'vault' | 'bandwidthLimit'>>;
  readonly #vault: SecretVault | null;
  /** The bandwidth limit shared by every job (`ferry limit` changes it live). */
  readonly #bandwidth: Bandwidth;
  /** The jobs, in memory and in the store; every state change goes through it. */
  readonly #jobs: JobTable;
  /** The queue and the file-level worker pool. */
  readonly #scheduler: Scheduler;
  /** One S3 gateway per endpoint. */
  readonly #gateways: Gateways;
  /** Bucket checks and lists, share links, orphans, aborts on the server, leftovers. */
  readonly #buckets: BucketOps;
  /** The pages holding browser jobs' files. */
  readonly #sources = new BrowserSources();
  readonly #limiter: Limiter;
  readonly #shutdown = new AbortController();
  readonly #progress: ProgressSampler;
  /** One job's run, to the state it ends in. */
  readonly #runner: JobRunner;
  /** What users do to jobs: add, pause, resume, retry, abort, clear. */
  readonly #commands: JobCommands;

  private constructor(options: EngineOptions, store: JobStore, lock: DataDirLock) {
    this.dataDir = options.dataDir;
    this.#store = store;
    this.#jobs = new JobTable(store, this.events);
    this.#lock = lock;
    this.#options = {
      maxRequests: options.maxRequests ?? 8,
      // as many files at once as requests: small files are bound by round trips, not bytes
      maxActiveJobs: options.maxActiveJobs ?? 8,
      partConcurrency: options.partConcurrency ?? 8,
      partSize: options.partSize ?? DEFAULT_PART_SIZE,
      retryPolicy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      giveUpAfterMs: options.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS,
      stallTimeoutMs: options.stallTimeoutMs ?? 45_000,
      progressIntervalMs: options.progressIntervalMs ?? 250,
      autoStart: options.autoStart ?? true,
      listPageSize: options.listPageSize ?? 0,
      interrupted: options.interrupted ?? 'resume',
    };
    this.#limiter = new Limiter(this.#options.maxRequests);
    this.#gateways = new Gateways(options.endpoints, options.createClient ?? createS3Client, this.#limiter, this.#options);
    this.#buckets = new BucketOps(this.#gateways, this.#shutdown.signal);
    // the host's vault (the CLI's keychain or key file, the desktop app's safeStorage): the engine
    // imports no keeper itself, so that the desktop bundle carries none it does not use
    this.#vault = options.vault ?? null;
    this.#bandwidth = new Bandwidth(options.bandwidthLimit ?? null);
    this.#progress = new ProgressSampler(
      this.#options.progressIntervalMs,
      (id) => this.#jobs.get(id)?.bytesDone,
      (sample) => this.events.emit({ type: 'progress', ...sample }),
    );
    this.#runner = new JobRunner({
      jobs: this.#jobs,
      gateways: this.#gateways,
      buckets: this.#buckets,
      sources: this.#sources,
      vault: this.#vault,
      bandwidth: this.#bandwidth,
      events: this.events,
      settings: this.#options,
    });
    this.#scheduler = new Scheduler(this.#jobs, this.#sources, this.#progress, {
      maxActiveJobs: this.#options.maxActiveJobs,
      autoStart: this.#options.autoStart,
      run: (job, signal) => this.#runner.run(job, signal),
      onIdle: () => this.events.emit({ type: 'idle' }),
    });
    this.#commands = new JobCommands({
      jobs: this.#jobs,
      scheduler: this.#scheduler,
      gateways: this.#gateways,
      buckets: this.#buckets,
      events: this.events,
      vault: this.#vault,
      defaults: this.#options,
      assertOpen: () => this.#assertOpen(),
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
    for (const id of engine.#jobs.load(engine.#options.interrupted)) engine.#scheduler.enqueue(id);
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
    this.#options.giveUpAfterMs = ms;
  }

  get(id: string): Job | undefined {
    const job = this.#jobs.get(id);
    return job ? { ...job } : undefined;
  }

  /** The parts the server has acknowledged for a job (as far as the store knows). */
  parts(id: string): CompletedPart[] {
    return this.#store.loadParts(this.#jobs.require(id).id);
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
    this.#store.close();
    this.#lock.release();
    this.#gateways.destroyAll();
    this.#scheduler.releaseIdleWaiters();
  }

  // ---- internals ----

  #assertOpen(): void {
    if (this.#scheduler.closed) throw new FerryError('STORE_ERROR', 'The engine is closed.');
  }
}
