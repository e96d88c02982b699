/**
 * Reading an incomplete multipart upload's parts (every page of ListParts), to adopt it: see
 * shared/adoptPlan.ts for the plan and the uploader's reconcile for how its parts are kept.
 */
import { ListPartsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ServerPart } from '../../shared/adoptPlan.ts';
import { FerryError } from '../../shared/errors.ts';
import { DEFAULT_RETRY_POLICY, withRetry } from './retry.ts';
import { isUploadGone } from './s3Errors.ts';

export async function listUploadParts(
  client: S3Client,
  target: { bucket: string; key: string; uploadId: string; endpointName: string },
  signal: AbortSignal,
): Promise<ServerPart[]> {
  const parts: ServerPart[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await withRetry(
        () =>
          client.send(
            new ListPartsCommand({ Bucket: target.bucket, Key: target.key, UploadId: target.uploadId, PartNumberMarker: marker }),
            {
              abortSignal: signal,
            },
          ),
        {
          signal,
          policy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 4 },
          context: { operation: 'listing the parts of the upload', bucket: target.bucket, endpoint: target.endpointName },
        },
      );
      for (const part of page.Parts ?? [])
        if (part.PartNumber !== undefined) parts.push({ partNumber: part.PartNumber, size: part.Size ?? 0 });
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
  } catch (error) {
    if (isUploadGone(error) || isUploadGone((error as { cause?: unknown }).cause)) {
      throw new FerryError('INVALID_INPUT', `There is no incomplete upload ${target.uploadId} of s3://${target.bucket}/${target.key}.`, {
        cause: error,
      });
    }
    throw error;
  }
  return parts;
}
