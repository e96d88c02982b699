/**
 * One run of one job, to the state it ends in: wires the uploader (uploader.ts) to the job's
 * endpoint, source, stored parts and SSE-C key; records what it reports (UploadId, parts, bytes,
 * retries); and maps how the run ended to the job's transition (complete, pause, interrupt, fail),
 * cleaning up the upload's leftovers on the server where the job's end calls for it.
 */
import type { Emitter } from '../../shared/emitter.ts';
import { FerryError, toErrorInfo } from '../../shared/errors.ts';
import type { Job } from '../../shared/job.ts';
import type { JobRetry } from '../../shared/retry.ts';
import { openSealed, type SecretVault } from '../endpoints/vault.ts';
import type { Bandwidth } from './bandwidth.ts';
import type { BrowserSources } from './browserSources.ts';
import type { BucketOps } from './bucketOps.ts';
import type { CopySources } from './changes.ts';
import type { EngineEvent } from './events.ts';
import type { Gateways } from './gateways.ts';
import type { JobTable } from './jobTable.ts';
import { requireVault } from './jobSpec.ts';
import { waitUntilReachable } from './reachability.ts';
import { JobCancelled } from './scheduler.ts';
import { runUpload } from './uploader.ts';

export interface RunnerDeps {
  jobs: JobTable;
  gateways: Gateways;
  buckets: BucketOps;
  sources: BrowserSources;
  vault: SecretVault | null;
  bandwidth: Bandwidth;
  events: Emitter<EngineEvent>;
  /** "Upload changes only" jobs and the object each copies its unchanged parts from (changes.ts). */
  copySources: CopySources;
  /** Puts a job this runner sent back to 'queued' in the scheduler's queue again. */
  requeue(jobId: string): void;
  settings: {
    readonly stallTimeoutMs: number;
    /** Parts per ListParts page when resuming (0: the server's own). */
    readonly listPageSize: number;
  };
}

export class JobRunner {
  readonly #deps: RunnerDeps;
  #bytesSent = 0;

  constructor(deps: RunnerDeps) {
    this.#deps = deps;
  }

  /** Bytes sent by every run since the engine opened (a resent part counts again). */
  get bytesSent(): number {
    return this.#bytesSent;
  }

