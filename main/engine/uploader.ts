/**
 * One job's upload run: from the file on disk to a verified object. Knows S3, not the job store or
 * the state machine; the engine gives it the job, the parts already acknowledged and callbacks.
 *
 *   single PUT:  digest(file) → PutObject with the check → (Content-MD5) ETag checked against the MD5
 *   multipart:   ListParts reconcile (if an UploadId exists) or CreateMultipartUpload
 *                → missing parts in parallel, each with the check, through the shared limiter
 *                → fingerprint check → CompleteMultipartUpload → HeadObject: size, part count, and
 *                  ETag = md5(part MD5s)-N (the MD5s computed here, or the part ETags the server gave
 *                  parts it verified by another check)
 *
 * Every part carries the cheapest check the endpoint validates (partCheck.ts, learnt by the probe in
 * integrityProbe.ts; Content-MD5 while nothing is known), so the server refuses a part that arrives
 * other than it was hashed.
 *
 * Cancellation is the job's AbortSignal; its reason tells the engine why (pause, abort, shutdown).
 * Pausing never calls AbortMultipartUpload. On a fatal part error the other parts are cancelled and
 * awaited before the error surfaces, so nothing is still writing when the caller reacts.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectTaggingCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { FerryError, IntegrityError } from '../../shared/errors.ts';
import type { PartCheck } from '../../shared/endpoint.ts';
import type { CompletedPart, Job } from '../../shared/job.ts';
import { unquote } from './etag.ts';
import { partRange } from '../../shared/partPlan.ts';
import type { S3Command, S3Gateway } from './gateway.ts';
import type { Bandwidth } from './bandwidth.ts';
import { etagIsOpaque, explainOptionsRefusal, isPreconditionFailed, objectFields, ssecFields } from './objectOptions.ts';
import { renamedKey } from '../../shared/uploadOptions.ts';
import type { RetryNotice } from './retry.ts';
import { existsQuestion } from './existsQuestion.ts';
import { isUploadGone, toFerryError } from './s3Errors.ts';
import type { PartSource } from './partSource.ts';
import { copyUnchangedParts, type CopySource } from './changes.ts';
import { checkFields, type PartDigest } from './partCheck.ts';

export interface UploadCallbacks {
  /** A new UploadId (or null when the old one is gone); must be persisted before parts are sent. */
  onUploadId(uploadId: string | null): void;
  /** The parts known after reconciling with the server replace the job's parts. */
  onPartsReplaced(parts: readonly CompletedPart[]): void;
  /**
   * A part the server acknowledged; `adopted`: one found on the server that the store had missed,
   * checked against the file, not sent by this run (its bytes count as done, not as sent).
   */
  onPart(part: CompletedPart, adopted?: boolean): void;
  /** Bytes sent (positive) or taken back after a failed attempt (negative). */
  onBytes(delta: number): void;
  /** A failed request that will be retried. */
  onRetry?(error: FerryError, attempt: number, delayMs: number, notice: RetryNotice): void;
  /** A CreateMultipartUpload is about to be sent (the job may leave an upload behind: see orphans.ts). */
  onCreateSent?(): void;
  /** `ifExists: rename` chose another key; must be persisted before anything is written to it. */
  onKeyChanged?(key: string): void;
}

export interface UploadRun {
  job: Job;
  /** Opens the job's bytes (a file on disk, or a file in the browser page). */
  openSource: () => Promise<PartSource>;
  /** Parts acknowledged in earlier runs, by part number. */
  parts: ReadonlyMap<number, CompletedPart>;
  /** The endpoint's S3 gateway: client, shared limiter, retry policies, error context. */
  gateway: S3Gateway;
  /** A part request that sends or receives nothing for this long is cancelled and retried. */
  stallTimeoutMs: number;
  signal: AbortSignal;
  callbacks: UploadCallbacks;
  /** Parts per ListParts page (default: the server's, 1,000 on S3); small values exercise paging. */
  listPageSize?: number;
  /** The job's SSE-C key (base64), when its options say sseC. */
  sseCKey?: string;
  /** The process's bandwidth limit (bandwidth.ts), shared by every job. */
  bandwidth?: Bandwidth;
  /** During an outage: resolves once the endpoint seems to answer again (ends a long backoff early). */
  whenReachable?: (signal: AbortSignal) => Promise<void>;
  /** "Upload changes only" (changes.ts): the object whose unchanged parts are copied instead of sent. */
  copyFrom?: CopySource;
  /** The check every part carries (default: the gateway's choice for the endpoint, partCheck.ts). */
  partCheck?: PartCheck;
}

