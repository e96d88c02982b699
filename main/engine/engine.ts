/**
 * The engine: the public face of Ferry's upload machinery, the same for the desktop app, the browser
 * host and the CLI. It owns the job store, the state machine's transitions (shared/job.ts), the
 * scheduler (a file-level worker pool of `maxActiveJobs` plus one request limit shared by all jobs)
 * and one S3 client per endpoint. It knows nothing of Electron, HTTP or terminals.
 */
import { AbortMultipartUploadCommand, ListBucketsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { randomUUID } from 'node:crypto';
import { Emitter } from '../../shared/emitter.ts';
import type { EndpointIntegrity, EndpointProfile } from '../../shared/endpoint.ts';
import { FerryError, missingCase, toErrorInfo, type ErrorInfo } from '../../shared/errors.ts';
import { canTransition, findJobs, isFinal, transition, type CompletedPart, type Job, type JobEvent } from '../../shared/job.ts';
import { DEFAULT_PART_SIZE, PartPlanError, planParts } from '../../shared/partPlan.ts';
import { bucketNameProblem, objectKeyProblem } from '../../shared/s3Names.ts';
import { SpeedMeter } from '../../shared/speed.ts';
import { acquireDataDirLock, type DataDirLock } from '../store/lock.ts';
import { secureDataDir } from '../store/database.ts';
import { JobStore } from '../store/jobStore.ts';
import { isDiskFull } from '../store/database.ts';
import { SourceFile, statFile } from './fileSource.ts';
import { BrowserPartSource, type BrowserFileReader } from './browserSource.ts';
import { Limiter } from './limiter.ts';
import { DEFAULT_GIVE_UP_AFTER_MS, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
import type { JobRetry } from '../../shared/retry.ts';
import { isUploadGone } from './s3Errors.ts';
import { createS3Client } from './s3Client.ts';
import { S3Gateway, retryPolicies } from './gateway.ts';
import { runUpload } from './uploader.ts';
import { abortJobLeftovers, abortOrphan, listOrphans, type OrphanUpload } from './orphans.ts';
import type { ControlAction } from './control.ts';
import { Bandwidth } from './bandwidth.ts';
import { presignGet } from './presign.ts';
import { openSealed, type SecretVault } from '../endpoints/vault.ts';
import { optionsIssue, uploadOptionsSchema, type UploadOptions } from '../../shared/uploadOptions.ts';
import mime from 'mime';
import { waitUntilReachable } from './reachability.ts';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Where the engine gets an endpoint's profile and credentials (the vault, or a test's fixed values). */
export interface EndpointResolver {
  resolve(endpointId: string): Promise<{ profile: EndpointProfile; credentials: Credentials }>;
  /** Stores which checks the endpoint validates, probed on its first upload (issue #14); absent: no probe. */
  recordIntegrity?(endpointId: string, integrity: EndpointIntegrity): void;
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
  /** The drop, folder or command this job came with: the window shows a batch as one item. */
  batch?: { id: string; name: string };
  /**
   * An incomplete multipart upload to finish instead of starting one (adopting another tool's
   * orphan): the first run reconciles with its parts, keeps those whose bytes match the file and
   * sends the rest. `partSize` must be the upload's own.
   */
  uploadId?: string;
  /** What the object is sent with (validated here); the endpoint's defaults are the host's to merge. */
  options?: UploadOptions;
  /** Guess the content type from the file name when `options.contentType` is not given (default true). */
  guessContentType?: boolean;
  /** The SSE-C key (base64 of 32 bytes) when `options.sseC`; sealed by the vault until the job ends. */
  sseCKey?: string;
}

/** The content type of a file name, or application/octet-stream when unknown. */
export function guessContentType(name: string): string {
  return mime.getType(name) ?? 'application/octet-stream';
}

export type EngineEvent =
  | { type: 'jobs-added'; jobs: Job[] }
  | { type: 'job-changed'; job: Job }
  | { type: 'jobs-removed'; ids: string[] }
  | { type: 'progress'; jobId: string; bytesDone: number; bytesPerSecond: number }
  | { type: 'part-uploaded'; jobId: string; partNumber: number }
  | { type: 'retrying'; jobId: string; error: ErrorInfo; attempt: number; delayMs: number; retry: JobRetry }
  /** A job's retry is over (a request succeeded, or the job left 'uploading'). */
  | { type: 'retry-cleared'; jobId: string }
  | { type: 'idle' };

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
  speed: SpeedMeter;
  reported: number;
  /** bytesDone at the last sample, and when it last grew: no growth for a while shows speed 0. */
  lastBytes: number;
  lastMovedAt: number;
  /** A speed of 0 was reported for the current bytesDone. */
  stillReported: boolean;
}

