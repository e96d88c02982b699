/** `ferry upload` and `ferry run`: queue and/or work through jobs, showing progress; Ctrl-C pauses. */
import { randomUUID } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { formatDuration } from '../../../shared/time.ts';
import type { Engine } from '../../engine/engine.ts';
import { looseFilesName } from '../../../shared/batch.ts';
import { EngineLockedError, FerryError } from '../../../shared/errors.ts';
import type { Job } from '../../../shared/job.ts';
import { formatBytes, parseSize } from '../../../shared/partPlan.ts';
import { S3UrlError, parseS3Url } from '../../../shared/s3Url.ts';
import { listenForCommands, openEngine, openRegistry, type Context } from '../context.ts';
import { EXIT, UsageError, line } from '../output.ts';
import { ProgressReporter } from '../progress.ts';
import { handOff } from '../handoff.ts';
import { expandSources } from '../../host/sources.ts';
import { parseObjectFlags, type ObjectFlags } from '../uploadFlags.ts';
import { withDefaults } from '../../../shared/uploadOptions.ts';
import { parseDuration } from '../../../shared/retry.ts';

export interface UploadOptions extends ObjectFlags {
  endpoint: string;
  partSize?: string;
  concurrency?: string;
  detach?: boolean;
  giveUpAfter?: string;
}

/** `--give-up-after DURATION`: how long an outage may last before a job fails (default 15 minutes). */
function parseGiveUpAfter(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === null || ms < 1000)
    throw new UsageError(`--give-up-after must be a duration of at least 1 s, such as 15m, 90s or 2h, not "${text}".`);
  return ms;
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

