/**
 * An endpoint profile: where and how to talk to one S3-compatible service. Contains no secret; the
 * credentials live behind the vault in main/ and never reach the renderer.
 */

import type { EndpointDefaults } from './uploadOptions.ts';
import type { ServerKind } from './serverKind.ts';

/** Path style (`https://host/bucket/key`) or virtual-hosted style (`https://bucket.host/key`). */
export type Addressing = 'path' | 'virtual';

/**
 * When the SDK adds flexible checksums (`x-amz-checksum-*`): `when-supported` is the SDK's default
 * since v3.729; `when-required` is needed by Cloudflare R2, Backblaze B2, GCS and Ceph RGW
 * (aws/aws-sdk-js-v3#6810). Either way every part carries the check the endpoint was found to
 * validate (main/engine/partCheck.ts); under `when-supported` uploads go through the SDK's stack,
 * which adds its CRC32, and under `when-required` they are sent without it (directWrites.ts).
 */
export type ChecksumPolicy = 'when-supported' | 'when-required';

export interface EndpointProfile {
  id: string;
  name: string;
  url: string;
  region: string;
  addressing: Addressing;
  checksums: ChecksumPolicy;
  /** The provider's largest object in bytes, if below S3's ~48.8 TiB. */
  maxObjectSize?: number;
  /** The provider's smallest part in bytes, if above S3's 5 MiB. */
  minPartSize?: number;
  /** Upload options every upload to this endpoint gets unless it says otherwise (issue #12). */
  defaults?: EndpointDefaults;
  /** A PEM bundle of certificate authorities trusted for this endpoint only (a private CA). */
  caFile?: string;
  /** The server its answers came from, as the endpoint test saw (absent until it was tested). */
  server?: ServerKind;
  /** Which checks the server was found to validate on arrival (learnt by probe, issue #14); absent until probed. */
  integrity?: EndpointIntegrity;
}

/**
 * What an endpoint's server checks when a part arrives, as a probe found it (main/engine/integrityProbe.ts):
 * each check was sent once right (accepted) and once wrong (refused). Never assumed from the provider.
 */
export interface EndpointIntegrity {
  /** `Content-MD5`: a wrong one is refused (BadDigest). */
  contentMd5: boolean;
  /** A signed payload (`x-amz-content-sha256` = the body's SHA-256, covered by the signature): a changed body is refused. */
  signedSha256: boolean;
  /** `x-amz-checksum-crc32` on the parts of an upload created with ChecksumAlgorithm CRC32: a wrong one is refused. */
  crc32: boolean;
  /** When the probe ran (ms since the epoch). */
  probedAt: number;
}

/**
 * The check each part carries, the cheapest one the server validates: CRC32 where validated (Node's
 * zlib.crc32), else the signed payload's SHA-256, else Content-MD5 (also where nothing is known yet).
 */
export type PartCheck = 'crc32' | 'sha256' | 'md5';
