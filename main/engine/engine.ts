/**
 * The engine: the public face of Ferry's upload machinery, the same for the desktop app, the browser
 * host and the CLI. It owns the job store, the state machine's transitions (shared/job.ts), the
 * scheduler (a file-level worker pool of `maxActiveJobs` plus one request limit shared by all jobs)
 * and one S3 client per endpoint. It knows nothing of Electron, HTTP or terminals.
 */
import { AbortMultipartUploadCommand, ListBucketsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Emitter } from '../../shared/emitter.ts';
import type { EndpointProfile } from '../../shared/endpoint.ts';
import { FerryError, missingCase, toErrorInfo, type ErrorInfo } from '../../shared/errors.ts';
import { canTransition, findJobs, isFinal, transition, type CompletedPart, type Job, type JobEvent } from '../../shared/job.ts';
import { DEFAULT_PART_SIZE, PartPlanError, planParts } from '../../shared/partPlan.ts';
import { bucketNameProblem, objectKeyProblem } from '../../shared/s3Names.ts';
import { SpeedMeter } from '../../shared/speed.ts';
import { acquireDataDirLock, type DataDirLock } from '../store/lock.ts';
import { JobStore } from '../store/jobStore.ts';
import { SourceFile, statFile } from './fileSource.ts';
import { BrowserPartSource, type BrowserFileReader } from './browserSource.ts';
import { Limiter } from './limiter.ts';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry.ts';
import { isUploadGone, toFerryError } from './s3Errors.ts';
import { createS3Client } from './s3Client.ts';
import { runUpload } from './uploader.ts';
import { abortOrphan, listOrphans, type OrphanUpload } from './orphans.ts';
import { serveControl, type ControlAction, type ControlServer } from './control.ts';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Where the engine gets an endpoint's profile and credentials (the vault, or a test's fixed values). */
export interface EndpointResolver {
  resolve(endpointId: string): Promise<{ profile: EndpointProfile; credentials: Credentials }>;
}

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
}

export interface JobSpec {
  /** A file on disk. Ignored when `browserFile` is given (then it is the display path). */
  path: string;
  /** A file in a browser page, streamed by it (the browser host); attach its reader with attachSource. */
  browserFile?: { size: number; lastModified: number };
  endpointId: string;
  bucket: string;
  key: string;
  partSize?: number;
  concurrency?: number;
  /**
   * An incomplete multipart upload to finish instead of starting one (adopting another tool's
   * orphan): the first run reconciles with its parts, keeps those whose bytes match the file and
   * sends the rest. `partSize` must be the upload's own.
   */
  uploadId?: string;
}

export type EngineEvent =
  | { type: 'jobs-added'; jobs: Job[] }
  | { type: 'job-changed'; job: Job }
  | { type: 'jobs-removed'; ids: string[] }
  | { type: 'progress'; jobId: string; bytesDone: number; bytesPerSecond: number }
  | { type: 'part-uploaded'; jobId: string; partNumber: number }
  | { type: 'retrying'; jobId: string; error: ErrorInfo; attempt: number; delayMs: number }
  | { type: 'idle' };

/**
 * Why a running job was cancelled: the reason of its AbortSignal.
 *   pause: the user paused it; abort: Engine.abort finishes it; detach: its browser page went away
 *   (back to the queue, waiting for the file); shutdown: the engine is closing (the job stays
 *   'uploading' in the store, exactly as after a crash, and the next open applies `interrupted`).
 */
export class JobCancelled extends Error {
  readonly kind: 'pause' | 'abort' | 'detach' | 'shutdown';
  constructor(kind: 'pause' | 'abort' | 'detach' | 'shutdown') {
    super(`Job ${kind}`);
    this.name = 'JobCancelled';
    this.kind = kind;
  }
}

interface RunningJob {
  controller: AbortController;
  done: Promise<void>;
  speed: SpeedMeter;
  reported: number;
}

interface Client {
  client: S3Client;
  profile: EndpointProfile;
}

export class Engine {
  /** Every change to a job, progress (coalesced), retries, and idleness. */
  readonly events = new Emitter<EngineEvent>();
  readonly dataDir: string;

