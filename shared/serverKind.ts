/**
 * Which server an S3-compatible endpoint runs, told from its answers' headers (the endpoint test
 * sees them), so that the window names it ("Ceph RGW", not "S3-compatible"; issue #13).
 *
 *   Ceph RGW: x-amz-request-id is its transaction id, "tx" + 21 hex digits + "-" + 10 hex digits
 *     (the time) + "-" + the instance id in hex + "-" + the zone group, e.g.
 *     tx00000a7aaa84c4b764323-006b0f50c9-1022-default (ceph/ceph src/rgw, zone_unique_trans_id).
 *   MinIO: "Server: MinIO". Amazon S3: "Server: AmazonS3".
 */
import { presetForUrl } from './presets.ts';

export const SERVER_KINDS = ['ceph-rgw', 'minio', 'amazon-s3', 'other'] as const;
/** 'other': the endpoint answered, and nothing in the answer names its server. */
export type ServerKind = (typeof SERVER_KINDS)[number];

const RGW_TRANSACTION_ID = /^tx[0-9a-f]{21}-[0-9a-f]{10}-[0-9a-f]+-[\w.-]+$/;

const LABELS: Record<Exclude<ServerKind, 'other'>, string> = { 'ceph-rgw': 'Ceph RGW', minio: 'MinIO', 'amazon-s3': 'Amazon S3' };

/** The server an answer's headers (names in lower case) come from. */
export function serverFromHeaders(headers: Readonly<Record<string, string | undefined>>): ServerKind {
  const requestId = headers['x-amz-request-id'] ?? '';
  if (RGW_TRANSACTION_ID.test(requestId)) return 'ceph-rgw';
  const server = (headers.server ?? '').trim();
  if (/^MinIO\b/i.test(server)) return 'minio';
  if (/^AmazonS3$/i.test(server)) return 'amazon-s3';
  return 'other';
}

/** What the window calls an endpoint's provider: what its answers said, else its URL's provider, else "S3-compatible". */
export function providerLabel(endpoint: { url: string; server?: ServerKind }): string {
  if (endpoint.server !== undefined && endpoint.server !== 'other') return LABELS[endpoint.server];
  return presetForUrl(endpoint.url)?.label ?? 'S3-compatible';
}
