/**
 * One job's upload run: from the file on disk to a verified object. Knows S3, not the job store or
 * the state machine; the engine gives it the job, the parts already acknowledged and callbacks.
 *
 *   single PUT:  md5(file) → PutObject with Content-MD5 → ETag checked against the MD5
 *   multipart:   ListParts reconcile (if an UploadId exists) or CreateMultipartUpload
 *                → missing parts in parallel, each with Content-MD5, through the shared limiter
 *                → fingerprint check → CompleteMultipartUpload → HeadObject ETag = md5(md5s)-N
 *
 * Cancellation is the job's AbortSignal; its reason tells the engine why (pause, abort, shutdown).
 * Pausing never calls AbortMultipartUpload. On a fatal part error the other parts are cancelled and
 * awaited before the error surfaces, so nothing is still writing when the caller reacts.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { FerryError, IntegrityError } from '../../shared/errors.ts';
import type { CompletedPart, Job } from '../../shared/job.ts';
import { partRange } from '../../shared/partPlan.ts';
import type { Limiter, Priority } from './limiter.ts';
import { withRetry, type RetryNotice, type RetryPolicy } from './retry.ts';
import { isUploadGone, toFerryError } from './s3Errors.ts';
import type { PartSource } from './partSource.ts';

export interface UploadCallbacks {
  /** A new UploadId (or null when the old one is gone); must be persisted before parts are sent. */
  onUploadId(uploadId: string | null): void;
  /** The parts known after reconciling with the server replace the job's parts. */
  onPartsReplaced(parts: readonly CompletedPart[]): void;
  /** A part the server acknowledged. */
  onPart(part: CompletedPart): void;
  /** Bytes sent (positive) or taken back after a failed attempt (negative). */
  onBytes(delta: number): void;
  /** A failed request that will be retried. */
  onRetry?(error: FerryError, attempt: number, delayMs: number, notice: RetryNotice): void;
}

export interface UploadRun {
  job: Job;
  /** Opens the job's bytes (a file on disk, or a file in the browser page). */
  openSource: () => Promise<PartSource>;
  /** Parts acknowledged in earlier runs, by part number. */
  parts: ReadonlyMap<number, CompletedPart>;
  client: S3Client;
  limiter: Limiter;
  retryPolicy: RetryPolicy;
  /** A part request that sends or receives nothing for this long is cancelled and retried. */
  stallTimeoutMs: number;
  endpointName: string;
  signal: AbortSignal;
  callbacks: UploadCallbacks;
  /** Parts per ListParts page (default: the server's, 1,000 on S3); small values exercise paging. */
  listPageSize?: number;
  /** During an outage: resolves once the endpoint seems to answer again (ends a long backoff early). */
  whenReachable?: (signal: AbortSignal) => Promise<void>;
}

export interface UploadResult {
  etag: string;
}

function isConnectionReset(error: unknown): boolean {
  const e = error as { code?: string; message?: string; cause?: { code?: string } } | null;
  const code = e?.code ?? e?.cause?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || /socket hang up/i.test(e?.message ?? '');
}

/** The refusals a bodiless probe can reveal behind a reset; anything else is retried as a network error. */
const REFUSALS: ReadonlySet<FerryError['code']> = new Set([
  'ACCESS_DENIED',
  'AUTH_INVALID_KEY_ID',
  'AUTH_BAD_SECRET',
  'NO_SUCH_BUCKET',
  'WRONG_REGION',
  'UPLOAD_GONE',
]);

/** Content-MD5 of an empty body. */
const EMPTY_MD5_BASE64 = '1B2M2Y8AsgTpgAmY7PhCfg==';

/**
 * A connection broke while a body was being sent. A server that refuses a write (bad key or secret,
 * no bucket, a bucket policy, a key without write permission) may answer and close the connection
 * before reading the body: the unread bytes make the close a reset, and the answer is lost (Ceph RGW
 * does this; so may any server or proxy). Retrying would meet the same reset up to the last attempt,
 * the job showing "uploading" for a minute. So ask again without a body, where nothing is left
 * unread: `probe` is the same write with no bytes, under the same credentials, bucket and key. A
 * refusal fails the job at once, in words; anything else is retried as before.
 */
