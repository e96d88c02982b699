/** `ferry orphans NAME s3://BUCKET[/PREFIX] [--abort UPLOAD_ID...|--abort-all] [--json]`. */
import { formatAge } from '../../../shared/time.ts';
import { abortOrphan, listOrphans, type OrphanUpload } from '../../engine/orphans.ts';
import { createS3Client } from '../../engine/s3Client.ts';
import { S3Gateway } from '../../engine/gateway.ts';
import { JobStore } from '../../store/jobStore.ts';
import { FerryError } from '../../../shared/errors.ts';
import { isFinal } from '../../../shared/job.ts';
import { formatBytes } from '../../../shared/partPlan.ts';
import { S3UrlError, parseS3Url } from '../../../shared/s3Url.ts';
import { openRegistry, type Context } from '../context.ts';
import { adopt } from './adopt.ts';
import { EXIT, UsageError, line, table } from '../output.ts';

export interface OrphanOptions {
  abort?: string[];
  abortAll?: boolean;
  includeFerryJobs?: boolean;
  json?: boolean;
  /** Finish this incomplete upload with `file` (adopt.ts). */
  adopt?: string;
  file?: string;
}

export async function orphans(ctx: Context, name: string, url: string, options: OrphanOptions): Promise<number> {
  if (options.abort && options.abortAll) throw new UsageError('Choose one of --abort UPLOAD_ID... and --abort-all.');
  let target;
  try {
    target = parseS3Url(url);
  } catch (error) {
    if (error instanceof S3UrlError) throw new UsageError(error.message);
    throw error;
  }
  if ((options.adopt === undefined) !== (options.file === undefined))
    throw new UsageError('--adopt UPLOAD_ID and --file PATH go together.');
  if (options.adopt !== undefined) {
    if (options.abort || options.abortAll) throw new UsageError('Choose one of --adopt and --abort.');
    return adopt(ctx, name, target, options.adopt, options.file!);
  }
  const registry = openRegistry(ctx);
  const store = JobStore.open(ctx.dataDir);
  try {
    const endpoint = registry.get(name);
    const { profile, credentials } = await registry.resolve(endpoint.id);
    const client = createS3Client(profile, credentials, { maxSockets: 8, socketTimeoutMs: 30_000 });
    const gateway = new S3Gateway(client, endpoint, null);
    const signal = new AbortController().signal;
    try {
      const live = new Map<string, string>();
      for (const job of store.loadJobs()) if (job.uploadId && !isFinal(job.state)) live.set(job.uploadId, job.id);
      const found = await listOrphans(gateway, target.bucket, target.key, live, signal);

      let chosen: OrphanUpload[] = [];
      if (options.abortAll) {
        chosen = found.filter((upload) => options.includeFerryJobs || upload.jobId === null);
      } else if (options.abort) {
        chosen = options.abort.map((uploadId) => {
          const upload = found.find((u) => u.uploadId === uploadId);
          if (!upload)
            throw new FerryError('INVALID_INPUT', `No incomplete upload with id ${uploadId} in s3://${target.bucket}/${target.key}.`);
          if (upload.jobId && !options.includeFerryJobs) {
            throw new FerryError(
              'INVALID_INPUT',
              `Upload ${uploadId} belongs to Ferry job ${upload.jobId.slice(0, 8)}: abort the job with ferry abort ${upload.jobId.slice(0, 8)}.`,
            );
          }
          return upload;
        });
      }
      for (const upload of chosen) await abortOrphan(gateway, target.bucket, upload.key, upload.uploadId, signal);
      const abortedIds = new Set(chosen.map((u) => u.uploadId));

      if (options.json) {
        line(
          ctx.io.stdout,
          JSON.stringify(
            found.map((u) => ({ ...u, aborted: abortedIds.has(u.uploadId) })),
            null,
            2,
          ),
        );
      } else if (found.length === 0) {
        line(ctx.io.stdout, `No incomplete uploads in s3://${target.bucket}/${target.key}.`);
      } else {
        line(
          ctx.io.stdout,
          table([
            ['KEY', 'UPLOAD ID', 'STARTED', 'PARTS', 'SIZE', 'FERRY JOB', ''],
            ...found.map((u) => [
              u.key,
              u.uploadId,
              formatAge(u.initiated),
              String(u.parts),
              formatBytes(u.bytes),
              u.jobId ? u.jobId.slice(0, 8) : '-',
              abortedIds.has(u.uploadId) ? 'aborted' : '',
            ]),
          ]),
        );
        const bytes = found.reduce((sum, u) => sum + u.bytes, 0);
        if (chosen.length > 0)
          line(
            ctx.io.stderr,
            `Aborted ${chosen.length} incomplete upload${chosen.length === 1 ? '' : 's'}, freeing ${formatBytes(chosen.reduce((s, u) => s + u.bytes, 0))}.`,
          );
        else
          line(
            ctx.io.stderr,
            `${found.length} incomplete upload${found.length === 1 ? ' holds' : 's hold'} ${formatBytes(bytes)}. Abort with --abort UPLOAD_ID... or --abort-all.`,
          );
        const skipped = options.abortAll ? found.filter((u) => u.jobId !== null && !options.includeFerryJobs).length : 0;
        if (skipped > 0)
          line(
            ctx.io.stderr,
            `Kept ${skipped} that belong${skipped === 1 ? 's' : ''} to Ferry jobs (abort those with ferry abort, or add --include-ferry-jobs).`,
          );
      }
      return EXIT.ok;
    } finally {
      client.destroy();
    }
  } finally {
    store.close();
    registry.close();
  }
}
