/**
 * A receipt for a completed upload: what was uploaded (the file as it was), where to, how (part
 * plan, the checksums sent), when, and how the server's copy was verified. Built from the job and its
 * stored parts, so any completed job has one, later too; it never holds a secret (pure).
 */
import type { CompletedPart, Job } from './job.ts';
import { formatBytes } from './partPlan.ts';

export const RECEIPT_VERSION = 1;

export interface Receipt {
  receiptVersion: typeof RECEIPT_VERSION;
  jobId: string;
  file: { path: string; size: number; modified: string };
  /** `versionId`: the version the upload created, where the bucket is versioned (else null). */
  destination: { endpoint: string; bucket: string; key: string; url: string; versionId: string | null };
  upload: {
    method: 'single-request' | 'multipart';
    partSize: number | null;
    partCount: number;
    uploadId: string | null;
    /**
     * What Ferry sent with every request, checked by the server on arrival: the cheapest check the
     * endpoint validates (issue #14), 'mixed' when a resumed upload changed it. A part's md5 is '' when
     * it carried another check.
     */
    checksums: {
      algorithm: 'MD5' | 'SHA-256' | 'CRC32' | 'mixed';
      header: string;
      parts: { partNumber: number; size: number; md5: string; sha256?: string; crc32?: string }[];
    };
  };
  /** The server's ETag of the finished object. */
  etag: string | null;
  queuedAt: string;
  completedAt: string | null;
  verification: {
    /**
     * What was compared after the upload: the object's ETag against the one computed from what was
     * sent (md5, multipart-etag: from the part MD5s, or the part ETags of parts the server verified by
     * another check); on-arrival: a single request the server verified by its check (no MD5 to compare).
     */
    method: 'md5' | 'multipart-etag' | 'on-arrival' | 'size-only';
    expectedEtag: string | null;
    passed: boolean;
  };
}

/**
 * The receipt of a completed job; `parts` are its stored parts (multipart), `compositeEtag` computes
 * md5(md5s)-N, `versionId` is the version the upload created (a versioned bucket).
 */
export function buildReceipt(
  job: Job,
  parts: readonly CompletedPart[],
  endpointName: string,
  compositeEtag: (parts: readonly CompletedPart[]) => string,
  versionId: string | null = null,
): Receipt {
  if (job.state !== 'completed') throw new Error(`Only a completed job has a receipt; this one is ${job.state}.`);
  const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  // a single request records its check as part 1; one completed before that sent Content-MD5
  const sent =
    job.multipart || ordered.length > 0
      ? ordered.map((part) => ({
          partNumber: part.partNumber,
          size: part.size,
          md5: part.md5,
          ...(part.sha256 !== undefined ? { sha256: part.sha256 } : {}),
          ...(part.crc32 !== undefined ? { crc32: part.crc32 } : {}),
        }))
      : job.etag && /^[0-9a-f]{32}$/.test(job.etag)
        ? [{ partNumber: 1, size: job.size, md5: job.etag }]
        : [];
  const algorithms = new Set(sent.map((part) => (part.sha256 !== undefined ? 'SHA-256' : part.crc32 !== undefined ? 'CRC32' : 'MD5')));
  const algorithm = algorithms.size > 1 ? 'mixed' : ([...algorithms][0] ?? 'MD5');
  const onArrival = !job.multipart && sent.length === 1 && sent[0]!.md5 === '';
  const expected = job.multipart ? (ordered.length === job.partCount ? compositeEtag(ordered) : null) : sent[0]?.md5 || null;
  const etagComparable = job.etag !== null && (/^[0-9a-f]{32}$/.test(job.etag) || /^[0-9a-f]{32}-\d+$/.test(job.etag));
  return {
    receiptVersion: RECEIPT_VERSION,
    jobId: job.id,
    file: { path: job.path, size: job.size, modified: new Date(job.fingerprint.mtimeMs).toISOString() },
    destination: { endpoint: endpointName, bucket: job.bucket, key: job.key, url: `s3://${job.bucket}/${job.key}`, versionId },
    upload: {
      method: job.multipart ? 'multipart' : 'single-request',
      partSize: job.multipart ? job.partSize : null,
      partCount: job.partCount,
      uploadId: job.uploadId,
      checksums: { algorithm, header: CHECK_HEADERS[algorithm], parts: sent },
    },
    etag: job.etag,
    queuedAt: new Date(job.createdAt).toISOString(),
    completedAt: job.completedAt === null ? null : new Date(job.completedAt).toISOString(),
    verification: {
      method: onArrival ? 'on-arrival' : etagComparable && expected !== null ? (job.multipart ? 'multipart-etag' : 'md5') : 'size-only',
      expectedEtag: expected,
      passed: etagComparable && expected !== null ? expected === job.etag : true,
    },
  };
}

const CHECK_HEADERS: Record<Receipt['upload']['checksums']['algorithm'], string> = {
  MD5: 'Content-MD5',
  'SHA-256': 'x-amz-content-sha256 (signed payload)',
  CRC32: 'x-amz-checksum-crc32',
  mixed: 'Content-MD5, x-amz-content-sha256 or x-amz-checksum-crc32',
};

/** The receipt as a person reads it. */
export function formatReceipt(receipt: Receipt): string {
  const v = receipt.verification;
  return [
    `Upload receipt for job ${receipt.jobId}`,
    `  file        ${receipt.file.path} (${formatBytes(receipt.file.size)}, ${receipt.file.size} bytes, modified ${receipt.file.modified})`,
    `  to          ${receipt.destination.url} on ${receipt.destination.endpoint}`,
    ...(receipt.destination.versionId ? [`  version     ${receipt.destination.versionId}`] : []),
    `  as          ${receipt.upload.method === 'multipart' ? `${receipt.upload.partCount} parts of ${formatBytes(receipt.upload.partSize!)}, every part with ${checkWords(receipt)}` : `one request with ${checkWords(receipt)}`}`,
    `  ETag        ${receipt.etag ?? '(none)'}`,
    `  queued      ${receipt.queuedAt}`,
    `  completed   ${receipt.completedAt ?? '-'}`,
    `  verified    ${
      v.method === 'size-only'
        ? 'size only (the server’s ETag is not MD5-based)'
        : v.method === 'on-arrival'
          ? `by the server on arrival (${checkWords(receipt)})`
          : `${v.passed ? 'yes' : 'NO'}: the object's ETag ${v.passed ? 'equals' : 'differs from'} the ${v.method === 'md5' ? 'MD5 of the bytes sent' : receipt.upload.checksums.algorithm === 'MD5' ? 'MD5 of the part MD5s sent' : 'MD5 of the part ETags the server gave the parts it verified'} (${v.expectedEtag})`
    }`,
  ].join('\n');
}

/** "Content-MD5", "a signed SHA-256 payload", ... for the receipt's lines. */
function checkWords(receipt: Receipt): string {
  const algorithm = receipt.upload.checksums.algorithm;
  if (algorithm === 'SHA-256') return 'a signed SHA-256 payload';
  if (algorithm === 'CRC32') return 'CRC32';
  if (algorithm === 'mixed') return 'Content-MD5, signed SHA-256 or CRC32 (the upload was resumed under another check)';
  return 'Content-MD5';
}
