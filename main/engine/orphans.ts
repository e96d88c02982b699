/**
 * Orphaned uploads: incomplete multipart uploads in a bucket (iterate-ch/cyberduck#10568: invisible
 * and billed). Lists them with their parts and bytes, tells which belong to Ferry jobs, aborts the
 * chosen ones. MinIO lists uploads only for an exact key given as prefix (minio/minio#20989).
 */
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import type { OrphanView } from '../../shared/contract.ts';
import type { Job } from '../../shared/job.ts';
import type { S3Gateway } from './gateway.ts';
import { isUploadGone } from './s3Errors.ts';

/** An incomplete upload as every host shows it (the contract's OrphanView). */
export type OrphanUpload = OrphanView;

interface Incomplete {
  key: string;
  uploadId: string;
  initiated: string | null;
}

/** Every incomplete upload in the bucket under `prefix` (every page). */
async function listIncomplete(gateway: S3Gateway, bucket: string, prefix: string, signal: AbortSignal): Promise<Incomplete[]> {
  const uploads: Incomplete[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await gateway.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: prefix || undefined,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
      { operation: 'listing incomplete uploads', bucket, policy: 'cleanup', signal },
    );
    for (const upload of page.Uploads ?? []) {
      if (upload.Key && upload.UploadId)
        uploads.push({ key: upload.Key, uploadId: upload.UploadId, initiated: upload.Initiated?.toISOString() ?? null });
    }
    const more = page.IsTruncated === true && (page.NextKeyMarker !== undefined || page.NextUploadIdMarker !== undefined);
    keyMarker = more ? page.NextKeyMarker : undefined;
    uploadIdMarker = more ? page.NextUploadIdMarker : undefined;
  } while (keyMarker !== undefined || uploadIdMarker !== undefined);
  return uploads;
}

export async function listOrphans(
  gateway: S3Gateway,
  bucket: string,
  prefix: string,
  jobsByUploadId: ReadonlyMap<string, string>,
  signal: AbortSignal,
): Promise<OrphanUpload[]> {
  const uploads = await listIncomplete(gateway, bucket, prefix, signal);

  const result: OrphanUpload[] = [];
  let next = 0;
  const worker = async () => {
    while (next < uploads.length) {
      const upload = uploads[next++]!;
      let parts = 0;
      let bytes = 0;
      let marker: string | undefined;
      try {
        do {
          const page = await gateway.send(
            new ListPartsCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId, PartNumberMarker: marker }),
            { operation: 'listing the parts of an incomplete upload', bucket, scope: 'upload', policy: 'cleanup', signal },
          );
          for (const part of page.Parts ?? []) {
            parts++;
            bytes += part.Size ?? 0;
          }
          marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
        } while (marker);
      } catch (error) {
        if (isUploadGone(error)) continue; // finished meanwhile
        throw error;
      }
      result.push({ ...upload, parts, bytes, jobId: jobsByUploadId.get(upload.uploadId) ?? null });
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, uploads.length) }, worker));
  return result.sort((a, b) => (a.initiated ?? '').localeCompare(b.initiated ?? '') || a.key.localeCompare(b.key));
}

/** Aborts one incomplete upload; an upload already gone counts as aborted. */
export async function abortOrphan(gateway: S3Gateway, bucket: string, key: string, uploadId: string, signal: AbortSignal): Promise<void> {
  try {
    await gateway.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), {
      operation: 'aborting an incomplete upload',
      bucket,
      scope: 'upload',
      policy: 'cleanup',
      signal,
    });
  } catch (error) {
    if (isUploadGone(error)) return;
    throw error;
  }
}

/**
 * The server's clock and this computer's may differ: an upload initiated up to this long before the
 * job began still counts as the job's (the SDK corrects its requests for skew, not the listed times).
 */
const INITIATED_SLACK_MS = 60_000;

/**
 * After a job ended (completed, failed, aborted): aborts the incomplete uploads of the job's key that
 * were initiated after the job began, except `keep` (the upload a failed job keeps for a retry). They
 * are Ferry's own leftovers: a CreateMultipartUpload whose answer was lost (its UploadId never known),
 * the upload of a job that cannot be retried as is. One job per key at a time (Engine.addJobs) makes
 * any other upload of the key since then this job's. Returns how many were aborted.
 */
export async function abortJobLeftovers(
  gateway: S3Gateway,
  job: Pick<Job, 'bucket' | 'key' | 'createdAt'>,
  keep: string | null,
  signal: AbortSignal,
): Promise<number> {
  const since = job.createdAt - INITIATED_SLACK_MS;
  const uploads = await listIncomplete(gateway, job.bucket, job.key, signal);
  let aborted = 0;
  for (const upload of uploads) {
    if (upload.key !== job.key || upload.uploadId === keep) continue;
    if (upload.initiated !== null && Date.parse(upload.initiated) < since) continue;
    await abortOrphan(gateway, job.bucket, upload.key, upload.uploadId, signal);
    aborted++;
  }
  return aborted;
}
