/**
 * `endpoint test`: talks to the endpoint for real and says in words what is wrong, if anything:
 * unreachable, TLS, bad key id, bad secret, no permission, wrong region. Also measures the clock
 * offset from the server's Date header (aws/aws-sdk-js-v3#2208: a skewed clock fails every request).
 */
import { HeadBucketCommand, ListBucketsCommand, type S3Client } from '@aws-sdk/client-s3';
import { plainHttpWarning } from '../../shared/endpointInput.ts';
import { toErrorInfo, type ErrorInfo } from '../../shared/errors.ts';
import type { EndpointResolver } from '../engine/engine.ts';
import { createS3Client } from '../engine/s3Client.ts';
import { toFerryError } from '../engine/s3Errors.ts';
import { describeConditionalWrites, detectConditionalWrites } from '../engine/conditionalWrites.ts';
import { serverFromHeaders, type ServerKind } from '../../shared/serverKind.ts';
import { probeIntegrity } from '../engine/integrityProbe.ts';
import { choosePartCheck } from '../engine/partCheck.ts';
import type { EndpointIntegrity, PartCheck } from '../../shared/endpoint.ts';

export interface ProbeResult {
  ok: boolean;
  endpoint: string;
  url: string;
  latencyMs: number | null;
  /** Buckets the credentials can list, or null when listing is not allowed. */
  buckets: string[] | null;
  /** Server clock minus local clock, in ms, from the Date header (±1 s resolution). */
  clockOffsetMs: number | null;
  warnings: string[];
  error: ErrorInfo | null;
  /** The server the answers came from (Ceph RGW, MinIO…), or null when nothing answered. */
  server: ServerKind | null;
  /** With a bucket: which checks the server validates on arrival, and the one parts will carry (issue #14). */
  integrity?: EndpointIntegrity;
  partCheck?: PartCheck;
}

/** Clock skew above this is worth a warning; S3 refuses requests skewed by more than 15 minutes. */
const SKEW_WARNING_MS = 60_000;

/** Watches every answer's headers: the Date header (clock offset) and what names the server. */
function watchAnswers(
  client: S3Client,
  onDate: (serverMs: number, localMs: number) => void,
  onHeaders: (headers: Record<string, string>) => void,
): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const sentAt = Date.now();
      const finish = (response: unknown) => {
        const headers = (response as { headers?: Record<string, string> } | undefined)?.headers;
        if (headers) onHeaders(Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])));
        const date = headers?.date ?? headers?.Date;
        if (date) onDate(Date.parse(date), (sentAt + Date.now()) / 2);
      };
      try {
        const result = await next(args);
        finish(result.response);
        return result;
      } catch (error) {
        finish((error as { $response?: unknown }).$response);
        throw error;
      }
    },
    { step: 'deserialize', name: 'ferryDateHeader', priority: 'low' },
  );
}

export async function probeEndpoint(
  resolver: EndpointResolver,
  endpointId: string,
  options: { bucket?: string; signal?: AbortSignal } = {},
): Promise<ProbeResult> {
  const { profile, credentials } = await resolver.resolve(endpointId);
  const result: ProbeResult = {
    ok: false,
    endpoint: profile.name,
    url: profile.url,
    latencyMs: null,
    buckets: null,
    clockOffsetMs: null,
    // plain http:// to another computer: said whatever the outcome
    warnings: [plainHttpWarning(profile.url)].filter((warning) => warning !== null),
    error: null,
    server: null,
  };
  const client = createS3Client(profile, credentials, { maxSockets: 2, socketTimeoutMs: 20_000 });
  watchAnswers(
    client,
    (serverMs, localMs) => {
      if (!Number.isNaN(serverMs)) result.clockOffsetMs = Math.round(serverMs - localMs);
    },
    (headers) => {
      // the first answer that names its server decides (an error answer names it too)
      if (result.server === null || result.server === 'other') result.server = serverFromHeaders(headers);
    },
  );
  const signal = AbortSignal.any([options.signal ?? new AbortController().signal, AbortSignal.timeout(30_000)]);
  const context = { operation: 'listing buckets', endpoint: profile.name };
  try {
    const started = performance.now();
    try {
      let listed;
      try {
        listed = await client.send(new ListBucketsCommand({}), { abortSignal: signal });
      } catch (error) {
        // a skewed clock is refused once; the SDK has learnt the offset from the answer's Date
        // header and corrects it, as it does for uploads: ask again, and warn below (issue #11)
        if (toFerryError(error, context).code !== 'CLOCK_SKEW') throw error;
        listed = await client.send(new ListBucketsCommand({}), { abortSignal: signal });
      }
      result.buckets = (listed.Buckets ?? []).map((b) => b.Name ?? '').filter(Boolean);
    } catch (error) {
      const info = toFerryError(error, context);
      // AccessDenied means the signature was accepted: the key works but may not list buckets
      if (info.code !== 'ACCESS_DENIED') throw info;
      result.warnings.push('The credentials are valid but may not list buckets; uploads to a named bucket may still work.');
    }
    result.latencyMs = Math.round(performance.now() - started);
    if (options.bucket) {
      try {
        await client.send(new HeadBucketCommand({ Bucket: options.bucket }), { abortSignal: signal });
      } catch (error) {
        // HeadBucket's answers have no body: its scope says a 404 is a missing bucket, and the endpoint's
        // region tells a redirect (the SDK's error is classified as it is, never renamed)
        throw toFerryError(error, {
          ...context,
          operation: 'checking the bucket',
          bucket: options.bucket,
          scope: 'bucket',
          region: profile.region,
        });
      }
    }
    // issue #12: whether --if-exists can rely on If-None-Match here (writes and deletes a probe key)
    if (options.bucket) {
      const conditional = await detectConditionalWrites(client, options.bucket, signal).catch(() => null);
      const words =
        conditional === null ? 'Could not check conditional writes (If-None-Match) in the bucket.' : describeConditionalWrites(conditional);
      if (words) result.warnings.push(words);
    }
    // issue #14: which checks the server validates (in aborted uploads of a probe key), stored with
    // the endpoint: uploads then send the cheapest of them with every part
    if (options.bucket) {
      const integrity = await probeIntegrity(client, options.bucket, signal).catch(() => null);
      if (integrity === null) result.warnings.push('Could not check which part checksums the server validates; parts carry Content-MD5.');
      else {
        result.integrity = integrity;
        result.partCheck = choosePartCheck(integrity);
        resolver.recordIntegrity?.(endpointId, integrity);
      }
    }
    result.ok = true;
  } catch (error) {
    result.error = toErrorInfo(toFerryError(error, context));
  } finally {
    client.destroy();
  }
  if (result.clockOffsetMs !== null && Math.abs(result.clockOffsetMs) >= SKEW_WARNING_MS) {
    result.warnings.push(
      `This computer's clock is ${Math.round(Math.abs(result.clockOffsetMs) / 1000)} s ${result.clockOffsetMs > 0 ? 'behind' : 'ahead of'} the server's. Ferry corrects for it, but fix the system clock.`,
    );
  }
  return result;
}
