/**
 * PutObject and UploadPart, the requests that carry the file's bytes, sent without the SDK's
 * middleware stack (issue #14). Through `S3Client.send` each such request cost about 1.2 ms of CPU
 * here, of which the body's own work (signing, the socket) is under half: the rest is the stack's
 * per-request steps (serialising by schema, endpoint rules, user agent, checksum and S3 steps, the
 * output's deserialisation). For 2,000 small files that was the largest share of the client's CPU.
 *
 * Only for endpoints set to send checksums when required (every S3-compatible preset): where the SDK
 * adds its own CRC32 to every write ('when-supported', AWS), the write goes through its stack as
 * before. S3 asks a write to an Object Lock bucket for Content-MD5 or a flexible checksum, and a signed
 * SHA-256 is neither; Ferry does not send CRC32 itself yet (partCheck.ts, CRC32_UPLOADS).
 *
 * What is kept is the SDK's own: the client's endpoint rules (resolved once per bucket), its
 * credentials, its SigV4 signer, its HTTP handler (agents, TLS and CA, timeouts, abort), its clock
 * offset, its user agent (its own step's headers, made once per bucket with the rest) and its XML
 * error parser. What is left out is what these two requests do not need: Ferry sends the check the
 * endpoint validates itself (partCheck.ts), never the SDK's own CRC32; its own retries (retry.ts)
 * replace the SDK's, which are off.
 *
 * Errors come out as the SDK's would (an S3ServiceException named by the S3 error code, with
 * `$metadata.httpStatusCode` and `$response`), so s3Errors.ts reads them the same.
 */