export interface UploadResult {
  etag: string;
  /** The version the upload created, in a versioned bucket (issue #15: receipts). */
  versionId?: string;
  /** Nothing was uploaded: the key existed and `ifExists` said skip (or skip-identical matched). */
  skipped?: boolean;
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

/** MD5 of an empty body. */
const EMPTY_MD5_HEX = 'd41d8cd98f00b204e9800998ecf8427e';

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
    const refusal = toFerryError(error, run.gateway.context({ operation: what, bucket: run.job.bucket, scope: 'upload' }));
    if (REFUSALS.has(refusal.code)) throw refusal;
  }
}

/**
 * A part's MD5: computed here (Content-MD5), or, for a part the server verified by another check
 * (md5 ''), the MD5 the server gave it as its ETag.
 */
export function partMd5(part: Pick<CompletedPart, 'md5'> & { etag?: string }): string {
  return part.md5 !== '' ? part.md5 : unquote(part.etag);
}

/** The multipart ETag S3 computes: md5 of the concatenated binary part MD5s, then "-N". */
export function compositeEtag(parts: readonly (Pick<CompletedPart, 'md5'> & { etag?: string })[]): string {
  const hash = createHash('md5');
  for (const part of parts) hash.update(Buffer.from(partMd5(part), 'hex'));
  return `${hash.digest('hex')}-${parts.length}`;
}

/** What the store keeps of a part's check: its MD5 (or '' when another check was used) and that check's value. */
function partDigestFields(digest: PartDigest): Pick<CompletedPart, 'md5' | 'sha256' | 'crc32'> {
  if (digest.check === 'md5') return { md5: digest.value };
  return digest.check === 'sha256' ? { md5: '', sha256: digest.value } : { md5: '', crc32: digest.value };
}

export async function runUpload(run: UploadRun): Promise<UploadResult> {
  run = { ...run, partCheck: run.partCheck ?? (await run.gateway.partCheck(run.job.bucket, run.signal)) };
  const file = await run.openSource();
  try {
    // a file changed before the run fails it before any request; a single request of a file that
    // overwrites needs no check first: its bytes are checked against the fingerprint once read
    if (run.job.multipart || (run.job.options?.ifExists ?? 'overwrite') !== 'overwrite') await file.assertUnchanged(run.job.fingerprint);
    // a multipart upload already started passed the existence check when it started
    if (run.job.uploadId === null) {
      const existing = await checkExisting(run, file);
      if (existing !== null) return existing;
    }
    for (let looks = 0; ; looks++) {
      try {
        return run.job.multipart ? await multipartUpload(run, file) : await singleUpload(run, file);
      } catch (error) {
        // a conditional write found the key taken by another writer since the check
        if (!isPreconditionFailed(error)) throw error instanceof FerryError ? explainOptionsRefusal(error, run.job.options) : error;
        const mode = run.job.options?.ifExists;
        if (mode === 'skip') return { etag: await headEtag(run), skipped: true };
        // look again: ask finds this job's own write landed late, or asks; rename takes the next free name
        if ((mode === 'ask' || (mode === 'rename' && !run.job.multipart)) && looks < 100) {
          const existing = await checkExisting(run, file, 'was created by another writer while this upload ran');
          if (existing !== null) return existing;
          continue;
        }
        throw existsError(run, 'was created by another writer while this upload ran');
      }
    }
  } finally {
    await file.close();
  }
}

function existsError(run: UploadRun, how: string): FerryError {
  return new FerryError('OBJECT_EXISTS', `s3://${run.job.bucket}/${run.job.key} ${how}; --if-exists fail leaves it as it is.`);
}

/** The conditional-write header for modes that must never replace an object (`If-None-Match: *`). */
function ifNoneMatch(run: UploadRun): { IfNoneMatch?: string } {
  const mode = run.job.options?.ifExists;
  return mode === 'skip' || mode === 'rename' || mode === 'fail' || mode === 'ask' ? { IfNoneMatch: '*' } : {};
}

/**
 * `ifExists` before the first byte: HeadObject on the key; when an object is there, skip (result),
 * fail (throws OBJECT_EXISTS), ask (throws ANSWER_NEEDED, `how` the key came to be taken: the engine
 * pauses the job; not when the object holds the file's own bytes), rename (the first free
 * `name (n).ext`, told to the engine), or for
 * skip-identical compare size and ETag (MD5, or the multipart ETag for the job's part size) and
 * overwrite when they differ. Returns null to go on uploading. The write that follows carries
 * `If-None-Match: *` (skip, rename, fail, ask), so where the server honours it a writer racing in between
 * is not overwritten either.
 */
