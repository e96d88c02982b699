/** What an engine is opened with (EngineOptions), and the settings it runs with once defaults are filled in. */
import { DEFAULT_PART_SIZE } from '../../shared/partPlan.ts';
import type { SecretVault } from '../endpoints/vault.ts';
import type { EndpointResolver } from './gateways.ts';
import { DEFAULT_GIVE_UP_AFTER_MS, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.ts';
import type { createS3Client } from './s3Client.ts';

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

/** The engine's settings, every one set; `giveUpAfterMs` may change while it runs (Engine.setGiveUpAfter). */
export type EngineSettings = Required<Omit<EngineOptions, 'dataDir' | 'endpoints' | 'createClient' | 'vault' | 'bandwidthLimit'>>;

export function engineSettings(options: EngineOptions): EngineSettings {
  return {
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
}