/** No byte moved for this long: the job's speed is 0 (and its ETA unknown), not a decaying average. */
export const STILL_AFTER_MS = 3000;

interface Client {
  gateway: S3Gateway;
  profile: EndpointProfile;
}

export class Engine {
  /** Every change to a job, progress (coalesced), retries, and idleness. */
  readonly events = new Emitter<EngineEvent>();
  readonly dataDir: string;

  readonly #store: JobStore;
  readonly #lock: DataDirLock;
  readonly #options: Required<Omit<EngineOptions, 'dataDir' | 'endpoints' | 'createClient' | 'vault' | 'bandwidthLimit'>>;
  readonly #createClient: typeof createS3Client;
  readonly #vault: SecretVault | null;
  /** The bandwidth limit shared by every job (`ferry limit` changes it live). */
  readonly #bandwidth: Bandwidth;
  readonly #endpoints: EndpointResolver;
  readonly #jobs = new Map<string, Job>();
  readonly #queue: string[] = [];
  readonly #running = new Map<string, RunningJob>();
  /** Jobs waiting to retry a request, as hosts show them. */
  readonly #retries = new Map<string, JobRetry>();
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
  /** Jobs that sent a CreateMultipartUpload since they started: their end looks for leftovers. */
  readonly #createdUploads = new Set<string>();
  /** abort() calls still telling the server. */
  #aborting = 0;
  /** Jobs whose last change a full disk kept from the store; written with the next successful save. */
  readonly #unsaved = new Set<string>();
  /** Set while the data directory's disk is full (every job was paused); cleared by a successful save. */
  #diskFull: ErrorInfo | null = null;
  #pausingForDisk = false;

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
      giveUpAfterMs: options.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS,
      stallTimeoutMs: options.stallTimeoutMs ?? 45_000,
      progressIntervalMs: options.progressIntervalMs ?? 250,
      autoStart: options.autoStart ?? true,
      listPageSize: options.listPageSize ?? 0,
      interrupted: options.interrupted ?? 'resume',
    };
    this.#limiter = new Limiter(this.#options.maxRequests);
    // the host's vault (the CLI's keychain or key file, the desktop app's safeStorage): the engine
    // imports no keeper itself, so that the desktop bundle carries none it does not use
    this.#vault = options.vault ?? null;
    this.#bandwidth = new Bandwidth(options.bandwidthLimit ?? null);
    this.#started = this.#options.autoStart;
    store.onDiskFull = (error) => this.#onDiskFull(error);
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
    engine.#load();
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
    const event = action === 'restart' ? 'retry' : action;
    const named = (ids === null ? all.filter((job) => canTransition(job.state, event)) : findJobs(all, ids)).map((job) => job.id);
    let targets: string[];
    switch (action) {
      case 'pause':
        targets = await this.pause(named);
        break;
      case 'resume':
        targets = this.resume(named);
        break;
      case 'retry':
      case 'restart':
        targets = await this.retry(named, { restart: action === 'restart' });
        break;
      case 'abort':
        targets = this.#applicable(named, 'abort').map((job) => job.id);
        await this.abort(targets);
        break;
      default:
        missingCase(action);
    }
    const queued = action === 'resume' || action === 'retry' || action === 'restart';
    const notStarted = queued ? targets.filter((id) => !this.#started || !this.#inScope(id)) : [];
    return { ids: targets, notStarted };
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

  #load(): void {
    this.#store.clearRetries(); // a retry lives only as long as the process that waits for it
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

  /** The retry a running job waits for, or null. */
  retryOf(id: string): JobRetry | null {
    return this.#retries.get(id) ?? null;
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
    const sealed = new Map<string, string>();
    for (const spec of specs) {
      const parsedOptions = uploadOptionsSchema.safeParse(spec.options ?? {});
      if (!parsedOptions.success) throw new FerryError('INVALID_INPUT', optionsIssue(parsedOptions.error));
      const options: UploadOptions = { ...parsedOptions.data };
      if (options.contentType === undefined && spec.guessContentType !== false) options.contentType = guessContentType(spec.key);
      if ((options.sseC === true) !== (spec.sseCKey !== undefined))
        throw new FerryError('INVALID_INPUT', 'An SSE-C upload needs its key, and a key needs SSE-C.');
      if (spec.sseCKey !== undefined && Buffer.from(spec.sseCKey, 'base64').length !== 32)
        throw new FerryError('INVALID_INPUT', 'The SSE-C key must be 32 bytes.');
      this.#assertKeyFree(spec, jobs);
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
      const id = randomUUID();
      if (spec.sseCKey !== undefined) sealed.set(id, this.#requireVault().seal(spec.sseCKey, `sse-c:${id}`));
      jobs.push({
        id,
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
        options,
        batchId: spec.batch?.id ?? null,
        batchName: spec.batch?.name ?? null,
      });
    }
    this.#store.insertJobs(jobs);
    for (const [id, key] of sealed) this.#store.setSealedKey(id, key);
    for (const job of jobs) {
      this.#jobs.set(job.id, job);
      this.#queue.push(job.id);
    }
    this.events.emit({ type: 'jobs-added', jobs: jobs.map((job) => ({ ...job })) });
    this.#schedule();
    return jobs.map((job) => ({ ...job }));
  }

  /**
   * One live job per endpoint, bucket and key: two would both say "completed" with only one file
   * stored (and abort each other's uploads as leftovers). Every command and host adds jobs through
   * the one engine that owns the data directory, so this is where a second one is refused.
   */
  #assertKeyFree(spec: Pick<JobSpec, 'endpointId' | 'bucket' | 'key' | 'path'> | Job, batch: readonly Job[]): void {
    const same = (job: Job) => job.endpointId === spec.endpointId && job.bucket === spec.bucket && job.key === spec.key;
    // a failed job holds its key while it can be retried as it is (it keeps its upload); one that
    // cannot (the file changed, the key existed under --if-exists fail) leaves it to a new upload,
    // and its own retry --restart checks the key again
    const holds = (job: Job) => !isFinal(job.state) && !(job.state === 'failed' && job.error?.restart === true);
    const taken = batch.find(same) ?? [...this.#jobs.values()].find((job) => same(job) && holds(job) && job !== spec);
    if (!taken) return;
    const what =
      taken.state === 'failed' || taken.state === 'paused'
        ? `a ${taken.state} job (${taken.id.slice(0, 8)})`
        : `job ${taken.id.slice(0, 8)}`;
    throw new FerryError(
      'JOB_CONFLICT',
      `s3://${spec.bucket}/${spec.key} is already the target of ${what}, uploading ${taken.path}: wait for it, or abort it first.`,
    );
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
    const { gateway } = await this.#client(endpointId);
    try {
      await gateway.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }), {
        operation: 'checking the bucket',
        bucket,
        policy: 'quick',
        signal,
        attemptTimeoutMs: 20_000,
      });
      return [];
    } catch (error) {
      if (error instanceof FerryError && error.code === 'ACCESS_DENIED')
        return [`The credentials may not list the bucket "${bucket}"; uploading anyway.`];
      throw error;
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

  /**
   * The jobs of `ids` that can take `event` now; the others are skipped silently (issue #11, defect 9:
   * a bulk action over 2,000 small files meets jobs that finished since the window listed them).
   * One job alone that cannot take it, and is not already where the action leads, is refused in
   * words. Jobs already in the target state are no-ops.
   */
  #applicable(ids: readonly string[], event: 'pause' | 'resume' | 'retry' | 'abort'): Job[] {
    const jobs = ids.map((id) => this.#require(id));
    const already = { pause: 'paused', resume: 'queued', retry: 'queued', abort: 'aborted' } as const;
    const can = (job: Job) => canTransition(job.state, event) && !(event !== 'abort' && job.state === already[event]);
    if (jobs.length === 1 && !can(jobs[0]!)) {
      const job = jobs[0]!;
      const harmless = job.state === already[event] || ((event === 'resume' || event === 'retry') && job.state === 'uploading');
      if (!harmless) transition(job.state, event); // throws InvalidTransitionError in words
    }
    return jobs.filter(can);
  }

  /**
   * Pauses jobs: cancels their requests, keeps their UploadId and parts on the server. Every job is
   * acted on before anything is awaited, so a queued job paused here never starts. Returns the ids paused.
   */
  async pause(ids: readonly string[]): Promise<string[]> {
    const waits: Promise<void>[] = [];
    const jobs = this.#applicable(ids, 'pause');
    for (const job of jobs) {
      const running = this.#running.get(job.id);
      if (running) {
        running.controller.abort(new JobCancelled('pause'));
        waits.push(running.done);
      } else if (job.state === 'queued') {
        this.#transition(job, 'pause');
      }
    }
    await Promise.all(waits);
    return jobs.filter((job) => job.state === 'paused').map((job) => job.id); // a running one may have completed first
  }

  /** Queues paused jobs again; they continue where they stopped. Returns the ids queued. */
  resume(ids: readonly string[]): string[] {
    const jobs = this.#applicable(ids, 'resume');
    for (const job of jobs) {
      this.#transition(job, 'resume');
      this.#queue.push(job.id);
    }
    this.#schedule();
    return jobs.map((job) => job.id);
  }

  /**
   * Queues failed jobs again; returns the ids queued. A job that cannot be retried as it is (its error
   * says `restart`: the file changed) is refused in words unless `restart`, which starts it over from
   * the file as it is now: a new fingerprint and part plan, no parts, a new upload.
   */
  async retry(ids: readonly string[], options: { restart?: boolean } = {}): Promise<string[]> {
    const jobs = this.#applicable(ids, 'retry');
    for (const job of jobs) {
      if (job.error?.restart && !options.restart) {
        throw new FerryError(
          'INVALID_TRANSITION',
          `Job ${job.id.slice(0, 8)} cannot be retried as it is (${job.error.message}): upload it again from the start (ferry retry --restart ${job.id.slice(0, 8)}).`,
        );
      }
    }
    for (const job of jobs) if (options.restart && job.error?.restart) this.#assertKeyFree(job, []);
    for (const job of jobs) {
      if (options.restart) await this.#startOver(job);
      this.#transition(job, 'retry', { error: null });
      this.#queue.push(job.id);
    }
    this.#schedule();
    return jobs.map((job) => job.id);
  }

  /** Forgets a job's upload and parts (aborting the upload) and plans it again from the file as it is now. */
  async #startOver(job: Job): Promise<void> {
    const fingerprint = job.source === 'browser' ? job.fingerprint : await statFile(job.path);
    const { profile } = await this.#client(job.endpointId);
    const plan = planParts(fingerprint.size, {
      preferredPartSize: job.partSize,
      minPartSize: profile.minPartSize,
      maxObjectSize: profile.maxObjectSize,
    });
    if (job.uploadId !== null) await this.#abortOnServer(job);
    this.#store.replaceParts(job.id, []);
    Object.assign(job, {
      fingerprint,
      size: fingerprint.size,
      multipart: plan.multipart,
      partSize: plan.partSize,
      partCount: plan.partCount,
      uploadId: null,
      bytesDone: 0,
      etag: null,
    });
    this.#store.saveJob(job);
  }

  /**
   * Aborts jobs: cancels their requests, waits for them to stop, then calls AbortMultipartUpload so
   * the server frees the parts. If the server cannot be told, the job is left paused and the error
   * is thrown, so nothing is silently left behind.
   */
  async abort(ids: readonly string[]): Promise<void> {
    const jobs = this.#applicable(ids, 'abort');
    const errors: FerryError[] = [];
    // not idle until the server has been told: a host waiting for idleness must not close the engine first
    this.#aborting += 1;
    await Promise.all(
      jobs.map(async (job) => {
        const running = this.#running.get(job.id);
        if (running) {
          running.controller.abort(new JobCancelled('abort'));
          await running.done;
          if (!canTransition(job.state, 'abort')) return; // it completed before the abort landed
        }
        try {
          if (job.uploadId !== null) await this.#abortOnServer(job);
          await this.#abortLeftovers(job, null);
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
    const { gateway } = await this.#client(job.endpointId);
    try {
      await gateway.send(new AbortMultipartUploadCommand({ Bucket: job.bucket, Key: job.key, UploadId: job.uploadId! }), {
        operation: 'aborting the multipart upload',
        bucket: job.bucket,
        scope: 'upload',
        policy: 'cleanup',
        signal: this.#shutdown.signal,
      });
    } catch (error) {
      if (isUploadGone(error)) return;
      throw error;
    }
  }

  /** A presigned GET URL for a completed job's object, valid for `expiresInSeconds` (at most 7 days). */
  async shareLink(jobId: string, expiresInSeconds: number): Promise<string> {
    const job = this.#require(jobId);
    if (job.state !== 'completed')
      throw new FerryError('INVALID_INPUT', `${job.path} is ${job.state}: only a completed upload has a link.`);
    if (job.options?.sseC)
      throw new FerryError('INVALID_INPUT', 'An object encrypted with a customer key (SSE-C) cannot be shared by link.');
    const { gateway } = await this.#client(job.endpointId);
    return presignGet(gateway.client, job.bucket, job.key, expiresInSeconds);
  }

  /** The buckets the endpoint's credentials can list. */
  async listBuckets(endpointId: string, signal: AbortSignal = this.#shutdown.signal): Promise<string[]> {
    const { gateway } = await this.#client(endpointId);
    const listed = await gateway.send(new ListBucketsCommand({}), { operation: 'listing buckets', policy: 'quick', signal });
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
    const { gateway } = await this.#client(endpointId);
    const live = new Map<string, string>();
    for (const job of this.#jobs.values()) {
      if (job.uploadId && job.endpointId === endpointId && !isFinal(job.state)) live.set(job.uploadId, job.id);
    }
    return listOrphans(gateway, bucket, prefix, live, signal);
  }

  /**
   * Aborts incomplete uploads. One that belongs to a Ferry job aborts the job (so the job does not
   * later try to resume a deleted upload). Returns how many were aborted.
   */
  async abortOrphans(endpointId: string, bucket: string, uploads: readonly { key: string; uploadId: string }[]): Promise<number> {
    const { gateway } = await this.#client(endpointId);
    const jobIds: string[] = [];
    for (const upload of uploads) {
      const job = [...this.#jobs.values()].find((j) => j.uploadId === upload.uploadId && !isFinal(j.state));
      if (job) jobIds.push(job.id);
      else await abortOrphan(gateway, bucket, upload.key, upload.uploadId, this.#shutdown.signal);
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
    const running = [...this.#running.values()];
    for (const job of running) job.controller.abort(new JobCancelled('shutdown'));
    await Promise.all(running.map((job) => job.done));
    this.#shutdown.abort(new JobCancelled('shutdown'));
    this.#stopProgress();
    this.#store.close();
    this.#lock.release();
    for (const client of this.#clients.values())
      client.then(
        (c) => c.gateway.client.destroy(),
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
    if (this.#retries.delete(job.id)) this.#store.saveRetry(job.id, null);
    this.#save(job);
    // an SSE-C key lives as long as its job may still send a request
    if ((state === 'completed' || state === 'aborted') && job.options?.sseC) this.#store.setSealedKey(job.id, null);
    this.events.emit({ type: 'job-changed', job: { ...job } });
  }

  /**
   * Writes a job (and any a full disk kept back). On a full disk the change stays in memory, the
   * job is written later, and every job is paused (#onDiskFull): the process and its jobs live on.
   */
  #save(job: Job): void {
    try {
      this.#store.saveJob(job);
      for (const id of this.#unsaved) {
        const other = this.#jobs.get(id);
        if (other && other !== job) this.#store.saveJob(other);
      }
      this.#unsaved.clear();
      this.#diskFull = null;
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      this.#unsaved.add(job.id);
    }
  }

  /** The disk holding the data directory is full: pause every running and queued job, saying why. */
  #onDiskFull(error: FerryError): void {
    if (this.#pausingForDisk || this.#closed) return;
    this.#pausingForDisk = true;
    try {
      const info = error.toInfo();
      this.#diskFull = info;
      for (const [id, running] of this.#running) {
        if (!running.controller.signal.aborted) running.controller.abort(new JobCancelled('pause', info));
        this.#unsaved.add(id);
      }
      for (const job of this.#jobs.values()) {
        if (job.state === 'queued') this.#transition(job, 'pause', { error: info });
      }
    } finally {
      this.#pausingForDisk = false;
    }
  }

  /**
   * The gateway's retry policies: the uploads' own ('transfer') carry the give-up-after setting,
   * read when a request fails, so that a change (setGiveUpAfter) applies at once.
   */
  #policies(): ReturnType<typeof retryPolicies> {
    const options = this.#options;
    const transfer: RetryPolicy = {
      ...options.retryPolicy,
      get giveUpAfterMs() {
        return options.giveUpAfterMs;
      },
    };
    return { ...retryPolicies(options.retryPolicy), transfer };
  }

  #requireVault(): SecretVault {
    if (this.#vault === null)
      throw new FerryError('INVALID_INPUT', 'This host keeps no SSE-C keys: upload with a customer key from the ferry command.');
    return this.#vault;
  }

  #client(endpointId: string): Promise<Client> {
    let client = this.#clients.get(endpointId);
    if (!client) {
      const resolved = this.#endpoints.resolve(endpointId).catch((error: unknown) => {
        // a job outlived its endpoint (removed, or removed and added again under a new id): say so
        // in words, never "No endpoint named <uuid>" (issue #11, defect 11)
        if (error instanceof FerryError && error.code === 'ENDPOINT_NOT_FOUND') {
          throw new FerryError(
            'ENDPOINT_NOT_FOUND',
            'The endpoint of this upload was removed. Upload the file again to an endpoint that exists (ferry endpoint list); to change an endpoint without stranding its uploads, edit it (ferry endpoint edit).',
          );
        }
        throw error;
      });
      client = resolved.then(({ profile, credentials }) => ({
        profile,
        gateway: new S3Gateway(
          this.#createClient(profile, credentials, {
            maxSockets: this.#options.maxRequests + 4,
            socketTimeoutMs: this.#options.stallTimeoutMs,
          }),
          profile,
          this.#limiter,
          this.#policies(),
          this.#endpoints.recordIntegrity && ((found) => this.#endpoints.recordIntegrity!(endpointId, found)),
        ),
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
      if (job?.state !== 'queued') {
        this.#queue.splice(i, 1); // no longer queued: drop it
      } else if (this.#running.has(id)) {
        i++; // queued again (a retry) while its last run winds down: that run's end schedules it
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
    const running: RunningJob = {
      controller,
      done: Promise.resolve(),
      speed: new SpeedMeter(),
      reported: -1,
      lastBytes: job.bytesDone,
      lastMovedAt: Date.now(),
      stillReported: false,
    };
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
      const { gateway, profile } = await this.#client(job.endpointId);
      const known = this.#store.loadParts(job.id);
      job.bytesDone = known.reduce((sum, part) => sum + part.size, 0);
      const reader = this.#browserReaders.get(job.id);
      const sealedKey = job.options?.sseC ? this.#store.sealedKey(job.id) : null;
      const sseCKey = sealedKey === null ? undefined : openSealed(sealedKey, [this.#requireVault()], `sse-c:${job.id}`);
      const result = await runUpload({
        job,
        openSource: async () => {
          if (job.source === 'disk') return SourceFile.open(job.path);
          if (!reader) throw new FerryError('FILE_NOT_AVAILABLE', `Waiting for ${job.path}: drop the file again to resume.`);
          return new BrowserPartSource(reader, job.path);
        },
        parts: new Map(known.map((part) => [part.partNumber, part])),
        gateway,
        whenReachable: (reachSignal) => waitUntilReachable(profile.url, reachSignal),
        stallTimeoutMs: this.#options.stallTimeoutMs,
        signal,
        listPageSize: this.#options.listPageSize || undefined,
        sseCKey,
        bandwidth: this.#bandwidth,
        callbacks: {
          onKeyChanged: (key) => {
            job.key = key;
            this.#store.saveJob(job);
            this.events.emit({ type: 'job-changed', job: { ...job } });
          },
          onUploadId: (uploadId) => {
            job.uploadId = uploadId;
            // a job must never lose its UploadId: on a full disk (every job is pausing) stop here
            this.#save(job);
            if (this.#unsaved.has(job.id)) throw new JobCancelled('pause', this.#diskFull);
            this.#clearRetry(job.id);
          },
          onPartsReplaced: (parts) => {
            this.#store.replaceParts(job.id, parts);
            job.bytesDone = parts.reduce((sum, part) => sum + part.size, 0);
            this.#clearRetry(job.id);
          },
          onPart: (part, adopted) => {
            if (adopted) job.bytesDone += part.size;
            this.#store.recordPart(job.id, part);
            this.#clearRetry(job.id);
            this.events.emit({ type: 'part-uploaded', jobId: job.id, partNumber: part.partNumber });
          },
          onBytes: (delta) => {
            job.bytesDone += delta;
            if (delta > 0) this.#bytesSent += delta;
          },
          onCreateSent: () => this.#createdUploads.add(job.id),
          onRetry: (error, attempt, delayMs, notice) => {
            if (signal.aborted) return;
            const retry: JobRetry = {
              attempt: attempt + 1,
              maxAttempts: notice.maxAttempts,
              nextRetryAt: Date.now() + delayMs,
              giveUpAt: notice.giveUpAt,
              error: { code: error.code, message: error.message },
            };
            this.#retries.set(job.id, retry);
            this.#store.saveRetry(job.id, retry);
            this.events.emit({ type: 'retrying', jobId: job.id, error: error.toInfo(), attempt, delayMs, retry });
          },
        },
      });
      await this.#abortLeftovers(job, null);
      this.#transition(job, 'complete', {
        etag: result.etag,
        bytesDone: job.size,
        completedAt: Date.now(),
        error: null,
        ...(result.skipped ? { skipped: true } : {}),
      });
    } catch (error) {
      await this.#afterRun(job, signal, error);
    }
  }

  /**
   * A job ended: abort the incomplete uploads Ferry made for its key since it began (a Create whose
   * answer was lost, the upload of a job that must start over), except `keep`. Best effort: the job's
   * own outcome stands whatever the server answers; `ferry orphans` finds what is left.
   */
  async #abortLeftovers(job: Job, keep: string | null): Promise<void> {
    // a job that never sent a CreateMultipartUpload in this engine left nothing (a single PUT's only
    // one is its reset probe); after a restart a multipart job is checked once
    if (!this.#createdUploads.delete(job.id) && !(job.multipart && job.uploadId !== null)) return;
    try {
      const { gateway } = await this.#client(job.endpointId);
      await abortJobLeftovers(gateway, job, keep, this.#shutdown.signal);
    } catch {
      // left for `ferry orphans`
    }
  }

  async #afterRun(job: Job, signal: AbortSignal, error: unknown): Promise<void> {
    this.#store.flush();
    const known = this.#store.loadParts(job.id);
    const bytesDone = known.reduce((sum, part) => sum + part.size, 0);
    const reason = signal.aborted ? signal.reason : null;
    if (reason instanceof JobCancelled) {
      job.bytesDone = bytesDone;
      if (reason.kind === 'pause') this.#transition(job, 'pause', reason.error ? { bytesDone, error: reason.error } : { bytesDone });
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
    const info = toErrorInfo(error);
    if (info.restart && job.uploadId !== null) {
      // it cannot be retried as it is: its upload is of no use to a new start, so nothing is kept
      await this.#abortLeftovers(job, null);
      job.uploadId = null;
      this.#store.replaceParts(job.id, []);
      this.#transition(job, 'fail', { error: info, bytesDone: 0, uploadId: null });
      return;
    }
    // a server that does not answer well now is not asked more: the job's end (or ferry orphans) cleans up
    if (!info.retryable) await this.#abortLeftovers(job, job.uploadId);
    this.#transition(job, 'fail', { error: info, bytesDone });
  }

  /** A request of the job succeeded: it no longer waits for a retry. */
  #clearRetry(jobId: string): void {
    if (!this.#retries.delete(jobId)) return;
    this.#store.saveRetry(jobId, null);
    this.events.emit({ type: 'retry-cleared', jobId });
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
      if (job.bytesDone > running.lastBytes) running.lastMovedAt = now;
      running.lastBytes = job.bytesDone;
      let bytesPerSecond = running.speed.sample(now, job.bytesDone);
      if (now - running.lastMovedAt >= STILL_AFTER_MS) {
        // nothing moved for a while: say so, instead of an average that decays for minutes
        bytesPerSecond = 0;
        running.speed.reset();
      }
      if (job.bytesDone === running.reported && bytesPerSecond === 0 && running.stillReported) continue;
      running.stillReported = bytesPerSecond === 0;
      running.reported = job.bytesDone;
      this.events.emit({ type: 'progress', jobId: id, bytesDone: job.bytesDone, bytesPerSecond });
    }
  }
}
