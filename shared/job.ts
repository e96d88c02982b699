/**
 * A job: one local file going to one object (endpoint, bucket, key), and its lifecycle.
 *
 * ```
 *                 start                    complete
 *   ┌────────┐ ─────────▶ ┌───────────┐ ─────────────▶ ┌───────────┐
 *   │ queued │            │ uploading │                │ completed │
 *   └────────┘ ◀───────── └───────────┘ ──┐            └───────────┘
 *     ▲  │ ▲   interrupt     │    │ fail   │
 *     │  │ │  (engine stop   │    ▼        │ pause
 *     │  │ │   or crash)     │ ┌────────┐  │
 *     │  │ └──── retry ──────┼─│ failed │  │
 *     │  │                   │ └────────┘  ▼
 *     │  │ pause             │      │   ┌────────┐
 *     │  └───────────────────┼──────┼─▶ │ paused │
 *     └──────── resume ──────┼──────┼── └────────┘
 *                            │      │        │
 *                  abort     ▼      ▼        ▼  abort (from queued, uploading, paused, failed)
 *                         ┌─────────────────────┐
 *                         │       aborted       │
 *                         └─────────────────────┘
 * ```
 * `completed` and `aborted` are final. Every transition goes through {@link transition}; nothing
 * else assigns `state`. Pause never aborts the multipart upload on the server (the UploadId is kept);
 * abort does.
 */
import { FerryError, InvalidTransitionError, type ErrorInfo } from './errors.ts';
import type { UploadOptions } from './uploadOptions.ts';

export const JOB_STATES = ['queued', 'uploading', 'paused', 'failed', 'completed', 'aborted'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const JOB_EVENTS = ['start', 'pause', 'resume', 'interrupt', 'fail', 'retry', 'complete', 'abort'] as const;
export type JobEvent = (typeof JOB_EVENTS)[number];

/** The transition table: for each state, the events it accepts and where they lead. */
export const TRANSITIONS: { readonly [S in JobState]: Partial<Record<JobEvent, JobState>> } = {
  queued: { start: 'uploading', pause: 'paused', abort: 'aborted' },
  uploading: { pause: 'paused', interrupt: 'queued', fail: 'failed', complete: 'completed', abort: 'aborted' },
  paused: { resume: 'queued', abort: 'aborted' },
  failed: { retry: 'queued', abort: 'aborted' },
  completed: {},
  aborted: {},
};

/** The state `event` leads to from `state`, or throws InvalidTransitionError. */
export function transition(state: JobState, event: JobEvent): JobState {
  const next = TRANSITIONS[state][event];
  if (next === undefined) throw new InvalidTransitionError(state, event);
  return next;
}

export function canTransition(state: JobState, event: JobEvent): boolean {
  return TRANSITIONS[state][event] !== undefined;
}

/** Whether a job in `state` is done for good (completed or aborted): the states the table lets no event leave. */
export function isFinal(state: JobState): boolean {
  return Object.keys(TRANSITIONS[state]).length === 0;
}

/** Size, modification time, inode and change time of a file: how Ferry notices that a file changed. */
export interface FileFingerprint {
  size: number;
  mtimeMs: number;
  /** Inode number as a decimal string (64-bit on some file systems). */
  ino: string;
  /**
   * The inode change time (POSIX ctime; Windows' ChangeTime, which Node reports as ctime): every
   * write moves it and no writer can set it back, unlike mtime (`touch -r`, utimes, rsync --inplace,
   * editors that restore it). Absent for browser files and for jobs stored before Ferry recorded it.
   */
  ctimeMs?: number;
}

/** A part the server has acknowledged. `md5` (hex) is what Ferry computed and sent as Content-MD5. */
export interface CompletedPart {
  partNumber: number;
  etag: string;
  /** The part's MD5 (hex) as computed and sent in Content-MD5; '' when it was sent under another check. */
  md5: string;
  size: number;
  /** The SHA-256 (hex) the part was signed with, when the server verified that instead (issue #14). */
  sha256?: string;
  /** The CRC32 (base64) the part carried, when the server verified that instead. */
  crc32?: string;
}

export interface Job {
  id: string;
  state: JobState;
  /** 'disk': a file the engine reads by path; 'browser': a file in a browser page, streamed by it. */
  source: 'disk' | 'browser';
  /** The file's path on disk, or (browser) its path relative to what was dropped. */
  path: string;
  endpointId: string;
  bucket: string;
  key: string;
  size: number;
  fingerprint: FileFingerprint;
  multipart: boolean;
  partSize: number;
  partCount: number;
  /** Parallel parts within this job. */
  concurrency: number;
  uploadId: string | null;
  /** Bytes acknowledged by the server plus bytes of parts being sent right now. */
  bytesDone: number;
  /** The object's ETag once completed. */
  etag: string | null;
  error: ErrorInfo | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
  /** What the object is sent with (issue #12); absent on jobs stored before options existed. */
  options?: UploadOptions;
  /** Completed without uploading: the key existed and `ifExists` said skip (or skip-identical matched). */
  skipped?: boolean;
  /** The drop, folder or `ferry upload` this job came with (one item in the window), or null. */
  batchId: string | null;
  /** That batch's name: the folder's name, or "a.txt and 2 more" for loose files. */
  batchName: string | null;
}

/** A file-change check: which of the fingerprint's fields differ, in words, or null if none. */
export function fingerprintDifference(expected: FileFingerprint, actual: FileFingerprint): string | null {
  if (expected.size !== actual.size) return `size was ${expected.size} bytes, now ${actual.size}`;
  if (expected.mtimeMs !== actual.mtimeMs) return 'modification time differs';
  if (expected.ino !== actual.ino) return 'it was replaced by another file';
  if (expected.ctimeMs !== undefined && actual.ctimeMs !== undefined && expected.ctimeMs !== actual.ctimeMs) {
    return 'it was written to, though its size and modification time look the same';
  }
  return null;
}

/** Finds jobs by full id or a unique prefix of at least 4 characters (as `ferry jobs` shows 8). */
export function findJobs<J extends Pick<Job, 'id'>>(jobs: readonly J[], ids: readonly string[]): J[] {
  return ids.map((id) => {
    const exact = jobs.find((job) => job.id === id);
    if (exact) return exact;
    const matches = id.length >= 4 ? jobs.filter((job) => job.id.startsWith(id)) : [];
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new FerryError('INVALID_INPUT', `The job id "${id}" is ambiguous: give more characters.`);
    throw new FerryError('JOB_NOT_FOUND', `No job with id "${id}". List jobs with: ferry jobs`);
  });
}
