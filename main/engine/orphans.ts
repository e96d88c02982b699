/**
 * Orphaned uploads: incomplete multipart uploads in a bucket (iterate-ch/cyberduck#10568: invisible
 * and billed). Lists them with their parts and bytes, tells which belong to Ferry jobs, aborts the
 * chosen ones. MinIO lists uploads only for an exact key given as prefix (minio/minio#20989).
 */
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import { FerryError } from '../../shared/errors.ts';
import type { OrphanView } from '../../shared/contract.ts';
import { DEFAULT_RETRY_POLICY, withRetry } from './retry.ts';
import { isUploadGone } from './s3Errors.ts';

/** An incomplete upload as every host shows it (the contract's OrphanView). */
export type OrphanUpload = OrphanView;

const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 4 };

export async function listOrphans(
  client: S3Client,
  bucket: string,
  prefix: string,
  jobsByUploadId: ReadonlyMap<string, string>,
  signal: AbortSignal,
  endpointName: string,
): Promise<OrphanUpload[]> {
  const context = { operation: 'listing incomplete uploads', bucket, endpoint: endpointName };
  const uploads: { key: string; uploadId: string; initiated: string | null }[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await withRetry(
      () =>
        client.send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            Prefix: prefix || undefined,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
          { abortSignal: signal },
        ),
      { signal, policy, context },
    );
    for (const upload of page.Uploads ?? []) {
      if (upload.Key && upload.UploadId)
        uploads.push({ key: upload.Key, uploadId: upload.UploadId, initiated: upload.Initiated?.toISOString() ?? null });
    }
    const more = page.IsTruncated === true && (page.NextKeyMarker !== undefined || page.NextUploadIdMarker !== undefined);
    keyMarker = more ? page.NextKeyMarker : undefined;
    uploadIdMarker = more ? page.NextUploadIdMarker : undefined;
  } while (keyMarker !== undefined || uploadIdMarker !== undefined);

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
          const page = await withRetry(
            () =>
              client.send(new ListPartsCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId, PartNumberMarker: marker }), {
                abortSignal: signal,
              }),
            { signal, policy, context: { ...context, operation: 'listing the parts of an incomplete upload' } },
          );
          for (const part of page.Parts ?? []) {
            parts++;
            bytes += part.Size ?? 0;
          }
          marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
        } while (marker);
      } catch (error) {
        if (isUploadGone(error) || isUploadGone((error as { cause?: unknown }).cause)) continue; // finished meanwhile
        throw error;
      }
      result.push({ ...upload, parts, bytes, jobId: jobsByUploadId.get(upload.uploadId) ?? null });
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, uploads.length) }, worker));
  return result.sort((a, b) => (a.initiated ?? '').localeCompare(b.initiated ?? '') || a.key.localeCompare(b.key));
}

/** Aborts one incomplete upload; an upload already gone counts as aborted. */
export async function abortOrphan(
  client: S3Client,
  bucket: string,
  key: string,
  uploadId: string,
  signal: AbortSignal,
  endpointName: string,
): Promise<void> {
  try {
    await withRetry(
      () => client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), { abortSignal: signal }),
      { signal, policy, context: { operation: 'aborting an incomplete upload', bucket, endpoint: endpointName } },
    );
  } catch (error) {
    if (isUploadGone(error) || isUploadGone((error as { cause?: unknown }).cause)) return;
    throw error instanceof FerryError ? error : new FerryError('UNKNOWN', String(error));
  }
}