import { PutObjectCommand, S3ServiceException, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { userAgentMiddleware } from '@aws-sdk/core/client';
import { loadRestXmlErrorCode, parseXmlErrorBody } from '@aws-sdk/core/protocols';
import { extendedEncodeURIComponent } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { EndpointV2, HttpResponse } from '@smithy/types';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { writeHeaders, type WriteFields } from './objectOptions.ts';
import { payloadHash, withPartCheck, type PartDigest } from './partCheck.ts';

/** A body-carrying write: PutObject (no `upload`) or UploadPart. */
export interface DirectWrite {
  bucket: string;
  key: string;
  /** UploadPart: the multipart upload and the part's number. */
  upload?: { uploadId: string; partNumber: number };
  body: Readable | Buffer | Uint8Array;
  contentLength: number;
  /** The request's fields in the SDK's names: the object's options, the part's check, a conditional write. */
  fields: WriteFields;
  /** The part's digest: a SHA-256 is signed as the payload hash (partCheck.ts). */
  digest: PartDigest;
  signal: AbortSignal;
}

/** What S3 answered, in the SDK's names. */
export interface DirectWriteOutput {
  ETag?: string;
  VersionId?: string;
}

/** A bucket whose requests need what only the SDK's stack does (S3 Express sessions, access point ARNs). */
function needsSdkStack(bucket: string): boolean {
  return bucket.endsWith('--x-s3') || /[/:]/.test(bucket);
}

interface Target {
  protocol: string;
  hostname: string;
  port?: number;
  /** The path before the key, without a trailing slash ("/bucket" path-style, "" virtual-hosted). */
  basePath: string;
  host: string;
  signer: SignatureV4;
  /** `user-agent` and `x-amz-user-agent`, as the SDK's own step writes them for this client. */
  userAgent: Record<string, string>;
}

/**
 * `user-agent` and `x-amz-user-agent` as the SDK's own step writes them for `client` (its version, the
 * OS, Node, the client's custom user agent: "ferry/0.1.0"), taken from that step run once on an empty
 * request. The step's per-request feature list ("m/...") is the one of a request with no features.
 */
async function userAgentHeaders(client: S3Client): Promise<Record<string, string>> {
  const request = { method: 'PUT', protocol: 'https:', hostname: 'localhost', path: '/', query: {}, headers: {} as Record<string, string> };
  const step = userAgentMiddleware(client.config)((args) => Promise.resolve({ output: args, response: {} }), {});
  await step({ input: {}, request });
  const { 'user-agent': userAgent, 'x-amz-user-agent': amzUserAgent } = request.headers;
  return { ...(userAgent ? { 'user-agent': userAgent } : {}), ...(amzUserAgent ? { 'x-amz-user-agent': amzUserAgent } : {}) };
}

/** The key as the SDK puts it in a path: each segment by the SDK's own encoder (!'()* too), slashes kept. */
export function keyPath(key: string): string {
  return key.split('/').map(extendedEncodeURIComponent).join('/');
}

export class DirectWrites {
  readonly #client: S3Client;
  /**
   * Whether the client has what this borrows: the SDK's HTTP handler and endpoint rules. One that has
   * not (the in-memory S3 of the unit tests) gets every write as an SDK command.
   */
  readonly #canSend: boolean;
  /** Per bucket: where its requests go and how they are signed (the endpoint rules ran once); null: the SDK's. */
  readonly #targets = new Map<string, Promise<Target | null>>();

  constructor(client: S3Client) {
    this.#client = client;
    const config = (client as Partial<S3Client>).config;
    this.#canSend = typeof config?.requestHandler?.handle === 'function' && typeof config.endpointProvider === 'function';
  }

  async send(write: DirectWrite): Promise<DirectWriteOutput> {
    write.signal.throwIfAborted();
    const target = this.#canSend && !needsSdkStack(write.bucket) ? await this.#target(write.bucket) : null;
    if (target === null) return this.#viaSdk(write);
    const config = this.#client.config;
    const headers: Record<string, string> = {
      // the SDK's serializer gives a body without a type this one (the server's default differs)
      'content-type': 'application/octet-stream',
      ...writeHeaders(write.fields),
      ...target.userAgent,
      host: target.host,
      'content-length': String(write.contentLength),
      'x-amz-content-sha256': payloadHash(write.digest),
    };
    const request = {
      method: 'PUT',
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port !== undefined ? { port: target.port } : {}),
      path: `${target.basePath}/${keyPath(write.key)}`,
      query: (write.upload ? { partNumber: String(write.upload.partNumber), uploadId: write.upload.uploadId } : {}) as Record<
        string,
        string
      >,
      headers,
      body: write.body,
    };
    const signed = await target.signer.sign(request, { signingDate: new Date(Date.now() + (config.systemClockOffset ?? 0)) });
    const { response } = await config.requestHandler.handle(signed as Parameters<typeof config.requestHandler.handle>[0], {
      abortSignal: write.signal,
    });
    if (response.statusCode >= 200 && response.statusCode < 300) {
      await drain(response.body as Readable | undefined);
      return {
        ETag: header(response, 'etag'),
        VersionId: header(response, 'x-amz-version-id'),
      };
    }
    throw await this.#error(response);
  }

  /** The same write as an SDK command, through the client's whole stack. */
  #viaSdk(write: DirectWrite): Promise<DirectWriteOutput> {
    const { bucket, key, upload, body, contentLength, fields, digest, signal } = write;
    const input = { Bucket: bucket, Key: key, Body: body, ContentLength: contentLength, ...fields };
    return upload
      ? this.#client.send(
          withPartCheck(new UploadPartCommand({ ...input, UploadId: upload.uploadId, PartNumber: upload.partNumber }), digest),
          {
            abortSignal: signal,
          },
        )
      : this.#client.send(withPartCheck(new PutObjectCommand(input), digest), { abortSignal: signal });
  }

  #target(bucket: string): Promise<Target | null> {
    let target = this.#targets.get(bucket);
    if (!target) {
      target = this.#resolve(bucket);
      target.catch(() => this.#targets.delete(bucket));
      this.#targets.set(bucket, target);
    }
    return target;
  }

  async #resolve(bucket: string): Promise<Target | null> {
    const config = this.#client.config;
    if ((await setting(config.requestChecksumCalculation)) !== 'WHEN_REQUIRED') return null;
    const custom = config.isCustomEndpoint && config.endpoint ? await config.endpoint() : undefined;
    const region = await config.region();
    const endpoint: EndpointV2 = config.endpointProvider({
      Bucket: bucket,
      Region: region,
      UseFIPS: await config.useFipsEndpoint(),
      UseDualStack: await config.useDualstackEndpoint(),
      ForcePathStyle: config.forcePathStyle,
      Accelerate: config.useAccelerateEndpoint,
      UseGlobalEndpoint: await setting(config.useGlobalEndpoint),
      UseArnRegion: await setting(config.useArnRegion),
      DisableMultiRegionAccessPoints: await setting(config.disableMultiregionAccessPoints),
      DisableS3ExpressSessionAuth: await setting(config.disableS3ExpressSessionAuth),
      ...(custom
        ? {
            Endpoint: `${custom.protocol}//${custom.hostname}${custom.port ? `:${custom.port}` : ''}${custom.path === '/' ? '' : custom.path}`,
          }
        : {}),
    });
    const auth = (endpoint.properties?.authSchemes as { name?: string; signingRegion?: string; signingName?: string }[] | undefined)?.[0];
    if (auth && auth.name !== 'sigv4') return null;
    const url = endpoint.url;
    const basePath = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
    return {
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      basePath,
      host: url.host,
      signer: new SignatureV4({
        credentials: config.credentials,
        region: auth?.signingRegion ?? region,
        service: auth?.signingName ?? 's3',
        sha256: config.sha256,
        // S3 signs the path as sent (no second encoding), and the payload hash is ours
        uriEscapePath: false,
        applyChecksum: false,
      }),
      userAgent: await userAgentHeaders(this.#client),
    };
  }

  /** The S3 error in the SDK's shape; a skewed clock is corrected for the next attempt, as the SDK does. */
  async #error(response: HttpResponse): Promise<S3ServiceException> {
    const config = this.#client.config;
    const status = response.statusCode;
    const serverDate = header(response, 'date');
    if (serverDate && !(await setting(config.disableClockSkewCorrection))) {
      const serverTime = Date.parse(serverDate);
      const offset = config.systemClockOffset ?? 0;
      if (Number.isFinite(serverTime) && Math.abs(Date.now() + offset - serverTime) >= 300_000) {
        config.systemClockOffset = serverTime - Date.now();
      }
    }
    let parsed: Record<string, unknown> = {};
    try {
      const body: unknown = await parseXmlErrorBody(response.body, config as Parameters<typeof parseXmlErrorBody>[1]);
      if (typeof body === 'object' && body !== null) parsed = body as Record<string, unknown>;
    } catch {
      // not XML (a proxy's page, an empty body): the status says what happened
    }
    const code = loadRestXmlErrorCode({ statusCode: status, headers: response.headers, body: response.body }, parsed) ?? 'Unknown';
    // S3's <Error> is the root: the parser gives its fields (an <Error> inside another root, its own)
    const fields = ((parsed as { Error?: Record<string, unknown> }).Error ?? parsed) as Record<string, unknown>;
    const text = fields.message ?? fields.Message;
    const message = typeof text === 'string' && text !== '' ? text : code;
    const error = new S3ServiceException({
      name: code,
      $fault: status >= 500 ? 'server' : 'client',
      message,
      $metadata: {
        httpStatusCode: status,
        requestId: header(response, 'x-amz-request-id'),
        extendedRequestId: header(response, 'x-amz-id-2'),
        attempts: 1,
        totalRetryDelay: 0,
      },
    });
    const { message: _message, ...rest } = fields;
    Object.assign(error, rest);
    // as the SDK's: the answer's headers (x-amz-bucket-region) readable, not copied or printed with the error
    Object.defineProperty(error, '$response', { value: response, enumerable: false });
    return error;
  }
}

/** A resolved config's flag: a value or a provider of one. */
async function setting<T>(value: T | (() => Promise<T>) | undefined): Promise<T | undefined> {
  return typeof value === 'function' ? (value as () => Promise<T>)() : value;
}

function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name] ?? response.headers[name.toLowerCase()];
  return value === undefined || value === '' ? undefined : value;
}

/** Reads an answer's body to its end, so that the keep-alive socket serves the next request. */
async function drain(body: Readable | undefined): Promise<void> {
  if (!body || typeof body.resume !== 'function') return;
  body.resume();
  // settles for a body already ended or destroyed too; a body cut off after a 2xx loses nothing
  await finished(body).catch(() => undefined);
}
