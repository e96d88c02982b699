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
 * (aws/aws-sdk-js-v3#6810). Ferry always sends Content-MD5 on parts either way.
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
}