/** The name of one command's batch: the folder's or file's name, or "a.txt and 2 more". */
function batchName(paths: readonly string[], files: number): string {
  const names = paths.map((path) => basename(path.replace(/[\\/]+$/, '')) || path);
  return names.length === 1 ? names[0]! : looseFilesName(names) + (files > names.length ? ` (${files} files)` : '');
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
  const object = parseObjectFlags(options);
  const { files: sources, skipped } = await expandSources(paths, target);
  for (const entry of skipped) line(ctx.io.stderr, `Skipped ${entry.path}: ${entry.reason}.`);
  const giveUpAfterMs = parseGiveUpAfter(options.giveUpAfter);
  if (sources.length === 0) throw new FerryError('INVALID_INPUT', 'Nothing to upload: the folder has no files.');

  const registry = openRegistry(ctx);
  try {
    const endpoint = registry.get(options.endpoint);
    let engine;
    try {
      engine = await openEngine(ctx, registry, {
        bandwidthLimit: object.bandwidthLimit ?? null,
        ...(giveUpAfterMs === undefined ? {} : { giveUpAfterMs }),
      });
    } catch (error) {
      if (!(error instanceof EngineLockedError)) throw error;
      // `ferry serve` or the app owns the data directory: it takes the jobs (issue #13)
      if (object.bandwidthLimit !== undefined || giveUpAfterMs !== undefined)
        line(
          ctx.io.stderr,
          'warning: --bwlimit and --give-up-after are the running Ferry process’s own: change its limit with ferry limit.',
        );
      return await handOff(
        ctx,
        {
          add: {
            endpointId: endpoint.id,
            bucket: target.bucket,
            batch: { id: randomUUID(), name: batchName(paths, sources.length) },
            files: sources.map((source) => ({ path: resolve(source.path), key: source.key })),
            ...(partSize === undefined ? {} : { partSize }),
            ...(concurrency === undefined ? {} : { concurrency }),
            options: withDefaults(object.options, endpoint.defaults),
            guessContentType: object.guessContentType,
          },
          ...(object.sseCKey !== undefined ? { sseCKey: object.sseCKey } : {}),
          detach: options.detach === true,
          skipped: skipped.length,
          destination: `s3://${target.bucket}/${target.isPrefix || sources.length > 1 ? target.key : sources[0]!.key} on ${endpoint.name}`,
        },
        error,
      );
    }
    try {
      // refuse a target that cannot work (bad key, no bucket, unreachable) before anything is queued
      const warnings = await engine.checkBucket(endpoint.id, target.bucket).catch((error: unknown) => {
        throw error instanceof FerryError ? new UsageError(error.message) : error;
      });
      for (const warning of warnings) line(ctx.io.stderr, `warning: ${warning}`);
      const batch = { id: randomUUID(), name: batchName(paths, sources.length) };
      const jobs = await engine.addJobs(
        sources.map((source) => ({
          batch,
          path: source.path,
          endpointId: endpoint.id,
          bucket: target.bucket,
          key: source.key,
          partSize,
          concurrency,
          options: withDefaults(object.options, endpoint.defaults),
          guessContentType: object.guessContentType,
          ...(object.sseCKey !== undefined ? { sseCKey: object.sseCKey } : {}),
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
      const stopListening = await listenForCommands(ctx, engine);
      line(
        ctx.io.stderr,
        `Uploading ${jobs.length} file${jobs.length === 1 ? '' : 's'} (${formatBytes(total)}) to s3://${target.bucket}/${target.isPrefix ? target.key : jobs[0]!.key} on ${endpoint.name}`,
      );
      try {
        return await work(ctx, engine, jobs, skipped.length);
      } finally {
        await stopListening();
      }
    } finally {
      await engine.close();
    }
  } finally {
    registry.close();
  }
}

export async function run(ctx: Context, options: { bwlimit?: string; giveUpAfter?: string } = {}): Promise<number> {
  const { bandwidthLimit } = parseObjectFlags({ bwlimit: options.bwlimit });
  const giveUpAfterMs = parseGiveUpAfter(options.giveUpAfter);
  const registry = openRegistry(ctx);
  try {
    const engine = await openEngine(ctx, registry, {
      bandwidthLimit: bandwidthLimit ?? null,
      ...(giveUpAfterMs === undefined ? {} : { giveUpAfterMs }),
    });
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
      const stopListening = await listenForCommands(ctx, engine);
      line(
        ctx.io.stderr,
        `Uploading ${pending.length} queued job${pending.length === 1 ? '' : 's'} (${formatBytes(pending.reduce((s, j) => s + j.size - j.bytesDone, 0))} to go)`,
      );
      try {
        return await work(ctx, engine, pending);
      } finally {
        await stopListening();
      }
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
export async function work(ctx: Context, engine: Engine, jobs: readonly Job[], skipped = 0): Promise<number> {
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
      reporter.interrupt();
      line(ctx.io.stderr, 'Pausing uploads (press Ctrl-C again to stop at once)...');
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
  if (skipped > 0)
    line(
      ctx.io.stderr,
      `Skipped ${skipped} entr${skipped === 1 ? 'y' : 'ies'} that ${skipped === 1 ? 'is' : 'are'} not a file (listed above).`,
    );
  if (interrupted) {
    const paused = final.filter((job) => job.state === 'paused').length;
    line(
      ctx.io.stderr,
      `Paused ${paused} upload${paused === 1 ? '' : 's'}; parts already sent are kept. Continue with: ferry resume --all && ferry run`,
    );
    return EXIT.interrupted;
  }
  // `ferry pause` or `ferry abort` from another terminal (through the control channel)
  // the engine pauses every job when the disk holding its data is full: say that, not "ferry pause"
  const diskFull = final.find((job) => job.state === 'paused' && job.error?.code === 'DISK_FULL');
  if (diskFull) {
    const n = final.filter((job) => job.state === 'paused').length;
    line(
      ctx.io.stderr,
      `${diskFull.error!.message} Paused ${n} upload${n === 1 ? '' : 's'}; parts already sent are kept. Continue with: ferry resume --all && ferry run`,
    );
    return EXIT.failed;
  }
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
    const restart = failed.filter((job) => job.error?.restart).map((job) => job.id.slice(0, 8));
    if (restart.length < failed.length) line(ctx.io.stderr, 'After fixing the cause: ferry retry JOB_ID... && ferry run');
    // a job that cannot be retried as is (the file changed) says what to do instead
    if (restart.length > 0) {
      line(ctx.io.stderr, `To upload again from the start: ferry retry --restart ${restart.join(' ')} && ferry run`);
      if (failed.some((job) => job.error?.code === 'FILE_CHANGED'))
        line(ctx.io.stderr, `To send only what changed in a changed file: ferry retry --changed-only ${restart.join(' ')}`);
    }
    return EXIT.failed;
  }
  // stopped on request before the end, as Ctrl-C does
  if (pausedElsewhere.length > 0 || abortedElsewhere.length > 0) return EXIT.interrupted;
  return EXIT.ok;
}
