/**
 * A small in-memory stand-in for the few S3 calls the uploader makes (CreateMultipartUpload,
 * UploadPart, ListParts, CompleteMultipartUpload, HeadObject, PutObject, AbortMultipartUpload), for
 * fast unit tests of the uploader's and the scheduler's logic: reconcile, cancellation, concurrency,
 * ordering. It is not S3: the RGW integration tests remain the protocol's truth.
 *
 * It records every call in order, counts requests in flight (a request is in flight while it reads
 * its body or waits at a gate), honours the abort signal like the SDK (rejects with an AbortError),
 * and lets a test hold a call at a gate or make it fail.
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';

export type Operation =
  'CreateMultipartUpload' | 'UploadPart' | 'ListParts' | 'CompleteMultipartUpload' | 'HeadObject' | 'PutObject' | 'AbortMultipartUpload';

export interface Call {
  operation: Operation;
  key: string;
  partNumber?: number;
  /** Bytes received (UploadPart, PutObject) once the call has read its body. */
  bytes?: number;
  /** Whether the call finished (answered), was aborted, or failed. */
  outcome?: 'ok' | 'aborted' | 'failed';
}

interface StoredPart {
  etag: string;
  md5: string;
  size: number;
}

/** An SDK-shaped service error (name, Code, $metadata.httpStatusCode), as s3Errors.ts reads it. */
export function serviceError(name: string, status: number): Error {
  return Object.assign(new Error(name), { name, Code: name, $metadata: { httpStatusCode: status } });
}

const md5Hex = (data: Uint8Array) => createHash('md5').update(data).digest('hex');

async function readBody(body: unknown, signal: AbortSignal | undefined): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    signal?.throwIfAborted();
    chunks.push(chunk);
    // a chunk at a time, as a socket would take it: other requests run in between
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Buffer.concat(chunks);
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError', cause: signal.reason });
}

export class FakeS3 {
  readonly calls: Call[] = [];
  readonly uploads = new Map<string, { key: string; parts: Map<number, StoredPart> }>();
  readonly objects = new Map<string, { etag: string; size: number }>();
  inFlight = 0;
  peakInFlight = 0;
  /** Requests in flight per key (job), and the most at once. */
  readonly inFlightByKey = new Map<string, number>();
  readonly peakByKey = new Map<string, number>();
  /** The most keys (jobs) with a request in flight at once. */
  peakKeysInFlight = 0;
  #nextUpload = 1;
  #gates: { match: (call: Call) => boolean; opened: Promise<void>; reached: () => void }[] = [];
  #failures: { match: (call: Call) => boolean; error: () => Error; times: number }[] = [];

  /** The S3Client the engine or uploader is given. */
  get client(): S3Client {
    return {
      send: (command: unknown, options?: { abortSignal?: AbortSignal }) => this.#send(command, options?.abortSignal),
      destroy: () => undefined,
    } as unknown as S3Client;
  }

  /**
   * Holds calls that `match` until `open` is called; `reached` resolves when the first one arrives.
   * A held call still honours its abort signal.
   */
  gate(match: (call: Call) => boolean): { reached: Promise<void>; open: () => void } {
    let open!: () => void;
    let reached!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    this.#gates.push({ match, opened, reached });
    return { reached: arrived, open };
  }

  /** Makes the next `times` calls that `match` fail with `error()`. */
  fail(match: (call: Call) => boolean, error: () => Error, times = 1): void {
    this.#failures.push({ match, error, times });
  }

  /** Starts a multipart upload outside the uploader (an earlier run), with these parts already stored. */
  seedUpload(key: string, parts: Record<number, Uint8Array>): string {
    const uploadId = `upload-${this.#nextUpload++}`;
    const stored = new Map<number, StoredPart>();
    for (const [number, data] of Object.entries(parts)) {
      const md5 = md5Hex(data);
      stored.set(Number(number), { etag: `"${md5}"`, md5, size: data.length });
    }
    this.uploads.set(uploadId, { key, parts: stored });
    return uploadId;
  }

  operations(key?: string): Operation[] {
    return this.calls.filter((call) => key === undefined || call.key === key).map((call) => call.operation);
  }

