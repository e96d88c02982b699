/**
 * A new job from what a host asks for (a JobSpec): its options validated, its key and bucket
 * checked, its file's fingerprint taken and its parts planned for the endpoint, its SSE-C key sealed.
 * Nothing is stored here: the engine stores a batch only when every job of it is valid.
 */
import type { CopySource } from './changes.ts';
import mime from 'mime';
import { randomUUID } from 'node:crypto';
import type { EndpointProfile } from '../../shared/endpoint.ts';
import { FerryError } from '../../shared/errors.ts';
import type { Job } from '../../shared/job.ts';
import { PartPlanError, planParts } from '../../shared/partPlan.ts';
import { bucketNameProblem, objectKeyProblem } from '../../shared/s3Names.ts';
import { optionsIssue, uploadOptionsSchema, type UploadOptions } from '../../shared/uploadOptions.ts';
import type { SecretVault } from '../endpoints/vault.ts';
import { statFile } from './fileSource.ts';

export interface JobSpec {
  /** A file on disk. Ignored when `browserFile` is given (then it is the display path). */
  path: string;
  /** A file in a browser page, streamed by it (the browser host); attach its reader with engine.sources.attach. */
  browserFile?: { size: number; lastModified: number };
  endpointId: string;
  bucket: string;
  key: string;
  partSize?: number;
  concurrency?: number;
  /** The drop, folder or command this job came with: the window shows a batch as one item. */
  batch?: { id: string; name: string };
  /**
   * An incomplete multipart upload to finish instead of starting one (adopting another tool's
   * orphan): the first run reconciles with its parts, keeps those whose bytes match the file and
   * sends the rest. `partSize` must be the upload's own.
   */
  uploadId?: string;
  /** What the object is sent with (validated here); the endpoint's defaults are the host's to merge. */
  options?: UploadOptions;
  /** Guess the content type from the file name when `options.contentType` is not given (default true). */
  guessContentType?: boolean;
  /** The SSE-C key (base64 of 32 bytes) when `options.sseC`; sealed by the vault until the job ends. */
  sseCKey?: string;
  /** "Upload changes only" (changes.ts): the object whose unchanged parts are copied instead of sent. */
  copyFrom?: CopySource;
}

/** The content type of a file name, or application/octet-stream when unknown. */
export function guessContentType(name: string): string {
  return mime.getType(name) ?? 'application/octet-stream';
}

/** The vault that seals SSE-C keys; refused in words on a host that keeps none. */
export function requireVault(vault: SecretVault | null): SecretVault {
  if (vault === null)
    throw new FerryError('INVALID_INPUT', 'This host keeps no SSE-C keys: upload with a customer key from the ferry command.');
  return vault;
}

export interface NewJobContext {
  /** The endpoint's profile (its part-size limits), resolved after the cheap checks. */
  profileOf: (endpointId: string) => Promise<EndpointProfile>;
  /** Throws JOB_CONFLICT when the key is taken by a live job or one of `batch`. */
  assertKeyFree: (spec: JobSpec, batch: readonly Job[]) => void;
  vault: SecretVault | null;
  defaults: { readonly partSize: number; readonly partConcurrency: number };
}

/**
 * Checks and builds the jobs of `specs` (state 'queued'), all or none: the first bad one throws its
 * FerryError. Returns them with the sealed SSE-C keys, by job id.
 */
export async function newJobs(specs: readonly JobSpec[], context: NewJobContext): Promise<{ jobs: Job[]; sealed: Map<string, string> }> {
  const now = Date.now();
  const jobs: Job[] = [];
  const sealed = new Map<string, string>();
  for (const spec of specs) {
    const parsedOptions = uploadOptionsSchema.safeParse(spec.options ?? {});
    if (!parsedOptions.success) throw new FerryError('INVALID_INPUT', optionsIssue(parsedOptions.error));
    const options: UploadOptions = { ...parsedOptions.data };
    if (options.contentType === undefined && spec.guessContentType !== false) options.contentType = guessContentType(spec.key);
    if ((options.sseC === true) !== (spec.sseCKey !== undefined))
      throw new FerryError('INVALID_INPUT', 'An SSE-C upload needs its key, and a key needs SSE-C.');
    if (spec.sseCKey !== undefined && Buffer.from(spec.sseCKey, 'base64').length !== 32)
      throw new FerryError('INVALID_INPUT', 'The SSE-C key must be 32 bytes.');
    context.assertKeyFree(spec, jobs);
    const keyProblem = objectKeyProblem(spec.key);
    if (keyProblem) throw new FerryError('INVALID_KEY', keyProblem);
    const bucketProblem = bucketNameProblem(spec.bucket);
    if (bucketProblem) throw new FerryError('INVALID_INPUT', bucketProblem);
    const profile = await context.profileOf(spec.endpointId);
    const fingerprint = spec.browserFile
      ? { size: spec.browserFile.size, mtimeMs: spec.browserFile.lastModified, ino: 'browser' }
      : await statFile(spec.path);
    let plan;
    try {
      plan = planParts(fingerprint.size, {
        preferredPartSize: spec.partSize ?? context.defaults.partSize,
        minPartSize: profile.minPartSize,
        maxObjectSize: profile.maxObjectSize,
      });
    } catch (error) {
      if (error instanceof PartPlanError) {
        throw new FerryError(error.reason === 'file-too-large' ? 'FILE_TOO_LARGE' : 'INVALID_INPUT', `${spec.path}: ${error.message}`);
      }
      throw error;
    }
    if (spec.uploadId !== undefined && (!plan.multipart || plan.partSize !== spec.partSize)) {
      throw new FerryError('INVALID_INPUT', `${spec.path}: the upload's part size does not fit this endpoint's part plan for the file.`);
    }
    const concurrency = spec.concurrency ?? context.defaults.partConcurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new FerryError('INVALID_INPUT', `Invalid concurrency: ${concurrency}`);
    const id = randomUUID();
    if (spec.sseCKey !== undefined) sealed.set(id, requireVault(context.vault).seal(spec.sseCKey, `sse-c:${id}`));
    jobs.push({
      id,
      state: 'queued',
      source: spec.browserFile ? 'browser' : 'disk',
      path: spec.path,
      endpointId: spec.endpointId,
      bucket: spec.bucket,
      key: spec.key,
      size: fingerprint.size,
      fingerprint,
      multipart: plan.multipart,
      partSize: plan.partSize,
      partCount: plan.partCount,
      concurrency,
      uploadId: spec.uploadId ?? null,
      bytesDone: 0,
      etag: null,
      error: null,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
      options,
      batchId: spec.batch?.id ?? null,
      batchName: spec.batch?.name ?? null,
    });
  }
  return { jobs, sealed };
}
