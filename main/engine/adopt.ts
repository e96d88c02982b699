/**
 * Reading an incomplete multipart upload's parts (every page of ListParts), to adopt it: see
 * shared/adoptPlan.ts for the plan and the uploader's reconcile for how its parts are kept.
 */
import { ListPartsCommand } from '@aws-sdk/client-s3';
import { planAdoption, type ServerPart } from '../../shared/adoptPlan.ts';
import { FerryError } from '../../shared/errors.ts';
import { isFinal, type Job } from '../../shared/job.ts';
import { formatBytes } from '../../shared/partPlan.ts';
import type { Engine, EndpointResolver } from './engine.ts';
import { statFile } from './fileSource.ts';
import { S3Gateway } from './gateway.ts';
import { createS3Client } from './s3Client.ts';
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

/**
 * "Resume with a local file…" (the window) and `--adopt` (the CLI): checks that the upload belongs to
 * no live Ferry job, reads its parts, plans the adoption with the file (refused in words when the
 * file does not fit), and adds the job that finishes it.
 */
export async function adoptUpload(
  engine: Engine,
  endpoints: EndpointResolver,
  target: { endpointId: string; bucket: string; key: string; uploadId: string },
  path: string,
  signal: AbortSignal,
): Promise<{ job: Job; message: string }> {
  const owner = engine.list().find((job) => job.uploadId === target.uploadId && !isFinal(job.state));
  if (owner) {
    throw new FerryError(
      'INVALID_INPUT',
      `Upload ${target.uploadId} belongs to the Ferry upload of ${owner.path}: resume that one instead.`,
    );
  }
  const fingerprint = await statFile(path);
  const { profile, credentials } = await endpoints.resolve(target.endpointId);
  const client = createS3Client(profile, credentials, { maxSockets: 2, socketTimeoutMs: 30_000 });
  let parts;
  try {
    parts = await listUploadParts(new S3Gateway(client, profile, null), target, signal);
  } finally {
    client.destroy();
  }
  const plan = planAdoption(parts, fingerprint.size);
  if (!plan.ok) throw new FerryError('INVALID_INPUT', `Cannot finish upload ${target.uploadId} with ${path}: ${plan.reason}`);
  const [job] = await engine.addJobs([
    { path, endpointId: target.endpointId, bucket: target.bucket, key: target.key, partSize: plan.partSize, uploadId: target.uploadId },
  ]);
  const held = parts.reduce((sum, part) => sum + part.size, 0);
  return {
    job: job!,
    message: `The server holds ${parts.length} of its ${plan.partCount} parts of ${formatBytes(plan.partSize)} (${formatBytes(held)}); each is kept if the file's bytes match it, the rest are sent.`,
  };
}
