/**
 * `ferry orphans NAME s3://BUCKET/KEY --adopt UPLOAD_ID --file PATH`: finish an incomplete upload that
 * another tool (the AWS CLI, rclone, lib-storage, a crashed Ferry) left behind, with the local file
 * it was uploading: the parts whose bytes match the file are kept, the others and the missing ones
 * are sent, and the object is completed and verified like any Ferry upload.
 */
import { listUploadParts } from '../../engine/adopt.ts';
import { statFile } from '../../engine/fileSource.ts';
import { S3Gateway } from '../../engine/gateway.ts';
import { createS3Client } from '../../engine/s3Client.ts';
import { JobStore } from '../../store/jobStore.ts';
import { planAdoption } from '../../../shared/adoptPlan.ts';
import { FerryError } from '../../../shared/errors.ts';
import { isFinal } from '../../../shared/job.ts';
import { formatBytes } from '../../../shared/partPlan.ts';
import type { S3Target } from '../../../shared/s3Url.ts';
import { openEngine, openRegistry, type Context } from '../context.ts';
import { UsageError, line } from '../output.ts';
import { work } from './transfer.ts';

export async function adopt(ctx: Context, endpointName: string, target: S3Target, uploadId: string, file: string): Promise<number> {
  if (target.isPrefix) throw new UsageError("--adopt needs the upload's exact key: s3://BUCKET/KEY, as ferry orphans lists it.");
  const fingerprint = await statFile(file);
  const registry = openRegistry(ctx);
  try {
    const endpoint = registry.get(endpointName);
    const store = JobStore.open(ctx.dataDir);
    try {
      const owner = store.loadJobs().find((job) => job.uploadId === uploadId && !isFinal(job.state));
      if (owner) {
        throw new FerryError(
          'INVALID_INPUT',
          `Upload ${uploadId} belongs to Ferry job ${owner.id.slice(0, 8)}: continue it with ferry resume ${owner.id.slice(0, 8)} && ferry run.`,
        );
      }
    } finally {
      store.close();
    }
    const { profile, credentials } = await registry.resolve(endpoint.id);
    const client = createS3Client(profile, credentials, { maxSockets: 2, socketTimeoutMs: 30_000 });
    let parts;
    try {
      parts = await listUploadParts(
        new S3Gateway(client, endpoint, null),
        { bucket: target.bucket, key: target.key, uploadId },
        new AbortController().signal,
      );
    } finally {
      client.destroy();
    }
    const plan = planAdoption(parts, fingerprint.size);
    if (!plan.ok) throw new FerryError('INVALID_INPUT', `Cannot finish upload ${uploadId} with ${file}: ${plan.reason}`);
    const held = parts.reduce((sum, part) => sum + part.size, 0);
    line(
      ctx.io.stderr,
      `Adopting upload ${uploadId} of s3://${target.bucket}/${target.key}: the server holds ${parts.length} of its ${plan.partCount} parts of ${formatBytes(plan.partSize)} (${formatBytes(held)}); each is kept if the file's bytes match it.`,
    );
    const engine = await openEngine(ctx, registry);
    try {
      const jobs = await engine.addJobs([
        { path: file, endpointId: endpoint.id, bucket: target.bucket, key: target.key, partSize: plan.partSize, uploadId },
      ]);
      const code = await work(ctx, engine, jobs);
      const job = engine.get(jobs[0]!.id)!;
      const sent = engine.stats().bytesSent;
      if (job.state === 'completed') {
        line(
          ctx.io.stderr,
          `Kept ${formatBytes(Math.max(0, job.size - sent))} already on the server; sent ${formatBytes(sent)} of ${formatBytes(job.size)}.`,
        );
      }
      return code;
    } finally {
      await engine.close();
    }
  } finally {
    registry.close();
  }
}
