/**
 * One S3 gateway per endpoint, made on first use and kept: its client (keep-alive sockets), the
 * engine's shared request limiter and the named retry policies. An endpoint whose settings or
 * credentials changed is forgotten, and the next request builds it again.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { EndpointIntegrity, EndpointProfile } from '../../shared/endpoint.ts';
import { FerryError } from '../../shared/errors.ts';
import { TRANSFER_LIMITS } from '../../shared/contract.ts';
import { S3Gateway, retryPolicies, type PolicyName } from './gateway.ts';
import { SLOT_UNITS, type Limiter } from './limiter.ts';
import type { RetryPolicy } from './retry.ts';
import type { createS3Client } from './s3Client.ts';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Where the engine gets an endpoint's profile and credentials (the vault, or a test's fixed values). */
export interface EndpointResolver {
  resolve(endpointId: string): Promise<{ profile: EndpointProfile; credentials: Credentials }>;
  /** Stores which checks the endpoint validates, probed on its first upload (issue #14); absent: no probe. */
  recordIntegrity?(endpointId: string, integrity: EndpointIntegrity): void;
}

/** An endpoint's gateway and the profile it was made from. */
export interface Endpoint {
  gateway: S3Gateway;
  profile: EndpointProfile;
}

/** What the gateways are made with; read when one is made (giveUpAfterMs: when a request fails). */
export interface GatewaySettings {
  readonly maxRequests: number;
  readonly stallTimeoutMs: number;
  readonly retryPolicy: RetryPolicy;
  readonly giveUpAfterMs: number;
}

/**
 * The highest request limit the engine can run under: the one it was opened with, or the larger of
 * files at once and parts per file at their highest, to which Settings raise it at run time.
 */
function highestRequestLimit(maxRequests: number): number {
  return Math.max(maxRequests, TRANSFER_LIMITS.filesAtOnce.max, TRANSFER_LIMITS.partsPerFile.max);
}

export class Gateways {
  readonly #resolver: EndpointResolver;
  readonly #createClient: typeof createS3Client;
  readonly #limiter: Limiter;
  readonly #settings: GatewaySettings;
  readonly #endpoints = new Map<string, Promise<Endpoint>>();

  constructor(resolver: EndpointResolver, createClient: typeof createS3Client, limiter: Limiter, settings: GatewaySettings) {
    this.#resolver = resolver;
    this.#createClient = createClient;
    this.#limiter = limiter;
    this.#settings = settings;
  }

  /** The endpoint's gateway and profile; a failed resolution is not kept (the next call tries again). */
  get(endpointId: string): Promise<Endpoint> {
    let endpoint = this.#endpoints.get(endpointId);
    if (!endpoint) {
      const resolved = this.#resolver.resolve(endpointId).catch((error: unknown) => {
        // a job outlived its endpoint (removed, or removed and added again under a new id): say so
        // in words, never "No endpoint named <uuid>" (issue #11, defect 11)
        if (error instanceof FerryError && error.code === 'ENDPOINT_NOT_FOUND') {
          throw new FerryError(
            'ENDPOINT_NOT_FOUND',
            'The endpoint of this upload was removed. Upload the file again to an endpoint that exists (ferry endpoint list); to change an endpoint without stranding its uploads, edit it (ferry endpoint edit).',
          );
        }
        throw error;
      });
      endpoint = resolved.then(({ profile, credentials }) => ({
        profile,
        gateway: new S3Gateway(
          this.#createClient(profile, credentials, {
            // every request the limiter lets through has its socket: up to SLOT_UNITS small ones per
            // slot, under the highest limit Settings can raise it to while this client lives
            // (transferSettings.ts), and 4 more for the requests a person waits for, which go
            // outside the limiter (SendOptions.waitedFor); sockets are opened as requests need them
            maxSockets: highestRequestLimit(this.#settings.maxRequests) * SLOT_UNITS + 4,
            socketTimeoutMs: this.#settings.stallTimeoutMs,
          }),
          profile,
          this.#limiter,
          this.#policies(),
          this.#resolver.recordIntegrity && ((found) => this.#resolver.recordIntegrity!(endpointId, found)),
        ),
      }));
      endpoint.catch(() => this.#endpoints.delete(endpointId));
      this.#endpoints.set(endpointId, endpoint);
    }
    return endpoint;
  }

  /** Drops an endpoint's gateway; running jobs finish with the old one. */
  forget(endpointId: string): void {
    this.#endpoints.delete(endpointId);
  }

  /** Closes every client's sockets (the engine is closing). */
  destroyAll(): void {
    for (const endpoint of this.#endpoints.values())
      endpoint.then(
        (e) => e.gateway.client.destroy(),
        () => undefined,
      );
    this.#endpoints.clear();
  }

  /**
   * The gateway's retry policies: the uploads' own ('transfer') carry the give-up-after setting,
   * read when a request fails, so that a change (Engine.setGiveUpAfter) applies at once.
   */
  #policies(): Record<PolicyName, RetryPolicy> {
    const settings = this.#settings;
    const transfer: RetryPolicy = {
      ...settings.retryPolicy,
      get giveUpAfterMs() {
        return settings.giveUpAfterMs;
      },
    };
    return { ...retryPolicies(settings.retryPolicy), transfer };
  }
}
