/**
 * Where a job's bytes come from: its file on disk, or (the browser host) the page that holds the
 * dropped file, while that page is connected. A browser job without its page waits in the queue,
 * not started, until the page attaches again.
 */
import { FerryError } from '../../shared/errors.ts';
import type { Job } from '../../shared/job.ts';
import { BrowserPartSource, type BrowserFileReader } from './browserSource.ts';
import { SourceFile } from './fileSource.ts';
import type { PartSource } from './partSource.ts';

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
