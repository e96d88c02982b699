/**
 * The job store: jobs and their acknowledged parts in SQLite (node:sqlite, WAL mode).
 *
 * Crash safety: every write is a transaction, so a SIGKILL at any instant leaves the last committed
 * state. State changes and UploadIds are written at once (a job must never lose its UploadId);
 * part acknowledgements, the hot path, are queued and written in one transaction every
 * {@link FLUSH_INTERVAL_MS}. A part lost from the queue by a crash is not lost from the upload: resume
 * reconciles with ListParts and adopts the server's parts after checking them against the file.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { CompletedPart, Job, JobState } from '../../shared/job.ts';
import { FerryError, isErrorCode, type ErrorInfo } from '../../shared/errors.ts';
import { diskFullError, inTransaction, isDiskFull, openDatabase } from './database.ts';
import { uploadOptionsSchema, type UploadOptions } from '../../shared/uploadOptions.ts';
import type { JobRetry } from '../../shared/retry.ts';

export const FLUSH_INTERVAL_MS = 100;

interface JobRow {
  id: string;
  seq: number;
  state: string;
  source: string;
  path: string;
  endpoint_id: string;
  bucket: string;
  object_key: string;
  size: number;
  fp_size: number;
  fp_mtime_ms: number;
  fp_ino: string;
  fp_ctime_ms: number | null;
  multipart: number;
  part_size: number;
  part_count: number;
  concurrency: number;
  upload_id: string | null;
  bytes_done: number;
  etag: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  completed_at: number | null;
  options: string | null;
  skipped: number;
  batch_id: string | null;
  batch_name: string | null;
}

interface PendingPart {
  jobId: string;
  part: CompletedPart;
}

/**
 * What a save writes of a stored job (saveJob: the UPDATE, and the upsert's DO UPDATE for a job not yet
 * stored); the rest (seq, path, endpoint, bucket, created_at, batch, bytes_done from the parts) is
 * written once, or kept by the parts.
 */
const SAVED_COLUMNS = [
  'state',
  'upload_id',
  'object_key',
  'skipped',
  'options',
  'etag',
  'error',
  'updated_at',
  'completed_at',
  'fp_size',
  'fp_mtime_ms',
  'fp_ino',
  'fp_ctime_ms',
  'size',
  'multipart',
  'part_size',
  'part_count',
] as const satisfies readonly (keyof ReturnType<typeof jobToRow>)[];

