/**
 * What users do to jobs: add, pause, resume, retry (or start over), abort, clear, and the control
 * channel's `command` over them; and the engine's own pause of everything on a full disk. Each
 * acts through the job table's transitions (shared/job.ts decides what is allowed) and the
 * scheduler's queue and cancellations.
 */
import type { Emitter } from '../../shared/emitter.ts';
import { FerryError, missingCase, toErrorInfo } from '../../shared/errors.ts';
import { canTransition, findJobs, isFinal, transition, type Job } from '../../shared/job.ts';
import { planParts } from '../../shared/partPlan.ts';
import type { SecretVault } from '../endpoints/vault.ts';
import type { BucketOps } from './bucketOps.ts';
import { decideChanges, describeDecision, type CopySources } from './changes.ts';
import type { ControlAction } from './control.ts';
import type { EngineEvent } from './events.ts';
import { statFile } from './fileSource.ts';
import type { Gateways } from './gateways.ts';
import { newJobs, type JobSpec } from './jobSpec.ts';
import type { JobTable } from './jobTable.ts';
import { JobCancelled, type Scheduler } from './scheduler.ts';
import { answerExists } from './existsQuestion.ts';
import type { ExistsAnswer } from '../../shared/existsAnswer.ts';

export interface CommandDeps {
  jobs: JobTable;
  scheduler: Scheduler;
  gateways: Gateways;
  buckets: BucketOps;
  events: Emitter<EngineEvent>;
  vault: SecretVault | null;
  /** Part size and parts in parallel of a job that does not say. */
  defaults: { readonly partSize: number; readonly partConcurrency: number };
  /** Throws when the engine is closed. */
  assertOpen: () => void;
  /** "Upload changes only" jobs and the object each copies its unchanged parts from (changes.ts). */
  copySources: CopySources;
  /** Aborted when the engine closes. */
  shutdown: AbortSignal;
}

export class JobCommands {
  readonly #deps: CommandDeps;
  readonly #jobs: JobTable;
  readonly #scheduler: Scheduler;
  readonly #buckets: BucketOps;
  #pausingForDisk = false;

  constructor(deps: CommandDeps) {
    this.#deps = deps;
    this.#jobs = deps.jobs;
    this.#scheduler = deps.scheduler;
    this.#buckets = deps.buckets;
  }

  /**
   * Checks and queues new jobs, all or none: a missing file, a bad key or bucket, an unknown
   * endpoint or a file too large for the endpoint refuses the whole batch before anything is stored.
   */
  async add(specs: readonly JobSpec[]): Promise<Job[]> {
    this.#deps.assertOpen();
    const table = this.#jobs;
    const scheduler = this.#scheduler;
    const gateways = this.#deps.gateways;
    const { jobs, sealed } = await newJobs(specs, {
      profileOf: async (endpointId) => (await gateways.get(endpointId)).profile,
      assertKeyFree: (spec, batch) => table.assertKeyFree(spec, batch),
      vault: this.#deps.vault,
      defaults: this.#deps.defaults,
    });
    table.insert(jobs, sealed);
    specs.forEach((spec, i) => {
      if (spec.copyFrom) this.#deps.copySources.set(jobs[i]!.id, spec.copyFrom);
    });
    for (const job of jobs) scheduler.enqueue(job.id);
    this.#deps.events.emit({ type: 'jobs-added', jobs: jobs.map((job) => ({ ...job })) });
    scheduler.schedule();
    return jobs.map((job) => ({ ...job }));
  }

