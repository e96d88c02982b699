/**
 * Where a job's bytes come from: its file on disk, or (the browser host) the page that holds the
 * dropped file, while that page is connected. A browser job without its page waits in the queue,
 * not started, until the page attaches again.
 */
import { FerryError } from '../../shared/errors.ts';
import type { Job } from '../../shared/job.ts';
import { BrowserPartSource, type BrowserFileReader } from './browserSource.ts';
import { SourceFile } from './fileSource.ts';
import type { JobTable } from './jobTable.ts';
import type { PartSource } from './partSource.ts';
import { JobCancelled, type Scheduler } from './scheduler.ts';

export class BrowserSources {
  /** Readers of browser-sourced jobs' files, while their page is connected. */
  readonly #readers = new Map<string, BrowserFileReader>();

  attach(jobId: string, reader: BrowserFileReader): void {
    this.#readers.set(jobId, reader);
  }

  /** Forgets a job's reader; false if it had none. */
  detach(jobId: string): boolean {
    return this.#readers.delete(jobId);
  }

  has(jobId: string): boolean {
    return this.#readers.has(jobId);
  }

  /** A disk job can always start; a browser job only while its page is connected. */
  canStart(job: Pick<Job, 'id' | 'source'>): boolean {
    return job.source === 'disk' || this.#readers.has(job.id);
  }

  /** True for a browser job whose file is not available (drop it again to resume). */
  isWaitingForFile(job: Pick<Job, 'id' | 'source' | 'state'>): boolean {
    return job.source === 'browser' && (job.state === 'queued' || job.state === 'uploading') && !this.#readers.has(job.id);
  }

  /** Opens the job's bytes for one run, with the page connected now (a later attach serves the next run). */
  opener(job: Pick<Job, 'id' | 'source' | 'path'>): () => Promise<PartSource> {
    const reader = this.#readers.get(job.id);
    return async () => {
      if (job.source === 'disk') return SourceFile.open(job.path);
      if (!reader) throw new FerryError('FILE_NOT_AVAILABLE', `Waiting for ${job.path}: drop the file again to resume.`);
      return new BrowserPartSource(reader, job.path);
    };
  }
}

/**
 * The engine's face to the browser host (`engine.sources`): the page holding a browser job's file
 * connects or goes, and the queue follows.
 */
export class PageSources {
  readonly #sources: BrowserSources;
  readonly #jobs: JobTable;
  readonly #scheduler: Scheduler;

  constructor(sources: BrowserSources, jobs: JobTable, scheduler: Scheduler) {
    this.#sources = sources;
    this.#jobs = jobs;
    this.#scheduler = scheduler;
  }

  /**
   * Gives a browser-sourced job its file's reader (the page that holds the file connected); a
   * queued job waiting for it starts. A job that is not a browser job is ignored.
   */
  attach(jobId: string, reader: BrowserFileReader): void {
    const job = this.#jobs.require(jobId);
    if (job.source !== 'browser') return;
    this.#sources.attach(jobId, reader);
    if (job.state === 'queued') this.#scheduler.enqueueOnce(jobId);
    this.#scheduler.schedule();
  }

  /** The page holding these jobs' files is gone: running ones return to the queue and wait for it. */
  async detach(jobIds: readonly string[]): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const id of jobIds) {
      if (!this.#sources.detach(id)) continue;
      const done = this.#scheduler.cancel(id, new JobCancelled('detach'));
      if (done) waits.push(done);
    }
    await Promise.all(waits);
  }

  /** True if a browser job's page is connected. */
  has(jobId: string): boolean {
    return this.#sources.has(jobId);
  }

  /** True for a browser job whose file is not available (drop it again to resume). */
  isWaitingForFile(job: Pick<Job, 'id' | 'source' | 'state'>): boolean {
    return this.#sources.isWaitingForFile(job);
  }
}