async function checkExisting(run: UploadRun, file: PartSource, how?: string): Promise<UploadResult | null> {
  const mode = run.job.options?.ifExists ?? 'overwrite';
  if (mode === 'overwrite') return null;
  for (let n = 1; n <= 1000; n++) {
    const head = await headObject(run);
    if (head === null) return null;
    if (mode === 'skip') return { etag: head.etag, skipped: true };
    if (mode === 'fail') throw existsError(run, 'exists');
    // The file's very bytes are there already (its size, and its ETag is the MD5 of its bytes): most
    // often this job's own write, which landed although the job was paused or interrupted before the
    // answer came (its body was already in the socket's buffer). Asking about it would only offer to
    // store the same bytes again. (`rename` keeps its word: a copy under a new name, every time.)
    if (mode === 'ask' && (await holdsTheFile(run, file, head))) return { etag: head.etag, skipped: true };
    // the window's default: nothing is replaced without an answer (existsQuestion.ts)
    if (mode === 'ask') throw existsQuestion(run.job.bucket, run.job.key, how);
    if (mode === 'skip-identical') {
      if (head.size === run.job.size && head.etag === (await localEtag(run, file))) return { etag: head.etag, skipped: true };
      return null;
    }
    const base = run.job.key.replace(/ \(\d+\)(?=(?:\.tar)?(?:\.[^.\s/]{1,10})?$)/, '');
    run.job.key = renamedKey(base, n);
    run.callbacks.onKeyChanged?.(run.job.key);
  }
  throw existsError(run, 'and its first 1,000 renamed variants exist');
}

/**
 * Whether the object `head` describes has the file's bytes: same size, and the ETag they give (not for an
 * opaque ETag). For a file sent in one request only: a multipart upload lands at its Complete, whose lost
 * answer is handled there, and a big file would be read whole before the question is asked.
 */
async function holdsTheFile(run: UploadRun, file: PartSource, head: { etag: string; size: number }): Promise<boolean> {
  if (run.job.multipart || head.size !== run.job.size || head.etag === '' || etagIsOpaque(run.job.options)) return false;
  return head.etag === (await localEtag(run, file));
}

/** The ETag S3 gives these bytes uploaded as this job uploads them: MD5, or md5(part MD5s)-N. */
async function localEtag(run: UploadRun, file: PartSource): Promise<string> {
  const { job } = run;
  if (!job.multipart) return (await file.md5(0, job.size, run.signal)).hex;
  const md5s: { md5: string }[] = [];
  for (let n = 1; n <= job.partCount; n++) {
    const { start, end } = partRange(job, n);
    md5s.push({ md5: (await file.md5(start, end, run.signal)).hex });
  }
  return compositeEtag(md5s);
}

/** The object at the job's key: its ETag and size, or null when there is none. */
async function headObject(run: UploadRun): Promise<{ etag: string; size: number } | null> {
  try {
    const head = await request(
      run,
      'checking whether the object exists',
      new HeadObjectCommand({ Bucket: run.job.bucket, Key: run.job.key, ...ssecFields(run.sseCKey) }),
      undefined,
      true,
    );
    return { etag: unquote(head.ETag), size: head.ContentLength ?? -1 };
  } catch (error) {
    const cause = (error as { cause?: { $metadata?: { httpStatusCode?: number } } }).cause;
    if (cause?.$metadata?.httpStatusCode === 404) return null;
    // an object encrypted with a customer key answers 400 to a HeadObject without it (or with another): it exists
    if (cause?.$metadata?.httpStatusCode === 400) return { etag: '', size: -1 };
    throw error;
  }
}

/**
 * One S3 request of the job, through the gateway (limiter, the transfer retry policy, the job's
 * signal). `bodyless`: a request that costs its round trip only (a HeadObject), a fraction of a slot.
 */
function request<I extends ServiceInputTypes, O extends ServiceOutputTypes>(
  run: UploadRun,
  operation: string,
  command: S3Command<I, O>,
  scope?: 'upload',
  bodyless = false,
): Promise<O> {
  return run.gateway.send(command, {
    operation,
    bucket: run.job.bucket,
    scope,
    policy: 'transfer',
    priority: 'high',
    ...(bodyless ? { bodyBytes: 0 } : {}),
    signal: run.signal,
    onRetry: run.callbacks.onRetry,
    whenReachable: run.whenReachable,
  });
}

/**
 * Sends a body from the file with a stall watchdog: per attempt the part is hashed under the run's
 * check (fileSource.ts: read once into memory, or hashed and then streamed), the job's fingerprint
 * is checked before and after the send (a file rewritten in between fails the job in words, even
 * where the server's refusal came first), and the check travels with the body for the server to
 * verify. The attempt is cancelled, as a retryable timeout, when no byte has moved for
 * `stallTimeoutMs`. Counted bytes are taken back on failure.
 */
