/** `ferry jobs` and `ferry pause|resume|abort|retry`. */
import { JobStore } from '../../store/jobStore.ts';
import { canTransition, type Job, type JobEvent } from '../../../shared/job.ts';
import { formatBytes } from '../../../shared/partPlan.ts';
import { findJobs, openEngine, openRegistry, type Context } from '../context.ts';
import { EXIT, UsageError, line, table } from '../output.ts';

/** The `--json` shape of a job (the CLI contract). */
export interface JobJson {
  id: string;
  state: Job['state'];
  path: string;
  endpoint: string;
  bucket: string;
  key: string;
  size: number;
  bytesDone: number;
  partSize: number;
  uploadId: string | null;
  error: { code: string; message: string } | null;
}

export function listJobs(ctx: Context, options: { json?: boolean }): number {
  const store = JobStore.open(ctx.dataDir);
  const registry = openRegistry(ctx);
  try {
    const names = new Map(registry.list().map((e) => [e.id, e.name]));
    const jobs = store.loadJobs();
    if (options.json) {
      const json: JobJson[] = jobs.map((job) => ({
        id: job.id,
        state: job.state,
        path: job.path,
        endpoint: names.get(job.endpointId) ?? job.endpointId,
        bucket: job.bucket,
        key: job.key,
        size: job.size,
        bytesDone: job.bytesDone,
        partSize: job.partSize,
        uploadId: job.uploadId,
        error: job.error ? { code: job.error.code, message: job.error.message } : null,
      }));
      line(ctx.io.stdout, JSON.stringify(json, null, 2));
    } else if (jobs.length === 0) {
      line(ctx.io.stdout, 'No jobs. Upload with: ferry upload PATH s3://BUCKET/KEY --endpoint NAME');
    } else {
      line(ctx.io.stdout, table([
        ['ID', 'STATE', 'DONE', 'SIZE', 'DESTINATION', 'ERROR'],
        ...jobs.map((job) => [
          job.id.slice(0, 8),
          job.state,
          job.size === 0 ? (job.state === 'completed' ? '100%' : '0%') : `${Math.floor((job.bytesDone / job.size) * 100)}%`,
          formatBytes(job.size),
          `${names.get(job.endpointId) ?? '?'}:s3://${job.bucket}/${job.key}`,
          job.error?.message ?? '',
        ]),
      ]));
    }
    return EXIT.ok;
  } finally {
    registry.close();
    store.close();
  }
}

type Action = 'pause' | 'resume' | 'abort' | 'retry';
const EVENT: Record<Action, JobEvent> = { pause: 'pause', resume: 'resume', abort: 'abort', retry: 'retry' };
const DONE: Record<Action, string> = { pause: 'Paused', resume: 'Resumed', abort: 'Aborted', retry: 'Queued again' };

export async function control(ctx: Context, action: Action, ids: string[], options: { all?: boolean }): Promise<number> {
  if (options.all && ids.length > 0) throw new UsageError(`Give job ids or --all, not both.`);
  if (!options.all && ids.length === 0) throw new UsageError(`Name the jobs to ${action} (ids from ferry jobs), or --all.`);
  const registry = openRegistry(ctx);
  try {
    const engine = await openEngine(ctx, registry);
    try {
      const all = engine.list();
      // --all: every job the action applies to; named jobs: each must allow it (the engine says why not)
      const jobs = options.all ? all.filter((job) => canTransition(job.state, EVENT[action])) : findJobs(all, ids);
      const targets = jobs.map((job) => job.id);
      if (action === 'pause') await engine.pause(targets);
      else if (action === 'resume') engine.resume(targets);
      else if (action === 'retry') engine.retry(targets);
      else await engine.abort(targets);
      line(ctx.io.stdout, `${DONE[action]} ${targets.length} job${targets.length === 1 ? '' : 's'}.`);
      if ((action === 'resume' || action === 'retry') && targets.length > 0) line(ctx.io.stderr, 'Upload them with: ferry run');
      return EXIT.ok;
    } finally {
      await engine.close();
    }
  } finally {
    registry.close();
  }
}