  readonly #store: JobStore;
  readonly #lock: DataDirLock;
  readonly #options: Required<Omit<EngineOptions, 'dataDir' | 'endpoints' | 'createClient'>>;
  readonly #createClient: typeof createS3Client;
  readonly #endpoints: EndpointResolver;
  readonly #jobs = new Map<string, Job>();
  readonly #queue: string[] = [];
  readonly #running = new Map<string, RunningJob>();
  readonly #clients = new Map<string, Promise<Client>>();
  /** Readers of browser-sourced jobs' files, while their page is connected. */
  readonly #browserReaders = new Map<string, BrowserFileReader>();
  readonly #limiter: Limiter;
  readonly #shutdown = new AbortController();
  #started: boolean;
  /** When set, only these jobs are started (the CLI's `upload` runs its own jobs, not the whole queue). */
  #scope: Set<string> | null = null;
  #closed = false;
  #progressTimer: NodeJS.Timeout | null = null;
  #idleWaiters: (() => void)[] = [];
  #bytesSent = 0;
  /** abort() calls still telling the server. */
  #aborting = 0;
  /** Where `ferry pause|resume|abort|retry` from another process reach this engine (control.ts). */
  #control: ControlServer | null = null;

  private constructor(options: EngineOptions, store: JobStore, lock: DataDirLock) {
    this.dataDir = options.dataDir;
    this.#store = store;
    this.#lock = lock;
    this.#endpoints = options.endpoints;
    this.#createClient = options.createClient ?? createS3Client;
    this.#options = {
      maxRequests: options.maxRequests ?? 8,
      // as many files at once as requests: small files are bound by round trips, not bytes
      maxActiveJobs: options.maxActiveJobs ?? 8,
      partConcurrency: options.partConcurrency ?? 8,
      partSize: options.partSize ?? DEFAULT_PART_SIZE,
      retryPolicy: options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      stallTimeoutMs: options.stallTimeoutMs ?? 45_000,
      progressIntervalMs: options.progressIntervalMs ?? 250,
      autoStart: options.autoStart ?? true,
      listPageSize: options.listPageSize ?? 0,
      interrupted: options.interrupted ?? 'resume',
    };
    this.#limiter = new Limiter(this.#options.maxRequests);
    this.#started = this.#options.autoStart;
  }

  /**
   * Opens the engine on a data directory: takes the directory's lock (a second engine is refused
   * with EngineLockedError naming the owner), opens the store, and returns jobs that were uploading
   * when the previous engine stopped or died to the queue (or pauses them, per `interrupted`).
   */
  static async open(options: EngineOptions): Promise<Engine> {
    mkdirSync(options.dataDir, { recursive: true });
    const lock = acquireDataDirLock(options.dataDir);
    let store: JobStore;
    try {
      store = JobStore.open(options.dataDir);
    } catch (error) {
      lock.release();
      throw new FerryError('STORE_ERROR', `Cannot open the job store in ${options.dataDir}: ${(error as Error).message}`, { cause: error });
    }
    const engine = new Engine(options, store, lock);
    engine.#load();
    try {
      engine.#control = await serveControl(options.dataDir, (action, ids) => engine.command(action, ids));
    } catch {
      // without the channel, other processes are refused as before (naming this one); uploads are unaffected
    }
    engine.#schedule();
    return engine;
  }

  /**
   * `ferry pause|resume|abort|retry`, from this process or another one (control.ts): jobs by id or
   * unique prefix, or (ids null) every job the action applies to. Returns the ids acted on, and those
   * queued again that this engine will not start (not started, or outside the jobs it runs).
   */
  async command(action: ControlAction, ids: readonly string[] | null): Promise<{ ids: string[]; notStarted: string[] }> {
    this.#assertOpen();
    const all = [...this.#jobs.values()];
    const targets = (ids === null ? all.filter((job) => canTransition(job.state, action)) : findJobs(all, ids)).map((job) => job.id);
    switch (action) {
      case 'pause':
        await this.pause(targets);
        break;
      case 'resume':
        this.resume(targets);
        break;
      case 'retry':
        this.retry(targets);
        break;
      case 'abort':
        await this.abort(targets);
        break;
      default:
        missingCase(action);
    }
    const queued = action === 'resume' || action === 'retry';
    const notStarted = queued ? targets.filter((id) => !this.#started || !this.#inScope(id)) : [];
    return { ids: targets, notStarted };
  }

  #load(): void {
    for (const job of this.#store.loadJobs()) {
      this.#jobs.set(job.id, job);
      if (job.state === 'uploading') {
        this.#transition(job, 'interrupt');
        if (this.#options.interrupted === 'pause') this.#transition(job, 'pause');
      }
      if (job.state === 'queued') this.#queue.push(job.id);
    }
  }

  /** Counters for tests and the benchmark: requests in flight (now and at most) and bytes sent. */
  stats(): { requestsInFlight: number; peakRequestsInFlight: number; bytesSent: number } {
    return { requestsInFlight: this.#limiter.active, peakRequestsInFlight: this.#limiter.peak, bytesSent: this.#bytesSent };
  }

  /** A snapshot of every job, oldest first. */
  list(): Job[] {
    return [...this.#jobs.values()].map((job) => ({ ...job }));
  }

  get(id: string): Job | undefined {
    const job = this.#jobs.get(id);
    return job ? { ...job } : undefined;
  }

  /** The parts the server has acknowledged for a job (as far as the store knows). */
  parts(id: string): CompletedPart[] {
    return this.#store.loadParts(this.#require(id).id);
  }

  /**
   * Checks and queues new jobs, all or none: a missing file, a bad key or bucket, an unknown
   * endpoint or a file too large for the endpoint refuses the whole batch before anything is stored.
   */
  async addJobs(specs: readonly JobSpec[]): Promise<Job[]> {
    this.#assertOpen();
    const now = Date.now();
    const jobs: Job[] = [];
    for (const spec of specs) {
      const keyProblem = objectKeyProblem(spec.key);
      if (keyProblem) throw new FerryError('INVALID_KEY', keyProblem);
      const bucketProblem = bucketNameProblem(spec.bucket);
      if (bucketProblem) throw new FerryError('INVALID_INPUT', bucketProblem);
      const { profile } = await this.#client(spec.endpointId);
      const fingerprint = spec.browserFile
        ? { size: spec.browserFile.size, mtimeMs: spec.browserFile.lastModified, ino: 'browser' }
        : await statFile(spec.path);
      let plan;
      try {
        plan = planParts(fingerprint.size, {
          preferredPartSize: spec.partSize ?? this.#options.partSize,
          minPartSize: profile.minPartSize,
          maxObjectSize: profile.maxObjectSize,
        });
      } catch (error) {
        if (error instanceof PartPlanError) {
          throw new FerryError(error.reason === 'file-too-large' ? 'FILE_TOO_LARGE' : 'INVALID_INPUT', `${spec.path}: ${error.message}`);
        }
        throw error;
      }
      if (spec.uploadId !== undefined && (!plan.multipart || plan.partSize !== spec.partSize)) {
        throw new FerryError('INVALID_INPUT', `${spec.path}: the upload's part size does not fit this endpoint's part plan for the file.`);
      }
      const concurrency = spec.concurrency ?? this.#options.partConcurrency;
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new FerryError('INVALID_INPUT', `Invalid concurrency: ${concurrency}`);
      jobs.push({
        id: randomUUID(),
        state: 'queued',
        source: spec.browserFile ? 'browser' : 'disk',
        path: spec.path,
        endpointId: spec.endpointId,
        bucket: spec.bucket,
        key: spec.key,
        size: fingerprint.size,
        fingerprint,
        multipart: plan.multipart,
        partSize: plan.partSize,
        partCount: plan.partCount,
        concurrency,
        uploadId: spec.uploadId ?? null,
        bytesDone: 0,
        etag: null,
        error: null,
        createdAt: now,
        updatedAt: now,
        completedAt: null,
      });
    }
    this.#store.insertJobs(jobs);
    for (const job of jobs) {
      this.#jobs.set(job.id, job);
      this.#queue.push(job.id);
    }
    this.events.emit({ type: 'jobs-added', jobs: jobs.map((job) => ({ ...job })) });
    this.#schedule();
    return jobs.map((job) => ({ ...job }));
  }

  /**
   * Preflight before queueing: one cheap request (ListObjectsV2, one key) that proves the endpoint is
   * reachable, the credentials are valid, the bucket exists and the region is right. Throws the
   * FerryError in words; returns warnings (e.g. the key may not list the bucket, which uploads do
   * not need).
   */
  async checkBucket(endpointId: string, bucket: string, signal: AbortSignal = this.#shutdown.signal): Promise<string[]> {
    const bucketProblem = bucketNameProblem(bucket);
    if (bucketProblem) throw new FerryError('INVALID_INPUT', bucketProblem);
    const { client, profile } = await this.#client(endpointId);
    const context = { operation: 'checking the bucket', bucket, endpoint: profile.name };
    try {
      await withRetry(
        () =>
          client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }), {
            abortSignal: AbortSignal.any([signal, AbortSignal.timeout(20_000)]),
          }),
        { signal, policy: { maxAttempts: 2, baseDelayMs: 300, maxDelayMs: 1000 }, context },
      );
      return [];
    } catch (error) {
      const ferry = toFerryError(error, context);
      if (ferry.code === 'ACCESS_DENIED') return [`The credentials may not list the bucket "${bucket}"; uploading anyway.`];
      throw ferry;
    }
  }

  /**
   * Starts uploading queued jobs (when opened with autoStart: false): all of them, or only `ids`
   * (then `whenIdle` waits for those alone).
   */
  start(ids?: Iterable<string>): void {
    this.#started = true;
    this.#scope = ids === undefined ? null : new Set([...(this.#scope ?? []), ...ids]);
    this.#schedule();
  }

  /** Pauses jobs: cancels their requests, keeps their UploadId and parts on the server. */
  async pause(ids: readonly string[]): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const job of ids.map((id) => this.#require(id))) {
      const running = this.#running.get(job.id);
      if (running) {
        running.controller.abort(new JobCancelled('pause'));
        waits.push(running.done);
      } else if (job.state === 'queued') {
        this.#transition(job, 'pause');
      } else if (job.state !== 'paused') {
        transition(job.state, 'pause'); // throws InvalidTransitionError in words
      }
    }
    await Promise.all(waits);
  }

  /** Queues paused jobs again; they continue where they stopped. */
  resume(ids: readonly string[]): void {
    for (const job of ids.map((id) => this.#require(id))) {
      if (job.state === 'queued' || job.state === 'uploading') continue;
      this.#transition(job, 'resume');
      this.#queue.push(job.id);
    }
    this.#schedule();
  }

  /** Queues failed jobs again. */
  retry(ids: readonly string[]): void {
    for (const job of ids.map((id) => this.#require(id))) {
      if (job.state === 'queued' || job.state === 'uploading') continue;
      this.#transition(job, 'retry', { error: null });
      this.#queue.push(job.id);
    }
    this.#schedule();
  }

  /**
   * Aborts jobs: cancels their requests, waits for them to stop, then calls AbortMultipartUpload so
   * the server frees the parts. If the server cannot be told, the job is left paused and the error
   * is thrown, so nothing is silently left behind.
   */
  async abort(ids: readonly string[]): Promise<void> {
    const jobs = ids.map((id) => this.#require(id));
    for (const job of jobs) if (job.state !== 'uploading') transition(job.state, 'abort');
    const errors: FerryError[] = [];
    // not idle until the server has been told: a host waiting for idleness must not close the engine first
    this.#aborting += 1;
    await Promise.all(
      jobs.map(async (job) => {
        const running = this.#running.get(job.id);
        if (running) {
          running.controller.abort(new JobCancelled('abort'));
          await running.done;
        }
        try {
          if (job.uploadId !== null) await this.#abortOnServer(job);
          this.#store.replaceParts(job.id, []);
          this.#transition(job, 'abort', { bytesDone: 0 });
        } catch (error) {
          const info = toErrorInfo(error);
          if (job.state === 'uploading') this.#transition(job, 'pause', { error: info });
          errors.push(error instanceof FerryError ? error : new FerryError('UNKNOWN', info.message));
        }
      }),
    ).finally(() => (this.#aborting -= 1));
    this.#schedule();
    if (errors.length > 0) throw errors[0];
  }

  async #abortOnServer(job: Job): Promise<void> {
    const { client, profile } = await this.#client(job.endpointId);
    try {
      await withRetry(
        () =>
          client.send(new AbortMultipartUploadCommand({ Bucket: job.bucket, Key: job.key, UploadId: job.uploadId! }), {
            abortSignal: this.#shutdown.signal,
          }),
        {
          signal: this.#shutdown.signal,
          policy: { ...this.#options.retryPolicy, maxAttempts: Math.min(4, this.#options.retryPolicy.maxAttempts) },
          context: { operation: 'aborting the multipart upload', bucket: job.bucket, endpoint: profile.name },
        },
      );
    } catch (error) {
      if (isUploadGone(error) || isUploadGone((error as { cause?: unknown }).cause)) return;
      throw error;
    }
  }

  /** The buckets the endpoint's credentials can list. */
  async listBuckets(endpointId: string, signal: AbortSignal = this.#shutdown.signal): Promise<string[]> {
    const { client, profile } = await this.#client(endpointId);
    const listed = await withRetry(() => client.send(new ListBucketsCommand({}), { abortSignal: signal }), {
      signal,
      policy: { maxAttempts: 2, baseDelayMs: 300, maxDelayMs: 1000 },
      context: { operation: 'listing buckets', endpoint: profile.name },
    });
    return (listed.Buckets ?? [])
      .map((bucket) => bucket.Name ?? '')
      .filter(Boolean)
      .sort();
  }

  /** Incomplete multipart uploads in a bucket (or under a prefix), marked with the Ferry job they belong to. */
  async listOrphans(
    endpointId: string,
    bucket: string,
    prefix: string,
    signal: AbortSignal = this.#shutdown.signal,
  ): Promise<OrphanUpload[]> {
    const { client, profile } = await this.#client(endpointId);
    const live = new Map<string, string>();
    for (const job of this.#jobs.values()) {
      if (job.uploadId && job.endpointId === endpointId && !isFinal(job.state)) live.set(job.uploadId, job.id);
    }
    return listOrphans(client, bucket, prefix, live, signal, profile.name);
  }

  /**
   * Aborts incomplete uploads. One that belongs to a Ferry job aborts the job (so the job does not
   * later try to resume a deleted upload). Returns how many were aborted.
   */
  async abortOrphans(endpointId: string, bucket: string, uploads: readonly { key: string; uploadId: string }[]): Promise<number> {
    const { client, profile } = await this.#client(endpointId);
    const jobIds: string[] = [];
    for (const upload of uploads) {
      const job = [...this.#jobs.values()].find((j) => j.uploadId === upload.uploadId && !isFinal(j.state));
      if (job) jobIds.push(job.id);
      else await abortOrphan(client, bucket, upload.key, upload.uploadId, this.#shutdown.signal, profile.name);
    }
    if (jobIds.length > 0) await this.abort(jobIds);
    return uploads.length;
  }

  /**
   * Gives a browser-sourced job its file's reader (the page that holds the file connected); a
   * queued job waiting for it starts. `jobIds` that are not browser jobs are ignored.
   */
  attachSource(jobId: string, reader: BrowserFileReader): void {
    const job = this.#require(jobId);
    if (job.source !== 'browser') return;
    this.#browserReaders.set(jobId, reader);
    if (job.state === 'queued' && !this.#queue.includes(jobId)) this.#queue.push(jobId);
    this.#schedule();
  }

  /** The page holding these jobs' files is gone: running ones return to the queue and wait for it. */
  async detachSource(jobIds: readonly string[]): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const id of jobIds) {
      if (!this.#browserReaders.delete(id)) continue;
      const running = this.#running.get(id);
      if (running) {
        running.controller.abort(new JobCancelled('detach'));
        waits.push(running.done);
      }
    }
    await Promise.all(waits);
  }

  /** True if a browser job's page is connected. */
  hasSource(jobId: string): boolean {
    return this.#browserReaders.has(jobId);
  }

  /**
   * Drops the cached client of an endpoint whose settings or credentials changed; the next request
   * builds a new one (running jobs finish with the old one).
   */
  forgetEndpoint(endpointId: string): void {
    this.#clients.delete(endpointId);
  }

  /** True for a browser job whose file is not available (drop it again to resume). */
  isWaitingForFile(job: Pick<Job, 'id' | 'source' | 'state'>): boolean {
    return job.source === 'browser' && (job.state === 'queued' || job.state === 'uploading') && !this.#browserReaders.has(job.id);
  }

  /** Forgets completed or aborted jobs (the list's "Clear"); other states are refused. */
  removeJobs(ids: readonly string[]): void {
    const jobs = ids.map((id) => this.#require(id));
    for (const job of jobs) {
      if (!isFinal(job.state)) {
        throw new FerryError('INVALID_TRANSITION', `Only completed or aborted jobs can be cleared; ${job.path} is ${job.state}.`);
      }
    }
    this.#store.deleteJobs(jobs.map((job) => job.id));
    for (const job of jobs) this.#jobs.delete(job.id);
    this.events.emit({ type: 'jobs-removed', ids: jobs.map((job) => job.id) });
  }

  /** Resolves when no job is queued or uploading. */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops the engine: cancels running uploads (they stay 'uploading' in the store, as after a crash,
   * and the next open resumes or pauses them per `interrupted`), writes the store, releases the
   * data directory.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const control = this.#control?.close();
    const running = [...this.#running.values()];
    for (const job of running) job.controller.abort(new JobCancelled('shutdown'));
    await Promise.all(running.map((job) => job.done));
    this.#shutdown.abort(new JobCancelled('shutdown'));
    this.#stopProgress();
    await control;
    this.#store.close();
    this.#lock.release();
    for (const client of this.#clients.values())
      client.then(
        (c) => c.client.destroy(),
        () => undefined,
      );
    this.#clients.clear();
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  // ---- internals ----

  #require(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new FerryError('JOB_NOT_FOUND', `No job with id ${id}.`);
    return job;
  }

  #assertOpen(): void {
    if (this.#closed) throw new FerryError('STORE_ERROR', 'The engine is closed.');
  }

  /** The only place a job's state changes: checks the event against the table, stores, tells. */
  #transition(job: Job, event: JobEvent, patch: Partial<Job> = {}): void {
    const state = transition(job.state, event);
    Object.assign(job, patch, { state, updatedAt: Date.now() });
    this.#store.saveJob(job);
    this.events.emit({ type: 'job-changed', job: { ...job } });
  }

  #client(endpointId: string): Promise<Client> {
    let client = this.#clients.get(endpointId);
    if (!client) {
      client = this.#endpoints.resolve(endpointId).then(({ profile, credentials }) => ({
        profile,
        client: this.#createClient(profile, credentials, {
          maxSockets: this.#options.maxRequests + 4,
          socketTimeoutMs: this.#options.stallTimeoutMs,
        }),
      }));
      client.catch(() => this.#clients.delete(endpointId));
      this.#clients.set(endpointId, client);
    }
    return client;
  }

  #isIdle(): boolean {
    return this.#running.size === 0 && this.#aborting === 0 && !this.#queue.some((id) => this.#isStartable(id));
  }

  /** Queued, in scope, and (browser jobs) with its file's page connected. */
  #isStartable(id: string): boolean {
    const job = this.#jobs.get(id);
    return job?.state === 'queued' && this.#inScope(id) && (job.source === 'disk' || this.#browserReaders.has(id));
  }

  #inScope(id: string): boolean {
    return this.#scope === null || this.#scope.has(id);
  }

  #schedule(): void {
    if (this.#closed || !this.#started) return;
    for (let i = 0; i < this.#queue.length && this.#running.size < this.#options.maxActiveJobs;) {
      const id = this.#queue[i]!;
      const job = this.#jobs.get(id);
      if (job?.state !== 'queued' || this.#running.has(id)) {
        this.#queue.splice(i, 1); // no longer queued: drop it
      } else if (this.#isStartable(id)) {
        this.#queue.splice(i, 1);
        this.#startJob(job);
      } else if (job.source === 'browser' && !this.#browserReaders.has(id)) {
        this.#queue.splice(i, 1); // waits for its file; attachSource queues it again
      } else {
        i++;
      }
    }
    if (this.#isIdle()) {
      this.events.emit({ type: 'idle' });
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
  }

  #startJob(job: Job): void {
    this.#transition(job, 'start', { error: null });
    const controller = new AbortController();
    const running: RunningJob = { controller, done: Promise.resolve(), speed: new SpeedMeter(), reported: -1 };
    this.#running.set(job.id, running);
    running.done = this.#run(job, controller.signal).finally(() => {
      this.#running.delete(job.id);
      if (this.#running.size === 0) this.#stopProgress();
      this.#schedule();
    });
    this.#startProgress();
  }

  async #run(job: Job, signal: AbortSignal): Promise<void> {
    try {
      const { client, profile } = await this.#client(job.endpointId);
      const known = this.#store.loadParts(job.id);
      job.bytesDone = known.reduce((sum, part) => sum + part.size, 0);
      const reader = this.#browserReaders.get(job.id);
      const result = await runUpload({
        job,
        openSource: async () => {
          if (job.source === 'disk') return SourceFile.open(job.path);
          if (!reader) throw new FerryError('FILE_NOT_AVAILABLE', `Waiting for ${job.path}: drop the file again to resume.`);
          return new BrowserPartSource(reader, job.path);
        },
        parts: new Map(known.map((part) => [part.partNumber, part])),
        client,
        limiter: this.#limiter,
        retryPolicy: this.#options.retryPolicy,
        stallTimeoutMs: this.#options.stallTimeoutMs,
        endpointName: profile.name,
        signal,
        listPageSize: this.#options.listPageSize || undefined,
        callbacks: {
          onUploadId: (uploadId) => {
            job.uploadId = uploadId;
            this.#store.saveJob(job);
          },
          onPartsReplaced: (parts) => {
            this.#store.replaceParts(job.id, parts);
            job.bytesDone = parts.reduce((sum, part) => sum + part.size, 0);
          },
          onPart: (part) => {
            this.#store.recordPart(job.id, part);
            this.events.emit({ type: 'part-uploaded', jobId: job.id, partNumber: part.partNumber });
          },
          onBytes: (delta) => {
            job.bytesDone += delta;
            if (delta > 0) this.#bytesSent += delta;
          },
          onRetry: (error, attempt, delayMs) =>
            this.events.emit({ type: 'retrying', jobId: job.id, error: error.toInfo(), attempt, delayMs }),
        },
      });
      this.#transition(job, 'complete', { etag: result.etag, bytesDone: job.size, completedAt: Date.now(), error: null });
    } catch (error) {
      this.#afterRun(job, signal, error);
    }
  }

  #afterRun(job: Job, signal: AbortSignal, error: unknown): void {
    this.#store.flush();
    const known = this.#store.loadParts(job.id);
    const bytesDone = known.reduce((sum, part) => sum + part.size, 0);
    const reason = signal.aborted ? signal.reason : null;
    if (reason instanceof JobCancelled) {
      job.bytesDone = bytesDone;
      if (reason.kind === 'pause') this.#transition(job, 'pause', { bytesDone });
      else if (reason.kind === 'detach') this.#transition(job, 'interrupt', { bytesDone });
      // 'shutdown': left 'uploading' on purpose; Engine.open returns it to the queue (or pauses it)
      // 'abort': Engine.abort() finishes the job once the run has stopped
      return;
    }
    if (job.source === 'browser' && error instanceof FerryError && error.code === 'FILE_NOT_AVAILABLE') {
      // the page holding the file went away mid-upload: wait for it instead of failing
      this.#browserReaders.delete(job.id);
      this.#transition(job, 'interrupt', { bytesDone });
      return;
    }
    this.#transition(job, 'fail', { error: toErrorInfo(error), bytesDone });
  }

  #startProgress(): void {
    if (this.#progressTimer !== null) return;
    this.#progressTimer = setInterval(() => this.#reportProgress(), this.#options.progressIntervalMs);
    this.#progressTimer.unref();
  }

  #stopProgress(): void {
    if (this.#progressTimer === null) return;
    clearInterval(this.#progressTimer);
    this.#progressTimer = null;
  }

  #reportProgress(): void {
    const now = Date.now();
    for (const [id, running] of this.#running) {
      const job = this.#jobs.get(id);
      if (!job) continue;
      const bytesPerSecond = running.speed.sample(now, job.bytesDone);
      if (job.bytesDone === running.reported && bytesPerSecond === 0) continue;
      running.reported = job.bytesDone;
      this.events.emit({ type: 'progress', jobId: id, bytesDone: job.bytesDone, bytesPerSecond });
    }
  }
}
