/** What the engine tells its hosts (Engine.events): every change to a job, progress, retries, idleness. */
import type { ErrorInfo } from '../../shared/errors.ts';
import type { Job } from '../../shared/job.ts';
import type { JobRetry } from '../../shared/retry.ts';

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
