/**
 * "Send only what changed" (issue #15). Two cases, one idea: a file changed after Ferry sent it (or
 * part of it), and most of its bytes are already on the server.
 *
 *   an unfinished job (paused, queued, failed): its upload is kept; the job takes the file's new
 *     size and fingerprint with the same part size (shared/changePlan.ts), forgets which parts it
 *     trusted, and the uploader's reconcile hashes every range against the server's ListParts ETags:
 *     the parts whose bytes are the same are kept, the others (and the new ones) are sent.
 *   a completed job: the object on the server is checked to still be the one Ferry uploaded (size
 *     and ETag), a new job uploads to the same key with the same part size, and before sending any
 *     part it copies every part whose bytes did not change from that object, server-side
 *     (UploadPartCopy with x-amz-copy-source-range and x-amz-copy-source-if-match): only the changed
 *     ranges travel. The result is verified like any upload (the multipart ETag from the MD5s).
 *
 * Where the plan cannot fit the new file, the caller says why and starts over.
 */
import { HeadObjectCommand, UploadPartCopyCommand } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { replanForChangedFile } from '../../shared/changePlan.ts';
import type { EndpointProfile } from '../../shared/endpoint.ts';
import { FerryError } from '../../shared/errors.ts';
import { fingerprintDifference, type CompletedPart, type FileFingerprint, type Job } from '../../shared/job.ts';
import { formatBytes, partRange } from '../../shared/partPlan.ts';
import type { S3Gateway } from './gateway.ts';
import { statFile } from './fileSource.ts';
import { etagIsOpaque, isPreconditionFailed } from './objectOptions.ts';
import type { JobStore } from '../store/jobStore.ts';
import type { PartSource } from './partSource.ts';
import { partMd5, type UploadRun } from './uploader.ts';

/** The object a completed job uploaded, and its parts: what an "upload changes only" job copies from. */
export interface CopySource {
  bucket: string;
  key: string;
  /** The object's ETag when Ferry uploaded it (every copy carries it as x-amz-copy-source-if-match). */
  etag: string;
  size: number;
  partSize: number;
  /** The parts sent then: a part is copied when the file's range at the same place has the same MD5 and size. */
  parts: readonly CompletedPart[];
}

const STORED_COPY_SOURCE = z.object({
  bucket: z.string(),
  key: z.string(),
  etag: z.string(),
  size: z.number().int().nonnegative(),
  partSize: z.number().int().positive(),
  parts: z.array(
    z.object({
      partNumber: z.number().int().positive(),
      etag: z.string(),
      md5: z.string(),
      size: z.number().int().nonnegative(),
      sha256: z.string().optional(),
      crc32: z.string().optional(),
    }),
  ),
});

/**
 * The "upload changes only" jobs and the object each copies from, kept in the store as well as here,
 * so that a job added before a quit or a crash still copies its unchanged parts after the restart.
 */
export class CopySources {
  readonly #store: JobStore;
  readonly #sources = new Map<string, CopySource>();

  constructor(store: JobStore) {
    this.#store = store;
    for (const { jobId, source } of store.loadCopySources()) {
      let parsed: CopySource | null = null;
      try {
        parsed = STORED_COPY_SOURCE.parse(JSON.parse(source));
      } catch {
        // unreadable: the job sends its whole file, as any upload
      }
      if (parsed) this.#sources.set(jobId, parsed);
      else store.saveCopySource(jobId, null);
    }
  }

  get(jobId: string): CopySource | undefined {
    return this.#sources.get(jobId);
  }

  set(jobId: string, source: CopySource): void {
    this.#sources.set(jobId, source);
    this.#save(jobId, JSON.stringify(source));
  }

  /** The job is done copying (it completed, was aborted or removed, or its source was replaced). */
  delete(jobId: string): void {
    if (this.#sources.delete(jobId)) this.#save(jobId, null);
  }

  /**
   * Written at once, but never at the cost of the job: a store that refuses the write (a full disk)
   * loses only the copies after a restart (the job then sends its whole file), or keeps a row that
   * the next delete of the job removes.
   */
  #save(jobId: string, source: string | null): void {
    try {
      this.#store.saveCopySource(jobId, source);
    } catch {
      // see above
    }
  }
}

