/**
 * The engine's jobs, in memory and in the store, and the only place a job's state changes
 * (`transition`, by shared/job.ts's table). It also keeps the retries jobs wait for, the rule of one
 * live job per key, and what a full disk kept from the store.
 */
import type { Emitter } from '../../shared/emitter.ts';
import { FerryError, type ErrorInfo } from '../../shared/errors.ts';
import { isFinal, transition, type Job, type JobEvent } from '../../shared/job.ts';
import type { JobRetry } from '../../shared/retry.ts';
import { isDiskFull } from '../store/database.ts';
import type { JobStore } from '../store/jobStore.ts';
import type { EngineEvent } from './events.ts';

export class JobTable {
  /** The store behind the table: parts, retries and sealed keys are read and written there directly. */
  readonly store: JobStore;
  readonly #events: Emitter<EngineEvent>;
  readonly #jobs = new Map<string, Job>();
  /** Jobs waiting to retry a request, as hosts show them. */
  readonly #retries = new Map<string, JobRetry>();
  /** Jobs whose last change a full disk kept from the store; written with the next successful save. */
  readonly #unsaved = new Set<string>();
  /** Set while the data directory's disk is full (every job was paused); cleared by a successful save. */
  #diskFull: ErrorInfo | null = null;

  constructor(store: JobStore, events: Emitter<EngineEvent>) {
    this.store = store;
    this.#events = events;
  }

  /**
   * Reads the store's jobs. Those left 'uploading' by the last engine are interrupted (back to the
   * queue), and paused too when `interrupted` says so. Returns the ids of queued jobs, oldest first.
   */
  load(interrupted: 'resume' | 'pause'): string[] {
    this.store.clearRetries(); // a retry lives only as long as the process that waits for it
    const queued: string[] = [];
    for (const job of this.store.loadJobs()) {
      this.#jobs.set(job.id, job);
      if (job.state === 'uploading') {
        this.transition(job, 'interrupt');
        if (interrupted === 'pause') this.transition(job, 'pause');
      }
      if (job.state === 'queued') queued.push(job.id);
    }
    return queued;
  }

  get(id: string): Job | undefined {
    return this.#jobs.get(id);
  }

  require(id: string): Job {
    const job = this.#jobs.get(id);
    if (!job) throw new FerryError('JOB_NOT_FOUND', `No job with id ${id}.`);
    return job;
  }

  /** Every job's id, oldest first. */
  ids(): string[] {
    return [...this.#jobs.keys()];
  }

  /** Every job, oldest first (live objects: the engine's own). */
  values(): IterableIterator<Job> {
    return this.#jobs.values();
  }

  /** Stores new jobs (and their sealed SSE-C keys) and holds them. */
  insert(jobs: readonly Job[], sealedKeys: ReadonlyMap<string, string>): void {
    this.store.insertJobs(jobs);
    for (const [id, key] of sealedKeys) this.store.setSealedKey(id, key);
    for (const job of jobs) this.#jobs.set(job.id, job);
  }

  /** Forgets jobs, in the store and here. */
  delete(ids: readonly string[]): void {
    this.store.deleteJobs(ids);
    for (const id of ids) this.#jobs.delete(id);
  }

  /**
   * One live job per endpoint, bucket and key: two would both say "completed" with only one file
   * stored (and abort each other's uploads as leftovers). Every command and host adds jobs through
   * the one engine that owns the data directory, so this is where a second one is refused.
   */
  assertKeyFree(spec: Pick<Job, 'endpointId' | 'bucket' | 'key' | 'path'> | Job, batch: readonly Job[]): void {
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

  /** The only place a job's state changes: checks the event against the table, stores, tells. */
  transition(job: Job, event: JobEvent, patch: Partial<Job> = {}): void {
    const state = transition(job.state, event);
    Object.assign(job, patch, { state, updatedAt: Date.now() });
    if (this.#retries.delete(job.id)) this.store.saveRetry(job.id, null);
    this.save(job);
    // an SSE-C key lives as long as its job may still send a request
    if ((state === 'completed' || state === 'aborted') && job.options?.sseC) this.store.setSealedKey(job.id, null);
    this.#events.emit({ type: 'job-changed', job: { ...job } });
  }

  /**
   * Writes a job (and any a full disk kept back). On a full disk the change stays in memory, the
   * job is written later, and every job is paused (Engine's disk-full handler): the process and its
   * jobs live on.
   */
  save(job: Job): void {
    try {
      this.store.saveJob(job);
      for (const id of this.#unsaved) {
        const other = this.#jobs.get(id);
        if (other && other !== job) this.store.saveJob(other);
      }
      this.#unsaved.clear();
      this.#diskFull = null;
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      this.#unsaved.add(job.id);
    }
  }

  /** The disk is full: `error` is shown on the jobs it pauses, until a save succeeds. */
  setDiskFull(error: ErrorInfo): void {
    this.#diskFull = error;
  }

  get diskFull(): ErrorInfo | null {
    return this.#diskFull;
  }

  /** A job's latest change must be written with the next successful save. */
  markUnsaved(id: string): void {
    this.#unsaved.add(id);
  }

  isUnsaved(id: string): boolean {
    return this.#unsaved.has(id);
  }

  /** The retry a running job waits for, or null. */
  retryOf(id: string): JobRetry | null {
    return this.#retries.get(id) ?? null;
  }

  /** A request of the job failed and will be retried: hosts show it. */
  setRetry(jobId: string, retry: JobRetry): void {
    this.#retries.set(jobId, retry);
    this.store.saveRetry(jobId, retry);
  }

  /** A request of the job succeeded: it no longer waits for a retry. */
  clearRetry(jobId: string): void {
    if (!this.#retries.delete(jobId)) return;
    this.store.saveRetry(jobId, null);
    this.#events.emit({ type: 'retry-cleared', jobId });
  }
}
