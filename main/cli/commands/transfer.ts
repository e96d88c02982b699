/** `ferry upload` and `ferry run`: queue and/or work through jobs, showing progress; Ctrl-C pauses. */
import { formatDuration } from '../../../shared/time.ts';
import type { Engine } from '../../engine/engine.ts';
import { FerryError } from '../../../shared/errors.ts';
import type { Job } from '../../../shared/job.ts';
import { formatBytes, parseSize } from '../../../shared/partPlan.ts';
import { S3UrlError, parseS3Url } from '../../../shared/s3Url.ts';
import { openEngine, openRegistry, type Context } from '../context.ts';
import { EXIT, UsageError, line } from '../output.ts';
import { ProgressReporter } from '../progress.ts';
import { expandSources } from '../../host/sources.ts';

export interface UploadOptions {
  endpoint: string;
  partSize?: string;
  concurrency?: string;
  detach?: boolean;
}

function parseConcurrency(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 64)
    throw new UsageError(`--concurrency must be a whole number from 1 to 64, not "${text}".`);
  return value;
}

function parsePartSize(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = parseSize(text);
  if (value === null) throw new UsageError(`--part-size must be a size such as 16MiB or 64M, not "${text}".`);
  return value;
}

export async function upload(ctx: Context, args: string[], options: UploadOptions): Promise<number> {
  if (args.length < 2) throw new UsageError('Usage: ferry upload PATH... s3://BUCKET/KEY --endpoint NAME');
  const paths = args.slice(0, -1);
  let target;
  try {
    target = parseS3Url(args.at(-1)!);
  } catch (error) {
    if (error instanceof S3UrlError) throw new UsageError(error.message);
    throw error;
  }
  const partSize = parsePartSize(options.partSize);
  const concurrency = parseConcurrency(options.concurrency);
  const sources = await expandSources(paths, target);
  if (sources.length === 0) throw new FerryError('INVALID_INPUT', 'Nothing to upload: the folder has no files.');

  const registry = openRegistry(ctx);
  try {
    const endpoint = registry.get(options.endpoint);
    const engine = await openEngine(ctx, registry);
    try {
      // refuse a target that cannot work (bad key, no bucket, unreachable) before anything is queued
      const warnings = await engine.checkBucket(endpoint.id, target.bucket).catch((error: unknown) => {
        throw error instanceof FerryError ? new UsageError(error.message) : error;
      });
      for (const warning of warnings) line(ctx.io.stderr, `warning: ${warning}`);
      const jobs = await engine.addJobs(
        sources.map((source) => ({
          path: source.path,
          endpointId: endpoint.id,
          bucket: target.bucket,
          key: source.key,
          partSize,
          concurrency,
        })),
      );
      const total = jobs.reduce((sum, job) => sum + job.size, 0);
      if (options.detach) {
        for (const job of jobs) line(ctx.io.stdout, job.id);
        line(
          ctx.io.stderr,
          `Queued ${jobs.length} file${jobs.length === 1 ? '' : 's'} (${formatBytes(total)}). Upload them with: ferry run`,
        );
        return EXIT.ok;
      }
      line(
        ctx.io.stderr,
        `Uploading ${jobs.length} file${jobs.length === 1 ? '' : 's'} (${formatBytes(total)}) to s3://${target.bucket}/${target.isPrefix ? target.key : jobs[0]!.key} on ${endpoint.name}`,
      );
      return await work(ctx, engine, jobs);
    } finally {
      await engine.close();
    }
  } finally {
    registry.close();
  }
}

export async function run(ctx: Context): Promise<number> {
  const registry = openRegistry(ctx);
  try {
    const engine = await openEngine(ctx, registry);
    try {
      const pending = engine.list().filter((job) => job.state === 'queued');
      if (pending.length === 0) {
        const paused = engine.list().filter((job) => job.state === 'paused').length;
        line(
          ctx.io.stderr,
          paused > 0
            ? `Nothing queued; ${paused} paused job${paused === 1 ? '' : 's'}: resume with ferry resume --all`
            : 'Nothing to upload.',
        );
        return EXIT.ok;
      }
      line(
        ctx.io.stderr,
        `Uploading ${pending.length} queued job${pending.length === 1 ? '' : 's'} (${formatBytes(pending.reduce((s, j) => s + j.size - j.bytesDone, 0))} to go)`,
      );
      return await work(ctx, engine, pending);
    } finally {
      await engine.close();
    }
  } finally {
    registry.close();
  }
}