/** What "send only what changed" does with one job. */
export type ChangesDecision =
  /** The file did not change: the job goes on as it is (an unfinished one). */
  | { kind: 'unchanged' }
  /** An unfinished job keeps its upload with this new size, fingerprint and part count. */
  | { kind: 'resume'; fingerprint: FileFingerprint; size: number; partCount: number }
  /** The plan cannot fit the file as it is now: start over (an unfinished job), or upload anew (a completed one). */
  | { kind: 'restart'; reason: string }
  /** A completed job: a new job to the same key that copies the unchanged parts from `source`. */
  | { kind: 'copy'; source: CopySource };

const unquote = (etag: string | undefined): string => (etag ?? '').replace(/^"|"$/g, '');

/**
 * Decides what "send only what changed" does with `job` (its stored parts are `parts`): reads the
 * file's state and, for a completed job, checks that the object is still the one Ferry uploaded.
 * Throws in words when the job cannot take it at all.
 */
export async function decideChanges(
  job: Job,
  parts: readonly CompletedPart[],
  profile: EndpointProfile,
  gateway: S3Gateway,
  signal: AbortSignal,
): Promise<ChangesDecision> {
  const name = `Job ${job.id.slice(0, 8)}`;
  if (job.source !== 'disk') {
    throw new FerryError(
      'INVALID_INPUT',
      `${name} uploads a file from a browser page: only a file on disk can be compared with what was sent.`,
    );
  }
  if (job.state === 'aborted' || job.state === 'uploading') {
    throw new FerryError(
      'INVALID_TRANSITION',
      `${name} is ${job.state}: only a paused, failed, queued or completed upload can send only what changed.`,
    );
  }
  const fingerprint = await statFile(job.path);
  const changed = fingerprintDifference(job.fingerprint, fingerprint) !== null;
  const plan = replanForChangedFile(job, fingerprint.size, profile.maxObjectSize);

  if (job.state !== 'completed') {
    if (!changed) return { kind: 'unchanged' };
    if (job.uploadId === null) return { kind: 'restart', reason: 'no upload of it was kept on the server' };
    if (!plan.ok) return { kind: 'restart', reason: plan.reason };
    return { kind: 'resume', fingerprint, size: plan.size, partCount: plan.partCount };
  }

  if (job.skipped) throw new FerryError('INVALID_INPUT', `${name} sent nothing (the key existed): there is nothing to copy from.`);
  if (!changed) {
    throw new FerryError(
      'INVALID_INPUT',
      `${job.path} has not changed since ${name} uploaded it: s3://${job.bucket}/${job.key} already holds it.`,
    );
  }
  if (job.options?.sseC) {
    throw new FerryError(
      'INVALID_INPUT',
      `${name} was encrypted with a customer key (SSE-C), which Ferry no longer holds: upload the file anew.`,
    );
  }
  if (!plan.ok) return { kind: 'restart', reason: plan.reason };
  if (parts.length !== job.partCount || job.etag === null)
    return { kind: 'restart', reason: 'Ferry did not keep the checksums of its parts' };
  let head;
  try {
    head = await gateway.send(new HeadObjectCommand({ Bucket: job.bucket, Key: job.key }), {
      operation: 'checking the uploaded object',
      bucket: job.bucket,
      policy: 'quick',
      signal,
    });
  } catch (error) {
    const status = ((error as { cause?: { $metadata?: { httpStatusCode?: number } } }).cause ?? {}).$metadata?.httpStatusCode;
    if (status === 404) {
      throw new FerryError(
        'OBJECT_CHANGED',
        `s3://${job.bucket}/${job.key} is no longer on the server: there is nothing to copy from. Upload the file anew.`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  const etag = unquote(head.ETag);
  if (etag !== unquote(job.etag) || head.ContentLength !== job.size) {
    throw new FerryError(
      'OBJECT_CHANGED',
      `s3://${job.bucket}/${job.key} is no longer the object ${name} uploaded (its ETag is ${etag}, Ferry's was ${unquote(job.etag)}): nothing can be copied from it. Upload the file anew to replace it.`,
    );
  }
  return {
    kind: 'copy',
    source: { bucket: job.bucket, key: job.key, etag, size: job.size, partSize: job.partSize, parts: [...parts] },
  };
}

/** The HTTP status of a failed request (the gateway's FerryError keeps the SDK's error as its cause). */
function httpStatus(error: unknown): number | undefined {
  const e = error as { $metadata?: { httpStatusCode?: number }; cause?: { $metadata?: { httpStatusCode?: number } } } | null;
  return e?.$metadata?.httpStatusCode ?? e?.cause?.$metadata?.httpStatusCode;
}

/** The copy source header: bucket/key, each path segment URL-encoded. */
function copySourceHeader(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * An "upload changes only" run, once its upload exists: hashes the file's ranges that line up with a
 * part of the old object (same place, same size), and copies each one whose MD5 is unchanged from
 * that object, server-side, instead of sending it. Copied parts are told like sent ones (onPart).
 * A part the server refuses to copy is left to be sent; an object replaced since (412 on the
 * if-match) fails the job in words before anything else is copied.
 */
export async function copyUnchangedParts(
  run: UploadRun & { copyFrom: CopySource },
  file: PartSource,
  uploadId: string,
  parts: Map<number, CompletedPart>,
): Promise<void> {
  const { job, gateway, copyFrom: source } = run;
  const wanted: { partNumber: number; start: number; end: number; md5: string }[] = [];
  for (const old of [...source.parts].sort((a, b) => a.partNumber - b.partNumber)) {
    if (old.partNumber > job.partCount || parts.has(old.partNumber)) continue;
    const { start, end } = partRange(job, old.partNumber);
    if (end - start !== old.size || start + old.size > source.size) continue;
    const md5 = await file.md5(start, end, run.signal);
    // a part the server verified by another check (SHA-256) has no MD5 of ours: its ETag is one
    if (md5.hex === partMd5(old)) wanted.push({ partNumber: old.partNumber, start, end, md5: md5.hex });
  }
  if (wanted.length === 0) return;
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (next < wanted.length && failure === null) {
      const part = wanted[next++]!;
      try {
        const copied = await gateway.send(
          new UploadPartCopyCommand({
            Bucket: job.bucket,
            Key: job.key,
            UploadId: uploadId,
            PartNumber: part.partNumber,
            CopySource: copySourceHeader(source.bucket, source.key),
            CopySourceRange: `bytes=${part.start}-${part.end - 1}`,
            CopySourceIfMatch: `"${source.etag}"`,
          }),
          {
            operation: `copying unchanged part ${part.partNumber} on the server`,
            bucket: job.bucket,
            scope: 'upload',
            policy: 'transfer',
            priority: 'low',
            signal: run.signal,
            onRetry: run.callbacks.onRetry,
          },
        );
        const etag = copied.CopyPartResult?.ETag;
        if (!etag) continue; // no ETag to complete with: the part is sent instead
        // the copied part's ETag is the MD5 of the bytes copied: other bytes mean the object was
        // replaced (Ceph RGW 16.2 ignores x-amz-copy-source-if-match on UploadPartCopy)
        if (!etagIsOpaque(job.options) && unquote(etag) !== part.md5) {
          failure ??= new Error(`part ${part.partNumber} copied other bytes`);
          continue;
        }
        const done: CompletedPart = { partNumber: part.partNumber, etag, md5: part.md5, size: part.end - part.start };
        parts.set(part.partNumber, done);
        run.callbacks.onPart(done);
      } catch (error) {
        if (run.signal.aborted) throw run.signal.reason;
        // the source is no longer Ferry's object: 412 on the if-match, or (Ceph RGW 16.2 checks the
        // range first) 416 when the object that replaced it is shorter than the range
        if (isPreconditionFailed(error) || httpStatus(error) === 416) failure ??= error;
        // any other refusal (a server without ranged copies): the part is sent from the file
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.concurrency, wanted.length) }, worker));
  if (run.signal.aborted) throw run.signal.reason;
  if (failure !== null) {
    throw new FerryError(
      'OBJECT_CHANGED',
      `s3://${source.bucket}/${source.key} was replaced since Ferry uploaded it: its unchanged parts cannot be copied from it. Retry to send the whole file.`,
    ); // (no cause: a 412 cause would read as a conditional write refused, uploader.ts)
  }
  run.callbacks.onPartsReplaced([...parts.values()].sort((a, b) => a.partNumber - b.partNumber));
}

/** "Kept 60 of 64 parts (960 MiB); sending 4" style summary of a decision, for the hosts. */
export function describeDecision(decision: ChangesDecision, job: Job): string {
  switch (decision.kind) {
    case 'unchanged':
      return `${job.path} has not changed: the upload goes on as it was.`;
    case 'resume':
      return `The upload of ${job.path} goes on with the file as it is now (${formatBytes(decision.size)}): each part the server holds is kept if its bytes did not change; the others are sent.`;
    case 'restart':
      return `Only what changed cannot be sent (${decision.reason}): uploading ${job.path} from the start.`;
    case 'copy':
      return `Uploading only what changed in ${job.path}: the unchanged parts are copied on the server from s3://${decision.source.bucket}/${decision.source.key}.`;
  }
}
