/**
 * Reading an incomplete multipart upload's parts (every page of ListParts), to adopt it: see
 * shared/adoptPlan.ts for the plan and the uploader's reconcile for how its parts are kept.
 */
import { ListPartsCommand } from '@aws-sdk/client-s3';
import type { ServerPart } from '../../shared/adoptPlan.ts';
import { FerryError } from '../../shared/errors.ts';
import type { S3Gateway } from './gateway.ts';
import { isUploadGone } from './s3Errors.ts';

export async function listUploadParts(
  gateway: S3Gateway,
  target: { bucket: string; key: string; uploadId: string },
  signal: AbortSignal,
): Promise<ServerPart[]> {
  const parts: ServerPart[] = [];
  let marker: string | undefined;
  try {
    do {
      const page = await gateway.send(
        new ListPartsCommand({ Bucket: target.bucket, Key: target.key, UploadId: target.uploadId, PartNumberMarker: marker }),
        { operation: 'listing the parts of the upload', bucket: target.bucket, scope: 'upload', policy: 'cleanup', signal },
      );
      for (const part of page.Parts ?? [])
        if (part.PartNumber !== undefined) parts.push({ partNumber: part.PartNumber, size: part.Size ?? 0 });
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
  } catch (error) {
    // the gateway classified it, with the upload scope: NoSuchUpload and RGW's 404 NoSuchKey alike
    if (isUploadGone(error)) {
      throw new FerryError('INVALID_INPUT', `There is no incomplete upload ${target.uploadId} of s3://${target.bucket}/${target.key}.`, {
        cause: error,
      });
    }
    throw error;
  }
  return parts;
}