/**
 * Runs `jobs` to the end with progress. SIGINT/SIGTERM pause the running jobs (never abort them) and
 * return 130; a second signal exits at once (the store is crash-safe, `ferry run` resumes).
 */
export async function work(ctx: Context, engine: Engine, jobs: readonly Job[]): Promise<number> {
  const ids = jobs.map((job) => job.id);
  const reporter = new ProgressReporter(ctx.io, engine, jobs);
  let interrupted = false;
  let onInterrupt: () => void = () => undefined;
  const interruptedPromise = new Promise<void>((resolve) => {
    onInterrupt = () => {
      if (interrupted) {
        line(ctx.io.stderr, '\nferry: stopped at once; nothing is lost: ferry run resumes.');
        process.exit(EXIT.interrupted);
      }
      interrupted = true;
      resolve();
    };
  });
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    engine.start(ids);
    await Promise.race([engine.whenIdle(), interruptedPromise]);
    if (interrupted) {
      line(ctx.io.stderr, '\nPausing uploads (press Ctrl-C again to stop at once)...');
      const active = ids.filter((id) => engine.get(id)?.state === 'uploading');
      await engine.pause(active);
    }
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
  const final = reporter.stop().map((job) => engine.get(job.id) ?? job);
  const completed = final.filter((job) => job.state === 'completed');
  const failed = final.filter((job) => job.state === 'failed');
  const bytes = completed.reduce((sum, job) => sum + job.size, 0);
  const seconds = reporter.elapsedSeconds();
  if (completed.length > 0) {
    line(
      ctx.io.stderr,
      `Uploaded ${completed.length} of ${final.length} file${final.length === 1 ? '' : 's'} (${formatBytes(bytes)}) in ${formatDuration(seconds)}${seconds > 0 ? `, ${formatBytes(bytes / seconds)}/s` : ''}.`,
    );
  }
  if (interrupted) {
    const paused = final.filter((job) => job.state === 'paused').length;
    line(
      ctx.io.stderr,
      `Paused ${paused} upload${paused === 1 ? '' : 's'}; parts already sent are kept. Continue with: ferry resume --all && ferry run`,
    );
    return EXIT.interrupted;
  }
  // `ferry pause` or `ferry abort` from another terminal (through the control channel)
  const pausedElsewhere = final.filter((job) => job.state === 'paused');
  const abortedElsewhere = final.filter((job) => job.state === 'aborted');
  if (pausedElsewhere.length > 0) {
    const n = pausedElsewhere.length;
    line(
      ctx.io.stderr,
      `${n} upload${n === 1 ? ' was' : 's were'} paused by ferry pause; parts already sent are kept. Continue with: ferry resume ${n === 1 ? pausedElsewhere[0]!.id.slice(0, 8) : '--all'} && ferry run`,
    );
  }
  if (abortedElsewhere.length > 0) {
    const n = abortedElsewhere.length;
    line(ctx.io.stderr, `${n} upload${n === 1 ? ' was' : 's were'} aborted by ferry abort.`);
  }
  if (failed.length > 0) {
    line(ctx.io.stderr, `${failed.length} upload${failed.length === 1 ? '' : 's'} failed:`);
    for (const job of failed) line(ctx.io.stderr, `  ${job.id.slice(0, 8)}  ${job.path}: ${job.error?.message ?? 'unknown error'}`);
    line(ctx.io.stderr, 'After fixing the cause: ferry retry JOB_ID... && ferry run');
    return EXIT.failed;
  }
  // stopped on request before the end, as Ctrl-C does
  if (pausedElsewhere.length > 0 || abortedElsewhere.length > 0) return EXIT.interrupted;
  return EXIT.ok;
}
