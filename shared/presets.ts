/**
 * Endpoint presets: sensible values and the known quirks of each provider
 * (the quirks table of the field notes). Pure data, shown by every host.
 */
import type { Addressing, ChecksumPolicy } from './endpoint.ts';
import { TiB } from './partPlan.ts';

export interface EndpointPreset {
  id: PresetId;
  label: string;
  /** URL template; `{region}` and `{account}` are filled in by the user. */
  url: string;
  region: string;
  addressing: Addressing;
  checksums: ChecksumPolicy;
  maxObjectSize?: number;
  minPartSize?: number;
  /** Matches the host of a URL that belongs to this provider. */
  hostPattern?: RegExp;
  note: string;
}

export const PRESET_IDS = ['aws', 'r2', 'b2', 'minio', 'wasabi', 'filebase', 'ceph', 'gcs', 'custom'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

export const PRESETS: readonly EndpointPreset[] = [
  {
    id: 'aws',
    label: 'Amazon S3',
    url: 'https://s3.{region}.amazonaws.com',
    region: 'us-east-1',
    addressing: 'virtual',
    checksums: 'when-supported',
    hostPattern: /(^|\.)amazonaws\.com(\.cn)?$/i,
    note: 'Virtual-hosted style; a bucket in another region answers 301 PermanentRedirect.',
  },
  {
    id: 'r2',
    label: 'Cloudflare R2',
    url: 'https://{account}.r2.cloudflarestorage.com',
    region: 'auto',
    addressing: 'path',
    checksums: 'when-required',
    hostPattern: /\.r2\.cloudflarestorage\.com$/i,
    note: 'Region "auto"; every part but the last must have the same size; the multipart ETag is not MD5-based.',
  },
  {
    id: 'b2',
    label: 'Backblaze B2',
    url: 'https://s3.{region}.backblazeb2.com',
    region: 'us-west-004',
    addressing: 'virtual',
    checksums: 'when-required',
    hostPattern: /\.backblazeb2\.com$/i,
    note: 'Rejects x-amz-checksum-* and x-amz-sdk-checksum-algorithm headers (aws/aws-sdk-js-v3#6810).',
  },
  {
    id: 'minio',
    label: 'MinIO',
    url: 'http://localhost:9000',
    region: 'us-east-1',
    addressing: 'path',
    checksums: 'when-required',
    note: 'Path style unless configured otherwise; lists incomplete uploads only for an exact key (minio/minio#20989).',
  },
  {
    id: 'wasabi',
    label: 'Wasabi',
    url: 'https://s3.{region}.wasabisys.com',
    region: 'us-east-1',
    addressing: 'virtual',
    checksums: 'when-required',
    hostPattern: /\.wasabisys\.com$/i,
    note: 'Regional endpoints: a wrong region answers 301 without a Location. Incomplete uploads are billed.',
  },
  {
    id: 'filebase',
    label: 'Filebase',
    url: 'https://s3.filebase.com',
    region: 'us-east-1',
    addressing: 'path',
    checksums: 'when-required',
    hostPattern: /(^|\.)filebase\.com$/i,
    note: 'HTTPS only, region us-east-1, about 100 requests per second.',
  },
  {
    id: 'ceph',
    label: 'Ceph RGW',
    url: 'http://localhost:7480',
    region: 'us-east-1',
    addressing: 'path',
    checksums: 'when-required',
    note: 'Path style; answers ListParts on a finished upload with 404 NoSuchKey; Content-MD5 is its only integrity check.',
  },
  {
    id: 'gcs',
    label: 'Google Cloud Storage (interoperability)',
    url: 'https://storage.googleapis.com',
    region: 'auto',
    addressing: 'path',
    checksums: 'when-required',
    maxObjectSize: 5 * TiB,
    hostPattern: /(^|\.)storage\.googleapis\.com$/i,
    note: 'HMAC keys; rejects aws-chunked uploads and extra checksum headers.',
  },
  {
    id: 'custom',
    label: 'Other S3-compatible',
    url: 'https://',
    region: 'us-east-1',
    addressing: 'path',
    checksums: 'when-required',
    note: 'Path style and checksums only when required suit most S3-compatible servers.',
  },
];

export function presetById(id: PresetId): EndpointPreset {
  return PRESETS.find((preset) => preset.id === id)!;
}

/** The preset whose provider serves `url`, or null for an unknown host. */
export function presetForUrl(url: string): EndpointPreset | null {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return null;
  }
  return PRESETS.find((preset) => preset.hostPattern?.test(host)) ?? null;
}

/** Path style suits IP addresses, localhost and single-label hosts, where bucket.host cannot resolve. */
export function defaultAddressing(url: string): Addressing {
  const preset = presetForUrl(url);
  if (preset) return preset.addressing;
  return 'path';
}