  /**
   * `ferry pause|resume|abort|retry`, from this process or another one (control.ts): jobs by id or
   * unique prefix, or (ids null) every job the action applies to. Returns the ids acted on, and those
   * queued again that this engine will not start (not started, or outside the jobs it runs).
   */
  async command(action: ControlAction, ids: readonly string[] | null): Promise<{ ids: string[]; notStarted: string[] }> {
    this.#deps.assertOpen();
    const all = [...this.#jobs.values()];
    const event = action === 'restart' || action === 'changed' ? 'retry' : action;
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
      case 'changed':
        targets = [];
        for (const id of named) targets.push((await this.sendChangesOnly(id)).jobId);
        break;
      default:
        missingCase(action);
    }
    const queued = action === 'resume' || action === 'retry' || action === 'restart' || action === 'changed';
    const notStarted = queued ? targets.filter((id) => this.#scheduler.willNotStart(id)) : [];
    return { ids: targets, notStarted };
  }

  /**
   * Pauses jobs: cancels their requests, keeps their UploadId and parts on the server. Every job is
   * acted on before anything is awaited, so a queued job paused here never starts. Returns the ids paused.
   */
  async pause(ids: readonly string[]): Promise<string[]> {
    const waits: Promise<void>[] = [];
    const jobs = this.#applicable(ids, 'pause');
    for (const job of jobs) {
      const done = this.#scheduler.cancel(job.id, new JobCancelled('pause'));
      if (done) {
        waits.push(done);
      } else if (job.state === 'queued') {
        this.#jobs.transition(job, 'pause');
      }
    }
    await Promise.all(waits);
    return jobs.filter((job) => job.state === 'paused').map((job) => job.id); // a running one may have completed first
  }

  /** Queues paused jobs again; they continue where they stopped. Returns the ids queued. */
  resume(ids: readonly string[]): string[] {
    const jobs = this.#applicable(ids, 'resume');
    for (const job of jobs) {
      this.#jobs.transition(job, 'resume');
      this.#scheduler.enqueue(job.id);
    }
    this.#scheduler.schedule();
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
        const short = job.id.slice(0, 8);
        // a changed file kept its upload (jobRunner): its unchanged parts can still be used
        const changedOnly =
          job.error.code === 'FILE_CHANGED' && job.uploadId !== null
            ? `send only what changed (ferry retry --changed-only ${short}), or `
            : '';
        throw new FerryError(
          'INVALID_TRANSITION',
          `Job ${short} cannot be retried as it is (${job.error.message}): ${changedOnly}upload it again from the start (ferry retry --restart ${short}).`,
        );
      }
    }
    for (const job of jobs) if (options.restart && job.error?.restart) this.#jobs.assertKeyFree(job, []);
    for (const job of jobs) {
      if (options.restart) await this.#startOver(job);
      this.#jobs.transition(job, 'retry', { error: null });
      this.#scheduler.enqueue(job.id);
    }
    this.#scheduler.schedule();
    return jobs.map((job) => job.id);
  }

  /**
   * Aborts jobs: cancels their requests, waits for them to stop, then calls AbortMultipartUpload so
   * the server frees the parts. If the server cannot be told, the job is left paused and the error
   * is thrown, so nothing is silently left behind.
   */
  async abort(ids: readonly string[]): Promise<void> {
    const jobs = this.#applicable(ids, 'abort');
    const errors: FerryError[] = [];
    await this.#scheduler.whileAborting(() =>
      Promise.all(
        jobs.map(async (job) => {
          const done = this.#scheduler.cancel(job.id, new JobCancelled('abort'));
          if (done) {
            await done;
            if (!canTransition(job.state, 'abort')) return; // it completed before the abort landed
          }
          try {
            if (job.uploadId !== null) await this.#buckets.abortUpload(job);
            await this.#buckets.abortLeftovers(job, null);
            this.#jobs.store.replaceParts(job.id, []);
            this.#jobs.transition(job, 'abort', { bytesDone: 0 });
            this.#deps.copySources.delete(job.id);
          } catch (error) {
            const info = toErrorInfo(error);
            if (job.state === 'uploading') this.#jobs.transition(job, 'pause', { error: info });
            errors.push(error instanceof FerryError ? error : new FerryError('UNKNOWN', info.message));
          }
        }),
      ),
    );
    this.#scheduler.schedule();
    if (errors.length > 0) throw errors[0];
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
   * The window's answer to jobs that wait because their key exists (existsQuestion.ts): Replace,
   * Skip or Keep both, for these jobs or (wholeBatch) the rest of their drop. Returns the ids queued.
   */
  answerExists(ids: readonly string[], answer: ExistsAnswer, wholeBatch: boolean): string[] {
    this.#deps.assertOpen();
    const host = {
      jobs: () => [...this.#jobs.values()],
      save: (job: Job) => {
        this.#jobs.save(job);
        this.#deps.events.emit({ type: 'job-changed', job: { ...job } });
      },
      resume: (ids: string[]) => this.resume(ids),
    };
    return answerExists(host, ids, answer, wholeBatch);
  }

  /**
   * "Send only what changed" (issue #15, changes.ts) for a job whose file changed: an unfinished one
   * keeps its upload and sends only the parts whose bytes differ from the server's; a completed one
   * becomes a new job that copies its unchanged parts from the object on the server. Where that
   * cannot be, the job starts over (or the file is uploaded anew). Returns the job queued and what
   * was done, in words.
   */
  async sendChangesOnly(id: string): Promise<{ jobId: string; message: string }> {
    this.#deps.assertOpen();
    const [job] = findJobs([...this.#jobs.values()], [id]) as [Job];
    const { gateway, profile } = await this.#deps.gateways.get(job.endpointId);
    const decision = await decideChanges(job, this.#jobs.store.loadParts(job.id), profile, gateway, this.#deps.shutdown);
    const message = describeDecision(decision, job);
    if (job.state === 'completed') {
      const { path, endpointId, bucket, key, partSize, concurrency, options } = job;
      const spec: JobSpec = { path, endpointId, bucket, key, partSize, concurrency, options: { ...options, ifExists: 'overwrite' } };
      const copyFrom = decision.kind === 'copy' ? decision.source : undefined;
      const [added] = await this.add([{ ...spec, guessContentType: false, copyFrom }]);
      return { jobId: added!.id, message };
    }
    if (this.#scheduler.runningIds().includes(job.id)) {
      throw new FerryError('INVALID_TRANSITION', `Job ${job.id.slice(0, 8)} is uploading: pause it first.`);
    }
    if (decision.kind !== 'unchanged') this.#jobs.assertKeyFree(job, []);
    if (decision.kind === 'restart') await this.#startOver(job);
    if (decision.kind === 'resume') {
      // no part is trusted: the run's reconcile hashes every range against what the server holds
      this.#jobs.store.replaceParts(job.id, []);
      Object.assign(job, { fingerprint: decision.fingerprint, size: decision.size, partCount: decision.partCount, bytesDone: 0 });
    }
    if (job.state === 'queued') {
      this.#jobs.save(job);
      this.#deps.events.emit({ type: 'job-changed', job: { ...job } });
    } else this.#jobs.transition(job, job.state === 'paused' ? 'resume' : 'retry', { error: null });
    this.#scheduler.enqueueOnce(job.id);
    this.#scheduler.schedule();
    return { jobId: job.id, message };
  }

  /** Forgets completed or aborted jobs (the list's "Clear"); other states are refused. */
  remove(ids: readonly string[]): void {
    const jobs = ids.map((id) => this.#jobs.require(id));
    for (const job of jobs) {
      if (!isFinal(job.state)) {
        throw new FerryError('INVALID_TRANSITION', `Only completed or aborted jobs can be cleared; ${job.path} is ${job.state}.`);
      }
    }
    this.#jobs.delete(jobs.map((job) => job.id));
    for (const job of jobs) this.#deps.copySources.delete(job.id);
    this.#deps.events.emit({ type: 'jobs-removed', ids: jobs.map((job) => job.id) });
  }

  /** The disk holding the data directory is full: pause every running and queued job, saying why. */
  pauseForDiskFull(error: FerryError): void {
    if (this.#pausingForDisk || this.#scheduler.closed) return;
    this.#pausingForDisk = true;
    try {
      const info = error.toInfo();
      this.#jobs.setDiskFull(info);
      for (const id of this.#scheduler.runningIds()) {
        void this.#scheduler.cancel(id, new JobCancelled('pause', info));
        this.#jobs.markUnsaved(id);
      }
      for (const job of this.#jobs.values()) {
        if (job.state === 'queued') this.#jobs.transition(job, 'pause', { error: info });
      }
    } finally {
      this.#pausingForDisk = false;
    }
  }

  /**
   * The jobs of `ids` that can take `event` now; the others are skipped silently (issue #11, defect 9:
   * a bulk action over 2,000 small files meets jobs that finished since the window listed them).
   * One job alone that cannot take it, and is not already where the action leads, is refused in
   * words. Jobs already in the target state are no-ops.
   */
  #applicable(ids: readonly string[], event: 'pause' | 'resume' | 'retry' | 'abort'): Job[] {
    const jobs = ids.map((id) => this.#jobs.require(id));
    const already = { pause: 'paused', resume: 'queued', retry: 'queued', abort: 'aborted' } as const;
    const can = (job: Job) => canTransition(job.state, event) && !(event !== 'abort' && job.state === already[event]);
    if (jobs.length === 1 && !can(jobs[0]!)) {
      const job = jobs[0]!;
      const harmless = job.state === already[event] || ((event === 'resume' || event === 'retry') && job.state === 'uploading');
      if (!harmless) transition(job.state, event); // throws InvalidTransitionError in words
    }
    return jobs.filter(can);
  }

  /** Forgets a job's upload and parts (aborting the upload) and plans it again from the file as it is now. */
  async #startOver(job: Job): Promise<void> {
    const fingerprint = job.source === 'browser' ? job.fingerprint : await statFile(job.path);
    const { profile } = await this.#deps.gateways.get(job.endpointId);
    const plan = planParts(fingerprint.size, {
      preferredPartSize: job.partSize,
      minPartSize: profile.minPartSize,
      maxObjectSize: profile.maxObjectSize,
    });
    if (job.uploadId !== null) await this.#buckets.abortUpload(job);
    this.#jobs.store.replaceParts(job.id, []);
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
    this.#jobs.store.saveJob(job);
  }
}
