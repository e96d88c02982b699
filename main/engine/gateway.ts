/**
 * The S3 gateway of one endpoint (in the spirit of Uppy's HTTPCommunicationQueue): every S3 request
 * Ferry makes goes through `send` (or `attempts`, for a request whose body is built per attempt),
 * which owns the client, the engine's shared request limiter, the named retry policies and the
 * error context. Callers say what they do ("completing the multipart upload"), on what (bucket,
 * scope) and under which policy; they never write a retry option block of their own.
 */
import type { S3Client, S3ClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { Command } from '@smithy/types';
import type { EndpointIntegrity, PartCheck } from '../../shared/endpoint.ts';
import type { FerryError } from '../../shared/errors.ts';
import { DirectWrites } from './directWrites.ts';
import { EndpointChecks } from './integrityProbe.ts';
import { requestUnits, type Limiter, type Priority } from './limiter.ts';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryNotice, type RetryPolicy } from './retry.ts';
import type { ErrorContext } from './s3Errors.ts';

/**
 * The retry policies, by what the request is for:
 *   transfer  the uploads' own requests (parts, create, list, complete, head): the engine's policy;
 *   quick     a user waiting for an answer (bucket check, bucket list): one retry, short delays;
 *   cleanup   aborting uploads and listing incomplete ones: a few attempts of the engine's policy.
 */
export type PolicyName = 'transfer' | 'quick' | 'cleanup';

export function retryPolicies(transfer: RetryPolicy = DEFAULT_RETRY_POLICY): Record<PolicyName, RetryPolicy> {
  return {
    transfer,
    quick: { maxAttempts: 2, baseDelayMs: 300, maxDelayMs: 1000 },
    // (no give-up-after: an abort or a listing is not worth waiting out an outage for)
    cleanup: { maxAttempts: Math.min(4, transfer.maxAttempts), baseDelayMs: transfer.baseDelayMs, maxDelayMs: transfer.maxDelayMs },
  };
}

/** Any S3 command (what S3Client.send takes). */
export type S3Command<I extends ServiceInputTypes, O extends ServiceOutputTypes> = Command<
  ServiceInputTypes,
  I,
  ServiceOutputTypes,
  O,
  S3ClientResolvedConfig
>;

export interface SendOptions {
  /** For the message: "listing the parts already uploaded". */
  operation: string;
  bucket?: string;
  /** What "not found" means for this call (ErrorContext.scope). */
  scope?: ErrorContext['scope'];
  policy: PolicyName;
  /** Cancels the request and its retries; the signal's reason surfaces unwrapped. */
  signal: AbortSignal;
  /** Within the shared limiter: 'high' goes before parts. Default 'high'. */
  priority?: Priority;
  /**
   * A single request a person waits for (the bucket check before files are added, the bucket list):
   * sent at once, outside the shared limiter, never queued behind the uploads' parts (with a slow
   * uplink those hold every slot for minutes). The client's sockets leave room for such requests
   * beyond the limit (gateways.ts).
   */
  waitedFor?: boolean;
  /**
   * The request body's size in bytes, when that is its cost: a small body takes a fraction of a
   * limiter slot (limiter.ts, requestUnits). Unset: a whole slot.
   */
  bodyBytes?: number;
  /** A deadline per attempt (the request fails as a retryable timeout). */
  attemptTimeoutMs?: number;
  /** Told about each failed attempt that will be retried. */
  onRetry?: (error: FerryError, attempt: number, delayMs: number, notice: RetryNotice) => void;
  /** During an outage: resolves once the endpoint seems to answer again (ends a long backoff early). */
  whenReachable?: (signal: AbortSignal) => Promise<void>;
}

export class S3Gateway {
  readonly client: S3Client;
  /** The endpoint's name, for messages. */
  readonly endpointName: string;
  readonly #limiter: Limiter | null;
  readonly #policies: Record<PolicyName, RetryPolicy>;
  readonly #region: string | undefined;
  readonly #checks: EndpointChecks;
  #direct: DirectWrites | undefined;

  /**
   * @param learnIntegrity stores what a probe found (then the first upload to an endpoint never
   * probed asks the server which checks it validates); without it, parts carry what the profile says.
   */
  constructor(
    client: S3Client,
    endpoint: { name: string; region?: string; integrity?: EndpointIntegrity },
    limiter: Limiter | null,
    policies: Record<PolicyName, RetryPolicy> = retryPolicies(),
    learnIntegrity?: (found: EndpointIntegrity) => void,
  ) {
    this.client = client;
    this.endpointName = endpoint.name;
    this.#region = endpoint.region;
    this.#limiter = limiter;
    this.#policies = policies;
    this.#checks = new EndpointChecks(endpoint.integrity, learnIntegrity);
  }

  /** PutObject and UploadPart without the SDK's middleware where it can (directWrites.ts); sent inside `attempts`. */
  get direct(): DirectWrites {
    return (this.#direct ??= new DirectWrites(this.client));
  }

  /** The check parts to this endpoint carry: the cheapest it validates (probed once if unknown and allowed). */
  partCheck(bucket: string, signal: AbortSignal): Promise<PartCheck> {
    return this.#checks.choose(this.client, bucket, signal);
  }

  /** The error context of a call: what the message says and what a "not found" means. */
  context(options: Pick<SendOptions, 'operation' | 'bucket' | 'scope'>): ErrorContext {
    return {
      operation: options.operation,
      bucket: options.bucket,
      endpoint: this.endpointName,
      scope: options.scope,
      region: this.#region,
    };
  }

  /** Sends one S3 command under the limiter and the named retry policy; errors are FerryErrors in words. */
  send<I extends ServiceInputTypes, O extends ServiceOutputTypes>(command: S3Command<I, O>, options: SendOptions): Promise<O> {
    return this.attempts((signal) => this.client.send(command, { abortSignal: signal }), options);
  }

  /** Runs `attempt` (one request, built afresh each time) under the limiter and the named retry policy. */
  attempts<T>(attempt: (signal: AbortSignal) => Promise<T>, options: SendOptions): Promise<T> {
    const { signal } = options;
    const once = () => {
      const attemptSignal = options.attemptTimeoutMs ? AbortSignal.any([signal, AbortSignal.timeout(options.attemptTimeoutMs)]) : signal;
      return attempt(attemptSignal);
    };
    return withRetry(
      () =>
        this.#limiter && !options.waitedFor
          ? this.#limiter.run(options.priority ?? 'high', signal, once, requestUnits(options.bodyBytes))
          : once(),
      {
        signal,
        policy: this.#policies[options.policy],
        context: this.context(options),
        onRetry: options.onRetry,
        whenReachable: options.whenReachable,
      },
    );
  }
}