  /** Runs the job (in state 'uploading') until it ends or `signal` cancels it; never rejects. */
  async run(job: Job, signal: AbortSignal): Promise<void> {
    const { jobs, gateways, buckets, sources, events } = this.#deps;
    const store = jobs.store;
    try {
      const { gateway, profile } = await gateways.get(job.endpointId);
      const known = store.loadParts(job.id);
      job.bytesDone = known.reduce((sum, part) => sum + part.size, 0);
      // bytes of acknowledged parts; the rest of bytesDone is parts in flight
      let acknowledged = job.bytesDone;
      const openSource = sources.opener(job);
      const sealedKey = job.options?.sseC ? store.sealedKey(job.id) : null;
      const sseCKey = sealedKey === null ? undefined : openSealed(sealedKey, [requireVault(this.#deps.vault)], `sse-c:${job.id}`);
      const result = await runUpload({
        job,
        openSource,
        parts: new Map(known.map((part) => [part.partNumber, part])),
        gateway,
        whenReachable: (reachSignal) => waitUntilReachable(profile.url, reachSignal),
        stallTimeoutMs: this.#deps.settings.stallTimeoutMs,
        signal,
        listPageSize: this.#deps.settings.listPageSize || undefined,
        sseCKey,
        bandwidth: this.#deps.bandwidth,
        copyFrom: this.#deps.copySources.get(job.id),
        callbacks: {
          onKeyChanged: (key) => {
            job.key = key;
            store.saveJob(job);
            events.emit({ type: 'job-changed', job: { ...job } });
          },
          onUploadId: (uploadId) => {
            job.uploadId = uploadId;
            // a job must never lose its UploadId: on a full disk (every job is pausing) stop here
            jobs.save(job);
            if (jobs.isUnsaved(job.id)) throw new JobCancelled('pause', jobs.diskFull);
            jobs.clearRetry(job.id);
          },
          onPartsReplaced: (parts) => {
            store.replaceParts(job.id, parts);
            // parts sent while the server's list was read may still be in flight (uploader.ts sendAhead)
            const inFlight = job.bytesDone - acknowledged;
            acknowledged = parts.reduce((sum, part) => sum + part.size, 0);
            job.bytesDone = acknowledged + inFlight;
            jobs.clearRetry(job.id);
          },
          onPart: (part, adopted) => {
            if (adopted) job.bytesDone += part.size;
            acknowledged += part.size;
            store.recordPart(job.id, part);
            jobs.clearRetry(job.id);
            events.emit({ type: 'part-uploaded', jobId: job.id, partNumber: part.partNumber });
          },
          onBytes: (delta) => {
            job.bytesDone += delta;
            if (delta > 0) this.#bytesSent += delta;
          },
          onCreateSent: () => buckets.noteCreateSent(job.id),
          onRetry: (error, attempt, delayMs, notice) => {
            if (signal.aborted) return;
            const retry: JobRetry = {
              attempt: attempt + 1,
              maxAttempts: notice.maxAttempts,
              nextRetryAt: Date.now() + delayMs,
              giveUpAt: notice.giveUpAt,
              error: { code: error.code, message: error.message },
            };
            jobs.setRetry(job.id, retry);
            events.emit({ type: 'retrying', jobId: job.id, error: error.toInfo(), attempt, delayMs, retry });
          },
        },
      });
      await buckets.abortLeftovers(job, null);
      if (result.versionId) store.saveVersionId(job.id, result.versionId); // before its receipt can be asked for
      jobs.transition(job, 'complete', {
        etag: result.etag,
        bytesDone: job.size,
        completedAt: Date.now(),
        error: null,
        ...(result.skipped ? { skipped: true } : {}),
      });
      this.#deps.copySources.delete(job.id);
    } catch (error) {
      await this.#afterRun(job, signal, error);
    }
  }

  /** The run stopped before completing: a cancellation (by its reason), a page gone, or a failure. */
  async #afterRun(job: Job, signal: AbortSignal, error: unknown): Promise<void> {
    const { jobs, buckets, sources } = this.#deps;
    const store = jobs.store;
    store.flush();
    const known = store.loadParts(job.id);
    const bytesDone = known.reduce((sum, part) => sum + part.size, 0);
    const reason = signal.aborted ? signal.reason : null;
    if (reason instanceof JobCancelled) {
      job.bytesDone = bytesDone;
      if (reason.kind === 'pause') jobs.transition(job, 'pause', reason.error ? { bytesDone, error: reason.error } : { bytesDone });
      else if (reason.kind === 'detach') jobs.transition(job, 'interrupt', { bytesDone });
      // 'shutdown': left 'uploading' on purpose; Engine.open returns it to the queue (or pauses it)
      // 'abort': Engine.abort() finishes the job once the run has stopped
      return;
    }
    if (job.source === 'browser' && error instanceof FerryError && error.code === 'FILE_NOT_AVAILABLE') {
      // the page holding the file went away mid-upload: wait for it instead of failing
      sources.detach(job.id);
      jobs.transition(job, 'interrupt', { bytesDone });
      return;
    }
    const info = toErrorInfo(error);
    // the object to copy from was replaced: a retry sends the whole file, as the message says
    if (info.code === 'OBJECT_CHANGED') this.#deps.copySources.delete(job.id);
    if (info.code === 'ANSWER_NEEDED') {
      // an answer for its whole drop came while its check of the key was on its way (the check read
      // "ask" before it): it runs again with that answer instead of asking once more
      if (job.options?.ifExists !== 'ask') {
        jobs.transition(job, 'interrupt', { bytesDone });
        return this.#deps.requeue(job.id);
      }
      // the key is taken and the job asks (existsQuestion.ts): it waits, paused, for an answer
      return jobs.transition(job, 'pause', { error: info, bytesDone });
    }
    // a changed file keeps its upload: "send only what changed" may still use it (issue #15)
    if (info.restart && job.uploadId !== null && !(info.code === 'FILE_CHANGED' && job.multipart)) {
      // it cannot be retried as it is: its upload is of no use to a new start, so nothing is kept
      await buckets.abortLeftovers(job, null);
      job.uploadId = null;
      store.replaceParts(job.id, []);
      jobs.transition(job, 'fail', { error: info, bytesDone: 0, uploadId: null });
      return;
    }
    // a server that does not answer well now is not asked more: the job's end (or ferry orphans) cleans up
    if (!info.retryable) await buckets.abortLeftovers(job, job.uploadId);
    jobs.transition(job, 'fail', { error: info, bytesDone });
  }
}