async function sendFromFile<T>(
  run: UploadRun,
  file: PartSource,
  start: number,
  end: number,
  what: string,
  send: (body: Readable | Buffer, digest: PartDigest, signal: AbortSignal) => Promise<T>,
  /** The same write with no body, asked after a reset (explainReset). */
  probe: (signal: AbortSignal) => Promise<unknown>,
  scope?: 'upload',
): Promise<{ result: T; digest: PartDigest }> {
  return run.gateway.attempts(
    async () => {
      const prepared = await file.prepare(start, end, run.signal, run.partCheck ?? 'md5');
      const { digest, body: makeBody } = prepared;
      try {
        // after the read: a file rewritten, replaced or deleted while (or before) this part was
        // read fails the job now, in words, instead of sending other bytes or retrying them
        await file.assertUnchanged(run.job.fingerprint);
      } catch (error) {
        prepared.release?.();
        throw error;
      }
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
      const count = (bytes: number) => {
        if (settled) return;
        sent += bytes;
        run.callbacks.onBytes(bytes);
        watchdog.refresh();
      };
      // under a bandwidth limit, bytes count as they pass the limit, not as they are read
      const limited = run.bandwidth !== undefined && run.bandwidth.rate !== null;
      const body = limited
        ? run.bandwidth!.throttle(
            makeBody(() => undefined),
            signal,
            count,
          )
        : makeBody(count);
      const outcome = await send(body, digest, signal).then(
        (result) => ({ ok: true as const, result }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      settled = true;
      clearTimeout(watchdog);
      prepared.release?.();
      if (outcome.ok) {
        // a streamed body read the bytes again while sending: the file must still be the one hashed
        // (a body held in memory was sent as it was hashed and checked above)
        if (!prepared.held) await file.assertUnchanged(run.job.fingerprint);
        return { result: outcome.result, digest };
      }
      run.callbacks.onBytes(-sent);
      if ('destroy' in body) body.destroy();
      // a part refused because its bytes changed under it: the file changed, say that
      if (!run.signal.aborted) await file.assertUnchanged(run.job.fingerprint);
      if (stall.signal.aborted && !run.signal.aborted) throw stall.signal.reason;
      if (sent > 0 && !run.signal.aborted && isConnectionReset(outcome.error)) await explainReset(run, what, probe);
      throw outcome.error;
    },
    {
      operation: what,
      bucket: run.job.bucket,
      scope,
      policy: 'transfer',
      priority: 'low',
      // a small file's one request takes its bytes' share of a slot (limiter.ts); a part, a whole slot.
      // Under a bandwidth limit the rate, not the round trips, bounds small files: more of them at
      // once would only queue more bodies on the limit, each waiting longer than the stall timeout
      ...(run.job.multipart || (run.bandwidth?.rate ?? null) !== null ? {} : { bodyBytes: end - start }),
      signal: run.signal,
      onRetry: run.callbacks.onRetry,
      whenReachable: run.whenReachable,
    },
  );
}

async function singleUpload(run: UploadRun, file: PartSource): Promise<UploadResult> {
  const { job } = run;
  const { client } = run.gateway;
  const { result, digest } = await sendFromFile(
    run,
    file,
    0,
    job.size,
    'uploading the file',
    (body, digest, signal) =>
      run.gateway.direct.send({
        bucket: job.bucket,
        key: job.key,
        body,
        contentLength: job.size,
        fields: { ...checkFields(digest), ...objectFields(job.options, run.sseCKey), ...ifNoneMatch(run) },
        digest,
        signal,
      }),
    // an empty PutObject would replace an existing object: starting (and at once aborting) a
    // multipart upload of the key asks for the same permission and leaves nothing behind
    async (signal) => {
      run.callbacks.onCreateSent?.();
      const created = await client.send(
        new CreateMultipartUploadCommand({ Bucket: job.bucket, Key: job.key, ...objectFields(job.options, run.sseCKey) }),
        { abortSignal: signal },
      );
      if (created.UploadId) {
        await run.gateway
          .send(new AbortMultipartUploadCommand({ Bucket: job.bucket, Key: job.key, UploadId: created.UploadId }), {
            operation: 'aborting a probe upload',
            bucket: job.bucket,
            scope: 'upload',
            policy: 'cleanup',
            signal,
          })
          .catch(() => undefined); // a probe upload left behind is aborted with the job's leftovers
      }
    },
  );
  let etag = unquote(result.ETag);
  const versionId = result.VersionId;
  if (etag === '') etag = (await headChecked(run)).etag;
  // with SSE-C or SSE-KMS, S3's ETag is not the MD5 of the bytes (Content-MD5 still checked them);
  // under another check the server verified the bytes itself and there is no MD5 to compare
  const md5 = digest.check === 'md5' ? digest.value : null;
  if (md5 !== null && /^[0-9a-f]{32}$/.test(etag) && etag !== md5 && !etagIsOpaque(job.options)) {
    throw new IntegrityError(`The stored object's ETag ${etag} is not the MD5 of the file (${md5}).`);
  }
  // the check this request carried, for the receipt (a single request's only part)
  run.callbacks.onPart({ partNumber: 1, etag: `"${etag}"`, ...partDigestFields(digest), size: job.size });
  return { etag, ...(versionId ? { versionId } : {}) };
}

async function multipartUpload(run: UploadRun, file: PartSource): Promise<UploadResult> {
  const { job, callbacks } = run;
  const parts = new Map(run.parts);
  let uploadId = job.uploadId;

  let candidates: { partNumber: number; etag: string }[] = [];
  let ahead: SendAhead | null = null;
  if (uploadId !== null) {
    // the parts the store lacks go out while the server's list is read and matched (issue #14); not
    // when parts are copied from an older object, which needs the list first, nor when the store
    // knows no part: then nothing says which parts the server lacks, and every range is to be hashed
    // against the server's parts first ("send only what changed" empties the store for that)
    if (!run.copyFrom && run.parts.size > 0) ahead = sendAhead(run, file, uploadId, parts);
    // the list is asked for once the first part is on its way: reading 1,000 parts of XML takes tens
    // of milliseconds of the one thread that would otherwise hash and start that part
    const listed = uploadId;
    const listing = (ahead?.started ?? Promise.resolve()).then(() => reconcile(run, listed));
    // until the run's parts are settled, any failure stops the parts sent ahead before it surfaces:
    // no request of this run may still be writing when the caller reacts
    try {
      const reconciled = await listing;
      if (reconciled === null) {
        // the parts sent ahead went to an upload that is gone: they are of no use
        await ahead?.cancel();
        ahead = null;
        // The upload is gone. If every part was acknowledged, the likeliest reason is a Complete the
        // server carried out but whose answer was lost (a crash, a give-up): the object is then ours.
        const done = await completedEarlier(run, run.parts);
        if (done !== null) return done;
        uploadId = null;
        parts.clear();
        callbacks.onUploadId(null);
        callbacks.onPartsReplaced([]);
      } else {
        // the job's parts: those the server holds as the store knew them, and those this run sent (the
        // server's answer to a part sent during the listing is newer than the list)
        const sent = ahead?.sent ?? new Set<number>();
        for (const partNumber of [...parts.keys()]) if (!sent.has(partNumber)) parts.delete(partNumber);
        for (const part of reconciled.kept) if (!sent.has(part.partNumber)) parts.set(part.partNumber, part);
        callbacks.onPartsReplaced([...parts.values()].sort((a, b) => a.partNumber - b.partNumber));
        // a candidate a send ahead has taken is being sent: it is not hashed as well
        candidates = reconciled.candidates.filter((c) => ahead === null || ahead.queue.withdraw(c.partNumber));
      }
    } catch (error) {
      await ahead?.cancel();
      throw error;
    }
  }
  if (uploadId === null) {
    callbacks.onCreateSent?.();
    const created = await request(
      run,
      'starting the multipart upload',
      new CreateMultipartUploadCommand({ Bucket: job.bucket, Key: job.key, ...objectFields(job.options, run.sseCKey) }),
    );
    if (!created.UploadId) throw new FerryError('REQUEST_REJECTED', 'The server did not return an UploadId.');
    uploadId = created.UploadId;
    callbacks.onUploadId(uploadId);
  }

  if (run.copyFrom) await copyUnchangedParts({ ...run, copyFrom: run.copyFrom }, file, uploadId, parts);
  const adopting = new Set(candidates.map((c) => c.partNumber));
  const missing: number[] = [];
  // with a send ahead, the parts the store lacks are in its queue already
  if (ahead === null) for (let n = 1; n <= job.partCount; n++) if (!parts.has(n) && !adopting.has(n)) missing.push(n);
  try {
    // the parts the store knows are missing go out at once, while the ones it missed are hashed
    // against the server's ETags; the first fatal error stops the others
    const failure = new AbortController();
    const both: UploadRun = { ...run, signal: AbortSignal.any([run.signal, failure.signal]) };
    const fail = (error: unknown): never => {
      failure.abort(error);
      throw error;
    };
    const stopAhead = ahead === null ? null : ahead.stopWhen(failure.signal);
    const [sentAhead, sent, adopted] = await Promise.allSettled([
      ahead?.done.then((error) => (error === null ? undefined : fail(error))),
      uploadParts(both, file, uploadId, missing, parts).catch(fail),
      adoptCandidates(both, file, candidates, parts).catch(fail),
    ]);
    stopAhead?.();
    if (sentAhead.status === 'rejected') throw sentAhead.reason;
    if (sent.status === 'rejected') throw sent.reason;
    if (adopted.status === 'rejected') throw adopted.reason;
    // what is still missing: parts whose bytes differ from the server's, parts the store knew that
    // the server no longer holds
    const rest: number[] = [];
    for (let n = 1; n <= job.partCount; n++) if (!parts.has(n)) rest.push(n);
    await uploadParts(run, file, uploadId, rest, parts);
  } catch (error) {
    // gone for good: a retry starts a new upload, and the job says so with nothing done
    if (isUploadGone(error)) forgetUpload(run);
    throw error;
  }

  await file.assertUnchanged(job.fingerprint);
  const ordered = [...parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  const expected = compositeEtag(ordered);
  let versionId: string | undefined;
  try {
    ({ VersionId: versionId } = await request(
      run,
      'completing the multipart upload',
      new CompleteMultipartUploadCommand({
        Bucket: job.bucket,
        Key: job.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: ordered.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        ...ssecFields(run.sseCKey),
        ...ifNoneMatch(run),
      }),
      'upload',
    ));
  } catch (error) {
    if (run.signal.aborted) throw run.signal.reason;
    // The answer may have been lost after the server completed (the retry then finds no upload, or
    // the attempts ran out): the object is there if its size and ETag are ours.
    const done = await completedEarlier(run, parts);
    if (done !== null) return done;
    if (isUploadGone(error)) forgetUpload(run);
    throw error;
  }
  // Ceph RGW 16.2 answers Complete with an empty ETag: HeadObject has the real one.
  const { etag, size } = await headChecked(run);
  await ensureTags(run);
  if (size !== job.size) {
    throw new IntegrityError(`The assembled object has ${size} bytes; the file has ${job.size}.`);
  }
  const count = /-(\d+)$/.exec(etag)?.[1];
  if (count !== undefined && Number(count) !== job.partCount && !etagIsOpaque(job.options)) {
    throw new IntegrityError(`The assembled object has ${count} parts; ${job.partCount} were sent.`);
  }
  if (/-\d+$/.test(etag) && etag !== expected && !etagIsOpaque(job.options)) {
    throw new IntegrityError(`The assembled object's ETag ${etag} differs from the one computed from the parts sent (${expected}).`);
  }
  return { etag, ...(versionId ? { versionId } : {}) };
}

/** The upload is gone on the server: the job forgets it and its parts (a retry starts a new one). */
function forgetUpload(run: UploadRun): void {
  run.callbacks.onUploadId(null);
  run.callbacks.onPartsReplaced([]);
}

/**
 * The object as a Complete of these parts would have made it, if the server holds exactly that (size
 * and multipart ETag): then the upload was completed and only the answer was lost. Null otherwise,
 * or when not every part is known.
 */
async function completedEarlier(run: UploadRun, parts: ReadonlyMap<number, CompletedPart>): Promise<UploadResult | null> {
  const { job } = run;
  if (parts.size !== job.partCount) return null;
  const expected = compositeEtag([...parts.values()].sort((a, b) => a.partNumber - b.partNumber));
  try {
    const head = await request(
      run,
      'checking the uploaded object',
      new HeadObjectCommand({ Bucket: job.bucket, Key: job.key, ...ssecFields(run.sseCKey) }),
    );
    return unquote(head.ETag) === expected && head.ContentLength === job.size ? { etag: expected } : null;
  } catch {
    if (run.signal.aborted) throw run.signal.reason;
    return null;
  }
}

async function headChecked(run: UploadRun): Promise<{ etag: string; size: number }> {
  const head = await request(
    run,
    'checking the uploaded object',
    new HeadObjectCommand({ Bucket: run.job.bucket, Key: run.job.key, ...ssecFields(run.sseCKey) }),
  );
  return { etag: unquote(head.ETag), size: head.ContentLength ?? -1 };
}

async function headEtag(run: UploadRun): Promise<string> {
  return (await headChecked(run)).etag;
}

/**
 * Ceph RGW 16.2 stores no tags given on CreateMultipartUpload (x-amz-tagging is ignored there, kept on
 * PutObject): after a multipart upload with tags, the tags the server holds are checked and, if
 * missing, set with PutObjectTagging.
 */
async function ensureTags(run: UploadRun): Promise<void> {
  const tags = run.job.options?.tags;
  if (!tags || Object.keys(tags).length === 0) return;
  const { job } = run;
  const held = await request(run, 'checking the object tags', new GetObjectTaggingCommand({ Bucket: job.bucket, Key: job.key }));
  if ((held.TagSet ?? []).length === Object.keys(tags).length) return;
  await request(
    run,
    'setting the object tags',
    new PutObjectTaggingCommand({
      Bucket: job.bucket,
      Key: job.key,
      Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
    }),
  );
}

/** Parts per ListParts page where the caller sets none (S3's and Ceph RGW's maximum). */
const LIST_PAGE = 1000;

/**
 * Every part the server holds of `uploadId`, or null if the upload is gone (AWS: 404 NoSuchUpload;
 * Ceph RGW: 404 NoSuchKey; both UPLOAD_GONE, s3Errors.ts). Part numbers are 1..partCount, so the
 * pages are asked for at once, one per range of part numbers (PartNumberMarker = the range's start),
 * each range followed further only if its page was cut short: 6 pages for 5,000 parts cost one round
 * trip instead of six (issue #14: a resume's first part within 500 ms).
 */
async function listServerParts(run: UploadRun, uploadId: string): Promise<Map<number, { etag: string; size: number }> | null> {
  const { job } = run;
  const page = run.listPageSize ?? LIST_PAGE;
  const server = new Map<number, { etag: string; size: number }>();
  const listRange = async (from: number, to: number): Promise<void> => {
    let marker: string | undefined = from > 0 ? String(from) : undefined;
    do {
      const answer = await request(
        run,
        'listing the parts already uploaded',
        new ListPartsCommand({
          Bucket: job.bucket,
          Key: job.key,
          UploadId: uploadId,
          PartNumberMarker: marker,
          MaxParts: run.listPageSize,
        }),
        'upload',
      );
      for (const p of answer.Parts ?? []) {
        if (p.PartNumber !== undefined && p.ETag) server.set(p.PartNumber, { etag: p.ETag, size: p.Size ?? -1 });
      }
      const next = answer.IsTruncated ? answer.NextPartNumberMarker : undefined;
      // the next range's own request lists from there on
      marker = next !== undefined && Number(next) < to ? next : undefined;
    } while (marker);
  };
  const ranges: Promise<void>[] = [];
  for (let from = 0; from === 0 || from < job.partCount; from += page) {
    ranges.push(listRange(from, from + page >= job.partCount ? Infinity : from + page));
  }
  const results = await Promise.allSettled(ranges);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    if (isUploadGone(failed.reason)) return null;
    throw failed.reason;
  }
  return server;
}

/**
 * Asks the server which parts it holds and sorts them: `kept`, parts known locally with the same
 * ETag and size; `candidates`, parts the store missed (the process died before the batch was
 * written) of the right size, to be adopted if their bytes on disk hash to the server's ETag
 * (adoptCandidates). Null if the upload is gone.
 */
async function reconcile(
  run: UploadRun,
  uploadId: string,
): Promise<{ kept: CompletedPart[]; candidates: { partNumber: number; etag: string }[] } | null> {
  const { job } = run;
  const server = await listServerParts(run, uploadId);
  if (server === null) return null;
  const kept: CompletedPart[] = [];
  const candidates: { partNumber: number; etag: string }[] = [];
  for (const [partNumber, remote] of [...server].sort((a, b) => a[0] - b[0])) {
    if (partNumber < 1 || partNumber > job.partCount) continue;
    const { start, end } = partRange(job, partNumber);
    if (remote.size !== end - start) continue;
    const local = run.parts.get(partNumber);
    if (local && unquote(local.etag) === unquote(remote.etag)) kept.push(local);
    else candidates.push({ partNumber, etag: remote.etag });
  }
  return { kept, candidates };
}

/**
 * Adopts the candidates whose bytes on disk hash to the server's ETag (told as acknowledged parts);
 * returns the part numbers of the others, to be sent again.
 */
async function adoptCandidates(
  run: UploadRun,
  file: PartSource,
  candidates: readonly { partNumber: number; etag: string }[],
  parts: Map<number, CompletedPart>,
): Promise<number[]> {
  const resend: number[] = [];
  for (const { partNumber, etag } of candidates) {
    const { start, end } = partRange(run.job, partNumber);
    const md5 = await file.md5(start, end, run.signal);
    if (md5.hex !== unquote(etag)) {
      resend.push(partNumber);
      continue;
    }
    const part: CompletedPart = { partNumber, etag, md5: md5.hex, size: end - start };
    parts.set(partNumber, part);
    run.callbacks.onPart(part, true);
  }
  return resend;
}

/**
 * Uploads `missing` parts with at most the job's concurrency; the first fatal error cancels the rest.
 * `onSending`: told as each part, hashed, is handed to the client.
 */
async function uploadParts(
  run: UploadRun,
  file: PartSource,
  uploadId: string,
  missing: readonly number[] | PartQueue,
  parts: Map<number, CompletedPart>,
  onSending?: () => void,
): Promise<void> {
  const queue = missing instanceof PartQueue ? missing : new PartQueue(missing);
  if (queue.left === 0) return;
  const { job, callbacks } = run;
  const failure = new AbortController();
  const signal = AbortSignal.any([run.signal, failure.signal]);
  const partRun: UploadRun = { ...run, signal };
  let firstError: unknown = null;

  const worker = async () => {
    for (
      let partNumber = signal.aborted ? undefined : queue.take();
      partNumber !== undefined;
      partNumber = signal.aborted ? undefined : queue.take()
    ) {
      const { start, end } = partRange(job, partNumber);
      try {
        const sendPart = (body: Readable | Buffer | Uint8Array, length: number, digest: PartDigest, attemptSignal: AbortSignal) =>
          run.gateway.direct.send({
            bucket: job.bucket,
            key: job.key,
            upload: { uploadId, partNumber },
            body,
            contentLength: length,
            fields: { ...checkFields(digest), ...ssecFields(run.sseCKey) },
            digest,
            signal: attemptSignal,
          });
        const { result, digest } = await sendFromFile(
          partRun,
          file,
          start,
          end,
          `uploading part ${partNumber}`,
          (body, digest, attemptSignal) => {
            onSending?.();
            return sendPart(body, end - start, digest, attemptSignal);
          },
          // an empty part under the same number: the retry replaces it (and a resume ignores a part
          // whose size is wrong)
          (probeSignal) => sendPart(new Uint8Array(0), 0, { check: 'md5', value: EMPTY_MD5_HEX }, probeSignal),
          'upload',
        );
        const fields = partDigestFields(digest);
        const etag = result.ETag ?? (fields.md5 !== '' ? `"${fields.md5}"` : '');
        if (etag === '') throw new FerryError('REQUEST_REJECTED', `The server acknowledged part ${partNumber} without an ETag.`);
        const part: CompletedPart = { partNumber, etag, ...fields, size: end - start };
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
  await Promise.all(Array.from({ length: Math.min(job.concurrency, queue.left) }, worker));
  if (run.signal.aborted) throw run.signal.reason;
  if (firstError !== null)
    throw toFerryError(firstError, run.gateway.context({ operation: 'uploading parts', bucket: job.bucket, scope: 'upload' }));
}

/** Part numbers to send, taken in order by the workers; one not yet taken can be withdrawn. */
class PartQueue {
  readonly #items: readonly number[];
  #next = 0;
  readonly #taken = new Set<number>();
  readonly #withdrawn = new Set<number>();

  constructor(items: readonly number[]) {
    this.#items = items;
  }

  /** At most how many are still to be taken. */
  get left(): number {
    return this.#items.length - this.#next;
  }

  take(): number | undefined {
    while (this.#next < this.#items.length) {
      const partNumber = this.#items[this.#next++]!;
      if (this.#withdrawn.has(partNumber)) continue;
      this.#taken.add(partNumber);
      return partNumber;
    }
    return undefined;
  }

  /** Withdraws a part number (true), unless a worker has taken it already (false). */
  withdraw(partNumber: number): boolean {
    if (this.#taken.has(partNumber)) return false;
    this.#withdrawn.add(partNumber);
    return true;
  }
}

interface SendAhead {
  /** The parts still to send; the reconcile withdraws those it will adopt by hash instead. */
  queue: PartQueue;
  /** Parts this run sent and the server acknowledged. */
  sent: ReadonlySet<number>;
  /** Resolves once the first part is handed to the client, or the sends are over (none to send, or stopped). */
  started: Promise<void>;
  /** Settles when the queue is done or the sends stopped: the error that stopped them, or null. */
  done: Promise<unknown>;
  /** Stops the sends and waits for them (their parts are not wanted: the upload is gone, or the run fails). */
  cancel(): Promise<void>;
  /** Stops the sends when `signal` aborts; returns the function that forgets this. */
  stopWhen(signal: AbortSignal): () => void;
}

/**
 * A resumed upload sends the parts the store lacks at once, while the server's list of the parts it
 * holds is read (one round trip per page of 1,000 and its parsing: most of a resume's wait before
 * the first part, issue #14). Sending a part the server already holds is harmless: the same number,
 * the same bytes, checked again by the server, and its answer replaces the part in the list. The
 * highest part numbers go first: an upload sends in ascending order, so the parts the store missed
 * before a crash (which the list lets us adopt by hashing rather than send) are the lowest missing.
 */
function sendAhead(run: UploadRun, file: PartSource, uploadId: string, parts: Map<number, CompletedPart>): SendAhead {
  const missing: number[] = [];
  for (let n = run.job.partCount; n >= 1; n--) if (!parts.has(n)) missing.push(n);
  const queue = new PartQueue(missing);
  const sent = new Set<number>();
  const stop = new AbortController();
  const aheadRun: UploadRun = {
    ...run,
    signal: AbortSignal.any([run.signal, stop.signal]),
    callbacks: {
      ...run.callbacks,
      onPart: (part, adopted) => {
        sent.add(part.partNumber);
        run.callbacks.onPart(part, adopted);
      },
    },
  };
  let starting = () => {};
  const started = new Promise<void>((resolve) => (starting = resolve));
  const done = uploadParts(aheadRun, file, uploadId, queue, parts, starting).then(
    () => null,
    (error: unknown) => (stop.signal.aborted && !run.signal.aborted ? null : error),
  );
  void done.then(() => starting());
  return {
    queue,
    sent,
    started,
    done,
    cancel: async () => {
      stop.abort(new Error('The parts sent ahead are not needed.'));
      await done;
    },
    stopWhen: (signal) => {
      const onAbort = () => stop.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      return () => signal.removeEventListener('abort', onAbort);
    },
  };
}