async function explainReset(run: UploadRun, what: string, probe: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
  try {
    await probe(AbortSignal.any([run.signal, AbortSignal.timeout(20_000)]));
  } catch (error) {
    if (run.signal.aborted) throw run.signal.reason;
    const refusal = toFerryError(error, { operation: what, bucket: run.job.bucket, endpoint: run.endpointName });
    if (REFUSALS.has(refusal.code)) throw refusal;
  }
}

const unquote = (etag: string | undefined): string => (etag ?? '').replace(/^"|"$/g, '');

/** The multipart ETag S3 computes: md5 of the concatenated binary part MD5s, then "-N". */
export function compositeEtag(parts: readonly Pick<CompletedPart, 'md5'>[]): string {
  const hash = createHash('md5');
  for (const part of parts) hash.update(Buffer.from(part.md5, 'hex'));
  return `${hash.digest('hex')}-${parts.length}`;
}

export async function runUpload(run: UploadRun): Promise<UploadResult> {
  const file = await run.openSource();
  try {
    await file.assertUnchanged(run.job.fingerprint);
    return run.job.multipart ? await multipartUpload(run, file) : await singleUpload(run, file);
  } finally {
    await file.close();
  }
}

/** Runs one S3 request under the limiter with retries; `operation` gets a per-attempt signal. */
function request<T>(run: UploadRun, what: string, priority: Priority, operation: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withRetry(() => run.limiter.run(priority, run.signal, () => operation(run.signal)), {
    signal: run.signal,
    policy: run.retryPolicy,
    context: { operation: what, bucket: run.job.bucket, endpoint: run.endpointName },
    onRetry: run.callbacks.onRetry,
    whenReachable: run.whenReachable,
  });
}

/**
 * Sends a body from the file with a stall watchdog: the attempt is cancelled, as a retryable
 * timeout, when no byte has moved for `stallTimeoutMs`. Counted bytes are taken back on failure.
 */
async function sendFromFile<T>(
  run: UploadRun,
  file: PartSource,
  start: number,
  end: number,
  what: string,
  send: (body: Readable | Buffer, md5Base64: string, signal: AbortSignal) => Promise<T>,
  /** The same write with no body, asked after a reset (explainReset). */
  probe: (signal: AbortSignal) => Promise<unknown>,
): Promise<{ result: T; md5: string }> {
  return withRetry(
    () =>
      run.limiter.run('low', run.signal, async () => {
        const { md5, body: makeBody } = await file.prepare(start, end, run.signal);
        const stall = new AbortController();
        const signal = AbortSignal.any([run.signal, stall.signal]);
        // One watchdog per attempt, pushed back by every chunk sent (refresh(), no new timer per
        // chunk); unref'd, so that it never keeps the process alive.
        const watchdog = setTimeout(
          () => stall.abort(new FerryError('TIMEOUT', `No data moved for ${Math.round(run.stallTimeoutMs / 1000)} s while ${what}.`)),
          run.stallTimeoutMs,
        ).unref();
        // Once the attempt is settled, a chunk the body stream still emits (it was already read when
        // the request ended) neither counts as progress nor pushes the watchdog back.
        let settled = false;
        let sent = 0;
        const body = makeBody((bytes) => {
          if (settled) return;
          sent += bytes;
          run.callbacks.onBytes(bytes);
          watchdog.refresh();
        });
        const outcome = await send(body, md5.base64, signal).then(
          (result) => ({ ok: true as const, result }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        settled = true;
        clearTimeout(watchdog);
        if (outcome.ok) return { result: outcome.result, md5: md5.hex };
        run.callbacks.onBytes(-sent);
        if ('destroy' in body) body.destroy();
        if (stall.signal.aborted && !run.signal.aborted) throw stall.signal.reason;
        if (sent > 0 && !run.signal.aborted && isConnectionReset(outcome.error)) await explainReset(run, what, probe);
        throw outcome.error;
      }),
    {
      signal: run.signal,
      policy: run.retryPolicy,
      context: { operation: what, bucket: run.job.bucket, endpoint: run.endpointName },
      onRetry: run.callbacks.onRetry,
      whenReachable: run.whenReachable,
    },
  );
}

async function singleUpload(run: UploadRun, file: PartSource): Promise<UploadResult> {
  const { job, client } = run;
  const { result, md5 } = await sendFromFile(
    run,
    file,
    0,
    job.size,
    'uploading the file',
    (body, md5Base64, signal) =>
      client.send(new PutObjectCommand({ Bucket: job.bucket, Key: job.key, Body: body, ContentLength: job.size, ContentMD5: md5Base64 }), {
        abortSignal: signal,
      }),
    // an empty PutObject would replace an existing object: starting (and at once aborting) a
    // multipart upload of the key asks for the same permission and leaves nothing behind
    async (signal) => {
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket: job.bucket, Key: job.key }), { abortSignal: signal });
      if (created.UploadId) {
        await client
          .send(new AbortMultipartUploadCommand({ Bucket: job.bucket, Key: job.key, UploadId: created.UploadId }), { abortSignal: signal })
          .catch(() => undefined);
      }
    },
  );
  let etag = unquote(result.ETag);
  if (etag === '') etag = await headEtag(run);
  if (/^[0-9a-f]{32}$/.test(etag) && etag !== md5) {
    throw new IntegrityError(`The stored object's ETag ${etag} is not the MD5 of the file (${md5}).`);
  }
  return { etag };
}

