/**
 * One S3 client per endpoint, configured from the endpoint's profile: addressing style, checksum
 * policy, keep-alive sockets. The SDK's own retries are off (maxAttempts 1): Ferry's retry policy
 * (retry.ts) decides, per part, with the job's AbortSignal.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { Agent as HttpAgent } from 'node:http';
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import type { EndpointProfile } from '../../shared/endpoint.ts';
import { FerryError } from '../../shared/errors.ts';
import { VERSION } from './version.ts';

export interface S3ClientOptions {
  /** Sockets per endpoint; at least the engine's global request limit. */
  maxSockets: number;
  /** A request with no socket activity for this long fails with a timeout (and is retried). */
  socketTimeoutMs: number;
}

const ignore = () => undefined;
const silentLogger = { trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };

export function createS3Client(
  profile: EndpointProfile,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
  options: S3ClientOptions,
): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, keepAliveMsecs: 10_000 };
  const whenRequired = profile.checksums === 'when-required';
  const client = new S3Client({
    endpoint: profile.url,
    region: profile.region,
    forcePathStyle: profile.addressing === 'path',
    credentials,
    maxAttempts: 1,
    // "ferry/0.1.0" after the SDK's own words in every request's user agent: a server's operator (or a
    // provider's support, reading its logs) sees which program sent a request
    customUserAgent: [['ferry', VERSION]],
    // the SDK would print its own warnings to the console; Ferry reports errors itself, in words
    logger: silentLogger,
    // aws/aws-sdk-js-v3#6810: since v3.729 the SDK adds CRC32 checksums (aws-chunked bodies) that
    // R2, B2, GCS and Ceph RGW reject; such endpoints are set to 'when-required'.
    requestChecksumCalculation: whenRequired ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
    responseChecksumValidation: whenRequired ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
    // The SDK adds "Expect: 100-continue" to bodies of 2 MiB and more. With agents of our own (below)
    // it does not wait for the "100 Continue" and writes the body at once, so the header buys nothing,
    // and on shared agents with Buffer bodies the SDK's maintainers saw requests cross
    // (smithy-lang/smithy-typescript#1754). What it is meant for, a refusal heard before the body is
    // sent, the uploader gets by probing after a reset (uploader.ts, explainReset).
    expectContinueHeader: false,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      // a private CA: this endpoint trusts the certificates of its CA file instead of the system's (as curl --cacert)
      httpsAgent: new HttpsAgent({ ...agentOptions, ...(profile.caFile ? { ca: readCaFile(profile) } : {}) }),
      connectionTimeout: 15_000,
      // idle time on the socket: a stalled request of any kind (a part, ListParts, Complete) fails as a
      // timeout and is retried. (The handler's requestTimeout is a deadline for the whole request that
      // only logs unless told to throw; a slow part that keeps moving must never be cut off by it.)
      socketTimeout: options.socketTimeoutMs,
    }),
  });
  // The SDK's logging step builds a filtered copy of every request's input and output for the logger,
  // which drops it: about 3% of the client's CPU per small PutObject (0.63 against 0.65 ms, 10,000
  // requests each, issue #14). Ferry logs nothing of the SDK's; errors reach it as thrown errors,
  // which this step only passes on.
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

function readCaFile(profile: EndpointProfile): string {
  try {
    return readFileSync(profile.caFile!, 'utf8');
  } catch (error) {
    throw new FerryError(
      'TLS_ERROR',
      `The CA file ${profile.caFile} of endpoint "${profile.name}" cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
    );
  }
}