export class JobStore {
  readonly #db: DatabaseSync;
  readonly #upsertJob: StatementSync;
  readonly #updateJob: StatementSync;
  readonly #insertPart: StatementSync;
  readonly #addBytes: StatementSync;
  readonly #selectParts: StatementSync;
  #pending: PendingPart[] = [];
  #timer: NodeJS.Timeout | null = null;
  #nextSeq: number;
  #closed = false;
  /**
   * Told when a write fails because the disk is full (from any write, the batch timer's included);
   * the failed write's parts stay queued for the next one.
   */
  onDiskFull: ((error: FerryError) => void) | null = null;

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#upsertJob = db.prepare(`
      INSERT INTO jobs (id, seq, state, source, path, endpoint_id, bucket, object_key, size, fp_size, fp_mtime_ms, fp_ino, fp_ctime_ms,
        multipart, part_size, part_count, concurrency, upload_id, bytes_done, etag, error, created_at, updated_at, completed_at, options, skipped,
        batch_id, batch_name)
      VALUES (:id, :seq, :state, :source, :path, :endpoint_id, :bucket, :object_key, :size, :fp_size, :fp_mtime_ms, :fp_ino, :fp_ctime_ms,
        :multipart, :part_size, :part_count, :concurrency, :upload_id, :bytes_done, :etag, :error, :created_at, :updated_at, :completed_at,
        :options, :skipped, :batch_id, :batch_name)
      ON CONFLICT (id) DO UPDATE SET ${SAVED_COLUMNS.map((column) => `${column} = excluded.${column}`).join(', ')}`);
    this.#updateJob = db.prepare(`UPDATE jobs SET ${SAVED_COLUMNS.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`);
    this.#insertPart = db.prepare(
      'INSERT OR REPLACE INTO parts (job_id, part_number, etag, md5, size, sha256, crc32) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#addBytes = db.prepare('UPDATE jobs SET bytes_done = (SELECT COALESCE(SUM(size), 0) FROM parts WHERE job_id = ?) WHERE id = ?');
    this.#selectParts = db.prepare('SELECT part_number, etag, md5, size, sha256, crc32 FROM parts WHERE job_id = ? ORDER BY part_number');
    const row = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM jobs').get() as { seq: number };
    this.#nextSeq = row.seq + 1;
  }

  /** Opens (creating if needed) the store in `dataDir` and migrates it to the current schema. */
  static open(dataDir: string): JobStore {
    return new JobStore(openDatabase(dataDir));
  }

  /** Every job, oldest first. */
  loadJobs(): Job[] {
    const jobs: Job[] = [];
    for (const job of this.eachJob()) jobs.push(job);
    return jobs;
  }

  /**
   * Every job, oldest first, one at a time: a caller that writes them out as it goes (`ferry jobs
   * --json`) never holds 100,000 of them. The rows are read from one snapshot of the store (WAL: an
   * engine writing meanwhile is not seen half-way).
   */
  *eachJob(): Generator<Job, void, undefined> {
    const select = this.#db.prepare(SELECT_JOBS);
    // Rows as arrays, read by column index: node:sqlite builds an object row property by property, which
    // for 100,000 jobs took four times as long as the rest of the load. And one row at a time: with all(),
    // every row stays alive until the last one is read, so the garbage collector copies 100,000 of them
    // around; iterated, each row dies young (issue #14, scale of the store). A Node without these (before
    // 22.16) gives object rows, read by name.
    const arrays = typeof (select as { setReturnArrays?: unknown }).setReturnArrays === 'function';
    if (arrays) (select as unknown as { setReturnArrays(enabled: boolean): void }).setReturnArrays(true);
    const rows = (typeof select.iterate === 'function' ? select.iterate() : select.all()) as Iterable<unknown[] | JobRow>;
    const reader = new RowReader();
    for (const row of rows) yield reader.job(Array.isArray(row) ? row : JOB_COLUMNS.map((column) => row[column]));
  }

  loadParts(jobId: string): CompletedPart[] {
    // the queued parts are laid over the stored ones, not written first: with many small files in
    // flight some other job's part is nearly always queued, and a write here was one more
    // transaction per file (issue #14)
    const rows = this.#selectParts.all(jobId) as unknown as PartRow[];
    const parts = new Map(rows.map((r) => [r.part_number, rowToPart(r)]));
    // parts queued for the next batch (or that a full disk kept from being written) are known too
    for (const pending of this.#pending) if (pending.jobId === jobId) parts.set(pending.part.partNumber, pending.part);
    return [...parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Inserts new jobs in one transaction (10,000 jobs take milliseconds). */
  insertJobs(jobs: readonly Job[]): void {
    this.#transaction(() => {
      for (const job of jobs) this.#upsertJob.run(jobToRow(job, this.#nextSeq++));
    });
  }

  /** Writes a job's state, UploadId, error and ETag now (after any queued parts). */
  saveJob(job: Job): void {
    this.#transaction(() => {
      this.#writePending();
      // a stored job (nearly every save) by position: binding 28 named values and trying an insert
      // first cost about twice as much, twice per small file (issue #14)
      const row = jobToRow(job, 0);
      const { changes } = this.#updateJob.run(...SAVED_COLUMNS.map((column) => row[column]), row.id);
      if (Number(changes) === 0) this.#upsertJob.run(row);
    });
  }

  /** Keeps a job's SSE-C key, sealed by the vault (or forgets it: null), for the job's life. */
  setSealedKey(jobId: string, sealed: string | null): void {
    this.#transaction(() => {
      this.#db.prepare('UPDATE jobs SET sse_c_key = ? WHERE id = ?').run(sealed, jobId);
    });
  }

  /** A job's sealed SSE-C key, or null. */
  sealedKey(jobId: string): string | null {
    const row = this.#db.prepare('SELECT sse_c_key FROM jobs WHERE id = ?').get(jobId) as { sse_c_key: string | null } | undefined;
    return row?.sse_c_key ?? null;
  }

  /** Queues an acknowledged part; written with the next batch. */
  recordPart(jobId: string, part: CompletedPart): void {
    this.#pending.push({ jobId, part });
    if (this.#timer === null && !this.#closed) {
      this.#timer = setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
      this.#timer.unref();
    }
  }

  /** Replaces every part of a job (after reconciling with the server, or when an upload restarts). */
  replaceParts(jobId: string, parts: readonly CompletedPart[]): void {
    this.#transaction(() => {
      this.#writePending();
      this.#db.prepare('DELETE FROM parts WHERE job_id = ?').run(jobId);
      for (const p of parts) this.#insertPart.run(jobId, p.partNumber, p.etag, p.md5, p.size, p.sha256 ?? null, p.crc32 ?? null);
      this.#addBytes.run(jobId, jobId);
    });
  }

  deleteJobs(ids: readonly string[]): void {
    this.#transaction(() => {
      this.#writePending();
      const del = this.#db.prepare('DELETE FROM jobs WHERE id = ?');
      const delVersion = this.#db.prepare('DELETE FROM job_versions WHERE job_id = ?');
      const delCopySource = this.#db.prepare('DELETE FROM job_copy_sources WHERE job_id = ?');
      for (const id of ids) {
        del.run(id);
        delVersion.run(id);
        delCopySource.run(id);
      }
    });
  }

  /** The version id a completed upload created in a versioned bucket (issue #15); written at once. */
  saveVersionId(jobId: string, versionId: string): void {
    if (this.#closed) return;
    this.#db.prepare('INSERT OR REPLACE INTO job_versions (job_id, version_id) VALUES (?, ?)').run(jobId, versionId);
  }

  /** What an "upload changes only" job copies from (JSON, main/engine/changes.ts), or null once done; written at once. */
  saveCopySource(jobId: string, source: string | null): void {
    if (this.#closed) return;
    if (source === null) this.#db.prepare('DELETE FROM job_copy_sources WHERE job_id = ?').run(jobId);
    else this.#db.prepare('INSERT OR REPLACE INTO job_copy_sources (job_id, source) VALUES (?, ?)').run(jobId, source);
  }

  /** Every stored copy source, by job id. */
  loadCopySources(): { jobId: string; source: string }[] {
    const rows = this.#db.prepare('SELECT job_id, source FROM job_copy_sources').all() as { job_id: string; source: string }[];
    return rows.map((row) => ({ jobId: row.job_id, source: row.source }));
  }

  /** A completed job's version id, or null (an unversioned bucket, or a job from before Ferry kept it). */
  versionId(jobId: string): string | null {
    const row = this.#db.prepare('SELECT version_id FROM job_versions WHERE job_id = ?').get(jobId) as { version_id: string } | undefined;
    return row?.version_id ?? null;
  }

  /** Records the retry a running job waits for (null: none); written at once, outside the part batch. */
  saveRetry(jobId: string, retry: JobRetry | null): void {
    if (this.#closed) return;
    if (retry === null) this.#db.prepare('DELETE FROM job_retries WHERE job_id = ?').run(jobId);
    else this.#db.prepare('INSERT OR REPLACE INTO job_retries (job_id, info) VALUES (?, ?)').run(jobId, JSON.stringify(retry));
  }

  /** The retries running jobs wait for, by job id (left by a process that died: see clearRetries). */
  loadRetries(): Map<string, JobRetry> {
    const rows = this.#db.prepare('SELECT job_id, info FROM job_retries').all() as unknown as { job_id: string; info: string }[];
    const retries = new Map<string, JobRetry>();
    for (const row of rows) {
      try {
        retries.set(row.job_id, JSON.parse(row.info) as JobRetry);
      } catch {
        // a damaged row shows no retry
      }
    }
    return retries;
  }

  clearRetries(): void {
    this.#db.exec('DELETE FROM job_retries');
  }

  /**
   * Writes queued part acknowledgements now. Never throws for a full disk (it runs from a timer):
   * the parts stay queued and `onDiskFull` is told.
   */
  flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#pending.length === 0 || this.#closed) return;
    try {
      this.#transaction(() => this.#writePending());
    } catch (error) {
      if (!isDiskFull(error)) throw error;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.flush(); // on a full disk, queued parts are lost: the next run adopts them from ListParts
    this.#closed = true;
    this.#db.close();
  }

  #writePending(): void {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    const touched = new Set<string>();
    for (const { jobId, part } of pending) {
      this.#insertPart.run(jobId, part.partNumber, part.etag, part.md5, part.size, part.sha256 ?? null, part.crc32 ?? null);
      touched.add(jobId);
    }
    for (const jobId of touched) this.#addBytes.run(jobId, jobId);
  }

  #transaction(work: () => void): void {
    if (this.#closed) throw new Error('The job store is closed.');
    const pending = this.#pending;
    try {
      inTransaction(this.#db, work);
    } catch (error) {
      // rolled back: the queued parts taken by #writePending were not written
      this.#pending = pending;
      if (isDiskFull(error)) this.onDiskFull?.(error instanceof FerryError ? error : diskFullError(error));
      throw error;
    }
  }
}

function jobToRow(job: Job, seq: number) {
  return {
    id: job.id,
    seq,
    state: job.state,
    source: job.source,
    path: job.path,
    endpoint_id: job.endpointId,
    bucket: job.bucket,
    object_key: job.key,
    size: job.size,
    fp_size: job.fingerprint.size,
    fp_mtime_ms: job.fingerprint.mtimeMs,
    fp_ino: job.fingerprint.ino,
    fp_ctime_ms: job.fingerprint.ctimeMs ?? null,
    multipart: job.multipart ? 1 : 0,
    part_size: job.partSize,
    part_count: job.partCount,
    concurrency: job.concurrency,
    upload_id: job.uploadId,
    bytes_done: 0, // maintained from the parts table (see #addBytes)
    etag: job.etag,
    error: job.error === null ? null : JSON.stringify(job.error),
    created_at: job.createdAt,
    updated_at: job.updatedAt,
    completed_at: job.completedAt,
    options: job.options === undefined ? null : JSON.stringify(job.options),
    skipped: job.skipped ? 1 : 0,
    batch_id: job.batchId,
    batch_name: job.batchName,
  };
}

/** The columns loadJobs reads, in this order. */
const JOB_COLUMNS = [
  'id',
  'seq',
  'state',
  'source',
  'path',
  'endpoint_id',
  'bucket',
  'object_key',
  'size',
  'fp_size',
  'fp_mtime_ms',
  'fp_ino',
  'fp_ctime_ms',
  'multipart',
  'part_size',
  'part_count',
  'concurrency',
  'upload_id',
  'bytes_done',
  'etag',
  'error',
  'created_at',
  'updated_at',
  'completed_at',
  'options',
  'skipped',
  'batch_id',
  'batch_name',
] as const satisfies readonly (keyof JobRow)[];

const SELECT_JOBS = `SELECT ${JOB_COLUMNS.join(', ')} FROM jobs ORDER BY seq`;

/** Column positions in a row of SELECT_JOBS. */
const COLUMN = Object.fromEntries(JOB_COLUMNS.map((name, index) => [name, index])) as {
  readonly [K in (typeof JOB_COLUMNS)[number]]: number;
};

/**
 * Turns the rows of one load into jobs. A store of 100,000 jobs repeats a few values in nearly every row
 * (the endpoint, the bucket, a folder's path and batch, the options of one `ferry upload`): each distinct
 * text is kept once (jobs share the string), and each distinct options text is parsed and checked once (jobs
 * share the frozen result), which makes the load faster and the jobs smaller (issue #14).
 */
class RowReader {
  readonly #strings = new Map<string, string>();
  readonly #options = new Map<string, UploadOptions>();

  /** The one copy of a repeated text. */
  #shared(text: string): string {
    const known = this.#strings.get(text);
    if (known !== undefined) return known;
    this.#strings.set(text, text);
    return text;
  }

  #sharedOrNull(text: unknown): string | null {
    return text === null || text === undefined ? null : this.#shared(text as string);
  }

  #parsedOptions(text: string): UploadOptions {
    let options = this.#options.get(text);
    if (options === undefined) {
      options = deepFreeze(parseOptions(text));
      this.#options.set(text, options);
    }
    return options;
  }

  job(row: readonly unknown[]): Job {
    const state = row[COLUMN.state] as JobState;
    const size = row[COLUMN.size] as number;
    const ctimeMs = row[COLUMN.fp_ctime_ms] as number | null;
    const options = row[COLUMN.options] as string | null;
    const error = row[COLUMN.error] as string | null;
    const job: Job = {
      id: row[COLUMN.id] as string,
      state: this.#shared(state) as JobState,
      source: row[COLUMN.source] === 'browser' ? 'browser' : 'disk',
      path: this.#shared(row[COLUMN.path] as string),
      endpointId: this.#shared(row[COLUMN.endpoint_id] as string),
      bucket: this.#shared(row[COLUMN.bucket] as string),
      key: row[COLUMN.object_key] as string,
      size,
      fingerprint:
        ctimeMs === null
          ? {
              size: row[COLUMN.fp_size] as number,
              mtimeMs: row[COLUMN.fp_mtime_ms] as number,
              ino: this.#shared(row[COLUMN.fp_ino] as string),
            }
          : {
              size: row[COLUMN.fp_size] as number,
              mtimeMs: row[COLUMN.fp_mtime_ms] as number,
              ino: this.#shared(row[COLUMN.fp_ino] as string),
              ctimeMs,
            },
      multipart: row[COLUMN.multipart] === 1,
      partSize: row[COLUMN.part_size] as number,
      partCount: row[COLUMN.part_count] as number,
      concurrency: row[COLUMN.concurrency] as number,
      uploadId: row[COLUMN.upload_id] as string | null,
      bytesDone: state === 'completed' ? size : (row[COLUMN.bytes_done] as number),
      etag: row[COLUMN.etag] as string | null,
      error: error === null ? null : parseError(error),
      createdAt: row[COLUMN.created_at] as number,
      updatedAt: row[COLUMN.updated_at] as number,
      completedAt: row[COLUMN.completed_at] as number | null,
      batchId: this.#sharedOrNull(row[COLUMN.batch_id]),
      batchName: this.#sharedOrNull(row[COLUMN.batch_name]),
      // in the literal even when absent: properties added afterwards go to an array of their own,
      // 40 bytes more per job where these two take 16 (issue #14, 100,000 jobs in memory)
      options: options === null ? undefined : this.#parsedOptions(options),
      skipped: row[COLUMN.skipped] === 1 ? true : undefined,
    };
    return job;
  }
}

/** Options shared by many jobs must not change under any of them. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Stored options, checked again (a damaged value means no options rather than wrong ones). */
function parseOptions(text: string): UploadOptions {
  try {
    const parsed = uploadOptionsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

function parseError(text: string | null): ErrorInfo | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<ErrorInfo>;
    return {
      code: isErrorCode(value.code) ? value.code : 'UNKNOWN',
      message: typeof value.message === 'string' ? value.message : 'Unknown error.',
      retryable: value.retryable === true,
      ...(value.restart === true ? { restart: true as const } : {}),
    };
  } catch {
    return { code: 'UNKNOWN', message: text, retryable: false };
  }
}

interface PartRow {
  part_number: number;
  etag: string;
  md5: string;
  size: number;
  sha256: string | null;
  crc32: string | null;
}

function rowToPart(r: PartRow): CompletedPart {
  return {
    partNumber: r.part_number,
    etag: r.etag,
    md5: r.md5,
    size: r.size,
    ...(r.sha256 !== null ? { sha256: r.sha256 } : {}),
    ...(r.crc32 !== null ? { crc32: r.crc32 } : {}),
  };
}
