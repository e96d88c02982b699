/**
 * S3 calls beside the uploads themselves: the bucket check before queueing, the bucket list, share
 * links, incomplete uploads (orphans: list, abort), aborting a job's upload on the server, and the
 * clean-up of a job's leftovers when it ends. Each goes through the endpoint's gateway; each takes an
 * AbortSignal, by default the engine's shutdown.
 */
import { AbortMultipartUploadCommand, ListBucketsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { FerryError } from '../../shared/errors.ts';
import { isFinal, type Job } from '../../shared/job.ts';
import { bucketNameProblem } from '../../shared/s3Names.ts';
import type { Gateways } from './gateways.ts';
import { abortJobLeftovers, abortOrphan, listOrphans, type OrphanUpload } from './orphans.ts';
import { presignGet } from './presign.ts';
import { isUploadGone } from './s3Errors.ts';

export class BucketOps {
  readonly #gateways: Gateways;
  /** Aborted when the engine closes: cancels whatever is still asking the server. */
  readonly #shutdown: AbortSignal;
  /** Jobs that sent a CreateMultipartUpload since they started: their end looks for leftovers. */
  readonly #createdUploads = new Set<string>();

  constructor(gateways: Gateways, shutdown: AbortSignal) {
    this.#gateways = gateways;
    this.#shutdown = shutdown;
  }

  /**
   * Preflight before queueing: one cheap request (ListObjectsV2, one key) that proves the endpoint is
   * reachable, the credentials are valid, the bucket exists and the region is right. Throws the
   * FerryError in words; returns warnings (e.g. the key may not list the bucket, which uploads do
   * not need).
   */
  async checkBucket(endpointId: string, bucket: string, signal: AbortSignal = this.#shutdown): Promise<string[]> {
    const bucketProblem = bucketNameProblem(bucket);
    if (bucketProblem) throw new FerryError('INVALID_INPUT', bucketProblem);
    const { gateway } = await this.#gateways.get(endpointId);
    try {
      await gateway.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1 }), {
        operation: 'checking the bucket',
        bucket,
        policy: 'quick',
        waitedFor: true,
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

  /** The buckets the endpoint's credentials can list. */
  async listBuckets(endpointId: string, signal: AbortSignal = this.#shutdown): Promise<string[]> {
    const { gateway } = await this.#gateways.get(endpointId);
    const listed = await gateway.send(new ListBucketsCommand({}), {
      operation: 'listing buckets',
      policy: 'quick',
      waitedFor: true,
      signal,
    });
    return (listed.Buckets ?? [])
      .map((bucket) => bucket.Name ?? '')
      .filter(Boolean)
      .sort();
  }

  /** A presigned GET URL for a completed job's object, valid for `expiresInSeconds` (at most 7 days). */
  async shareLink(job: Job, expiresInSeconds: number): Promise<string> {
    if (job.state !== 'completed')
      throw new FerryError('INVALID_INPUT', `${job.path} is ${job.state}: only a completed upload has a link.`);
    if (job.options?.sseC)
      throw new FerryError('INVALID_INPUT', 'An object encrypted with a customer key (SSE-C) cannot be shared by link.');
    const { gateway } = await this.#gateways.get(job.endpointId);
    return presignGet(gateway.client, job.bucket, job.key, expiresInSeconds);
  }

  /** Incomplete multipart uploads in a bucket (or under a prefix), marked with the live job (of `jobs`) they belong to. */
  async listOrphans(
    endpointId: string,
    bucket: string,
    prefix: string,
    jobs: Iterable<Job>,
    signal: AbortSignal = this.#shutdown,
  ): Promise<OrphanUpload[]> {
    const { gateway } = await this.#gateways.get(endpointId);
    const live = new Map<string, string>();
    for (const job of jobs) {
      if (job.uploadId && job.endpointId === endpointId && !isFinal(job.state)) live.set(job.uploadId, job.id);
    }
    return listOrphans(gateway, bucket, prefix, live, signal);
  }

  /**
   * Aborts incomplete uploads. One that belongs to a live job of `jobs` is not aborted here: its id
   * is returned, for the job to be aborted (so that it does not later try to resume a deleted upload).
   */
  async abortOrphans(
    endpointId: string,
    bucket: string,
    uploads: readonly { key: string; uploadId: string }[],
    jobs: Iterable<Job>,
  ): Promise<string[]> {
    const { gateway } = await this.#gateways.get(endpointId);
    const all = [...jobs];
    const jobIds: string[] = [];
    for (const upload of uploads) {
      const job = all.find((j) => j.uploadId === upload.uploadId && !isFinal(j.state));
      if (job) jobIds.push(job.id);
      else await abortOrphan(gateway, bucket, upload.key, upload.uploadId, this.#shutdown);
    }
    return jobIds;
  }

  /** Aborts a job's multipart upload (job.uploadId) on the server; an upload already gone counts as aborted. */
  async abortUpload(job: Job): Promise<void> {
    const { gateway } = await this.#gateways.get(job.endpointId);
    try {
      await gateway.send(new AbortMultipartUploadCommand({ Bucket: job.bucket, Key: job.key, UploadId: job.uploadId! }), {
        operation: 'aborting the multipart upload',
        bucket: job.bucket,
        scope: 'upload',
        policy: 'cleanup',
        signal: this.#shutdown,
      });
    } catch (error) {
      if (isUploadGone(error)) return;
      throw error;
    }
  }

  /** A job sent a CreateMultipartUpload: its end looks for leftovers (abortLeftovers). */
  noteCreateSent(jobId: string): void {
    this.#createdUploads.add(jobId);
  }

  /**
   * A job ended: abort the incomplete uploads Ferry made for its key since it began (a Create whose
   * answer was lost, the upload of a job that must start over), except `keep`. Best effort: the job's
   * own outcome stands whatever the server answers; `ferry orphans` finds what is left.
   */
  async abortLeftovers(job: Job, keep: string | null): Promise<void> {
    // a job that never sent a CreateMultipartUpload in this engine left nothing (a single PUT's only
    // one is its reset probe); after a restart a multipart job is checked once
    if (!this.#createdUploads.delete(job.id) && !(job.multipart && job.uploadId !== null)) return;
    try {
      const { gateway } = await this.#gateways.get(job.endpointId);
      await abortJobLeftovers(gateway, job, keep, this.#shutdown);
    } catch {
      // left for `ferry orphans`
    }
  }
}