async function multipartUpload(run: UploadRun, file: PartSource): Promise<UploadResult> {
  const { job, client, callbacks } = run;
  const parts = new Map(run.parts);
  let uploadId = job.uploadId;

  if (uploadId !== null) {
    const reconciled = await reconcile(run, file, uploadId);
    if (reconciled === null) {
      uploadId = null;
      parts.clear();
      callbacks.onUploadId(null);
      callbacks.onPartsReplaced([]);
    } else {
      parts.clear();
      for (const part of reconciled) parts.set(part.partNumber, part);
      callbacks.onPartsReplaced(reconciled);
    }
  }
  if (uploadId === null) {
    const created = await request(run, 'starting the multipart upload', 'high', (signal) =>
      client.send(new CreateMultipartUploadCommand({ Bucket: job.bucket, Key: job.key }), { abortSignal: signal }),
    );
    if (!created.UploadId) throw new FerryError('REQUEST_REJECTED', 'The server did not return an UploadId.');
    uploadId = created.UploadId;
    callbacks.onUploadId(uploadId);
  }

  const missing: number[] = [];
  for (let n = 1; n <= job.partCount; n++) if (!parts.has(n)) missing.push(n);
  await uploadParts(run, file, uploadId, missing, parts);

  await file.assertUnchanged(job.fingerprint);
  const ordered = [...parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  const expected = compositeEtag(ordered);
  try {
    await request(run, 'completing the multipart upload', 'high', (signal) =>
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: job.bucket,
          Key: job.key,
          UploadId: uploadId,
          MultipartUpload: { Parts: ordered.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
        { abortSignal: signal },
      ),
    );
  } catch (error) {
    // A Complete that succeeded but whose answer was lost is retried and then finds no upload:
    // the object is there if its ETag is ours.
    if (!isUploadGone(error) || (await headEtag(run).catch(() => '')) !== expected) throw error;
  }
  // Ceph RGW 16.2 answers Complete with an empty ETag: HeadObject has the real one.
  const etag = await headEtag(run);
  if (/-\d+$/.test(etag) && etag !== expected) {
    throw new IntegrityError(`The assembled object's ETag ${etag} differs from the one computed from the parts sent (${expected}).`);
  }
  return { etag };
}

async function headEtag(run: UploadRun): Promise<string> {
  const head = await request(run, 'checking the uploaded object', 'high', (signal) =>
    run.client.send(new HeadObjectCommand({ Bucket: run.job.bucket, Key: run.job.key }), { abortSignal: signal }),
  );
  return unquote(head.ETag);
}

/**
 * Asks the server which parts it holds (every page) and keeps those that match the file: a part
 * known locally with the same ETag and size, or a part the store missed (the process died before
 * the batch was written) whose bytes on disk hash to the server's ETag. Returns null if the upload
 * is gone (AWS: 404 NoSuchUpload; Ceph RGW: 404 NoSuchKey).
 */
async function reconcile(run: UploadRun, file: PartSource, uploadId: string): Promise<CompletedPart[] | null> {
  const { job, client } = run;
  const server = new Map<number, { etag: string; size: number }>();
  let marker: string | undefined;
  try {
    do {
      const page = await request(run, 'listing the parts already uploaded', 'high', (signal) =>
        client.send(
          new ListPartsCommand({
            Bucket: job.bucket,
            Key: job.key,
            UploadId: uploadId,
            PartNumberMarker: marker,
            MaxParts: run.listPageSize,
          }),
          { abortSignal: signal },
        ),
      );
      for (const p of page.Parts ?? []) {
        if (p.PartNumber !== undefined && p.ETag) server.set(p.PartNumber, { etag: p.ETag, size: p.Size ?? -1 });
      }
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
  } catch (error) {
    if (isUploadGone(error) || isUploadGone((error as { cause?: unknown }).cause)) return null;
    throw error;
  }
  const kept: CompletedPart[] = [];
  for (const [partNumber, remote] of [...server].sort((a, b) => a[0] - b[0])) {
    if (partNumber < 1 || partNumber > job.partCount) continue;
    const { start, end } = partRange(job, partNumber);
    if (remote.size !== end - start) continue;
    const local = run.parts.get(partNumber);
    if (local && unquote(local.etag) === unquote(remote.etag)) {
      kept.push(local);
      continue;
    }
    const md5 = await file.md5(start, end, run.signal);
    if (md5.hex === unquote(remote.etag)) kept.push({ partNumber, etag: remote.etag, md5: md5.hex, size: end - start });
  }
  return kept;
}

/** Uploads `missing` parts with at most the job's concurrency; the first fatal error cancels the rest. */
async function uploadParts(
  run: UploadRun,
  file: PartSource,
  uploadId: string,
  missing: number[],
  parts: Map<number, CompletedPart>,
): Promise<void> {
  if (missing.length === 0) return;
  const { job, client, callbacks } = run;
  const failure = new AbortController();
  const signal = AbortSignal.any([run.signal, failure.signal]);
  const partRun: UploadRun = { ...run, signal };
  let next = 0;
  let firstError: unknown = null;

  const worker = async () => {
    while (next < missing.length && !signal.aborted) {
      const partNumber = missing[next++]!;
      const { start, end } = partRange(job, partNumber);
      try {
        const sendPart = (body: Readable | Buffer | Uint8Array, length: number, md5Base64: string, attemptSignal: AbortSignal) =>
          client.send(
            new UploadPartCommand({
              Bucket: job.bucket,
              Key: job.key,
              UploadId: uploadId,
              PartNumber: partNumber,
              Body: body,
              ContentLength: length,
              ContentMD5: md5Base64,
            }),
            { abortSignal: attemptSignal },
          );
        const { result, md5 } = await sendFromFile(
          partRun,
          file,
          start,
          end,
          `uploading part ${partNumber}`,
          (body, md5Base64, attemptSignal) => sendPart(body, end - start, md5Base64, attemptSignal),
          // an empty part under the same number: the retry replaces it (and a resume ignores a part
          // whose size is wrong)
          (probeSignal) => sendPart(new Uint8Array(0), 0, EMPTY_MD5_BASE64, probeSignal),
        );
        const part: CompletedPart = { partNumber, etag: result.ETag ?? `"${md5}"`, md5, size: end - start };
        parts.set(partNumber, part);
        callbacks.onPart(part);
      } catch (error) {
        if (run.signal.aborted) return;
        if (firstError === null) {
          firstError = error;
          failure.abort(error);
        }
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.concurrency, missing.length) }, worker));
  if (run.signal.aborted) throw run.signal.reason;
  if (firstError !== null) throw toFerryError(firstError, { operation: 'uploading parts', bucket: job.bucket, endpoint: run.endpointName });
}