  async #send(command: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const operation = (command as { constructor: { name: string } }).constructor.name.replace(/Command$/, '') as Operation;
    const input = (command as { input: Record<string, unknown> }).input;
    const key = String(input.Key);
    const call: Call = { operation, key, ...(typeof input.PartNumber === 'number' ? { partNumber: input.PartNumber } : {}) };
    this.calls.push(call);
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    const perKey = (this.inFlightByKey.get(key) ?? 0) + 1;
    this.inFlightByKey.set(key, perKey);
    this.peakByKey.set(key, Math.max(this.peakByKey.get(key) ?? 0, perKey));
    const keys = [...this.inFlightByKey.values()].filter((n) => n > 0).length;
    this.peakKeysInFlight = Math.max(this.peakKeysInFlight, keys);
    try {
      signal?.throwIfAborted();
      const answer = await this.#answer(operation, input, call, signal);
      call.outcome = 'ok';
      return answer;
    } catch (error) {
      call.outcome = signal?.aborted ? 'aborted' : 'failed';
      throw signal?.aborted ? abortError(signal) : error;
    } finally {
      this.inFlight -= 1;
      this.inFlightByKey.set(key, (this.inFlightByKey.get(key) ?? 1) - 1);
    }
  }

  async #answer(operation: Operation, input: Record<string, unknown>, call: Call, signal: AbortSignal | undefined): Promise<unknown> {
    // one turn of the event loop per request, like a network round trip
    await new Promise((resolve) => setImmediate(resolve));
    const gate = this.#gates.find((g) => g.match(call));
    if (gate) {
      gate.reached();
      await new Promise<void>((resolve, reject) => {
        void gate.opened.then(resolve);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    const failure = this.#failures.find((f) => f.times > 0 && f.match(call));
    if (failure) {
      failure.times -= 1;
      throw failure.error();
    }
    const key = String(input.Key);
    const upload = (id: unknown) => {
      const found = this.uploads.get(String(id));
      if (!found || found.key !== key) throw serviceError('NoSuchUpload', 404);
      return found;
    };
    switch (operation) {
      case 'CreateMultipartUpload': {
        const uploadId = `upload-${this.#nextUpload++}`;
        this.uploads.set(uploadId, { key, parts: new Map() });
        return { UploadId: uploadId };
      }
      case 'UploadPart': {
        const target = upload(input.UploadId);
        const data = await readBody(input.Body, signal);
        call.bytes = data.length;
        const md5 = md5Hex(data);
        if (input.ContentMD5 !== Buffer.from(md5, 'hex').toString('base64')) throw serviceError('BadDigest', 400);
        target.parts.set(Number(input.PartNumber), { etag: `"${md5}"`, md5, size: data.length });
        return { ETag: `"${md5}"` };
      }
      case 'ListParts': {
        const target = upload(input.UploadId);
        // pages as S3 cuts them: up to MaxParts (default 1,000) parts after PartNumberMarker
        const after = Number(input.PartNumberMarker ?? 0);
        const max = Number(input.MaxParts ?? 1000);
        const all = [...target.parts].sort((a, b) => a[0] - b[0]).filter(([number]) => number > after);
        const parts = all.slice(0, max);
        const truncated = all.length > max;
        return {
          Parts: parts.map(([number, part]) => ({ PartNumber: number, ETag: part.etag, Size: part.size })),
          IsTruncated: truncated,
          ...(truncated ? { NextPartNumberMarker: String(parts[parts.length - 1]![0]) } : {}),
        };
      }
      case 'CompleteMultipartUpload': {
        const target = upload(input.UploadId);
        const listed = (input.MultipartUpload as { Parts: { PartNumber: number; ETag: string }[] }).Parts;
        const hash = createHash('md5');
        let size = 0;
        for (const { PartNumber, ETag } of listed) {
          const part = target.parts.get(PartNumber);
          if (!part || part.etag !== ETag) throw serviceError('InvalidPart', 400);
          hash.update(Buffer.from(part.md5, 'hex'));
          size += part.size;
        }
        const etag = `"${hash.digest('hex')}-${listed.length}"`;
        this.objects.set(key, { etag, size });
        this.uploads.delete(String(input.UploadId));
        return { ETag: etag };
      }
      case 'HeadObject': {
        const object = this.objects.get(key);
        if (!object) throw serviceError('NotFound', 404);
        return { ETag: object.etag, ContentLength: object.size };
      }
      case 'PutObject': {
        const data = await readBody(input.Body, signal);
        call.bytes = data.length;
        const md5 = md5Hex(data);
        this.objects.set(key, { etag: `"${md5}"`, size: data.length });
        return { ETag: `"${md5}"` };
      }
      case 'AbortMultipartUpload': {
        upload(input.UploadId);
        this.uploads.delete(String(input.UploadId));
        return {};
      }
    }
  }
}
