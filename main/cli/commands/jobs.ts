/** `ferry jobs` and `ferry pause|resume|abort|retry`. */
import { JobStore } from '../../store/jobStore.ts';
import { acquireDataDirLock } from '../../store/lock.ts';
import { EngineLockedError } from '../../../shared/errors.ts';
import { canTransition, findJobs, type Job, type JobEvent } from '../../../shared/job.ts';
import { formatBytes } from '../../../shared/partPlan.ts';
import { sendControl } from '../../engine/control.ts';
import { openEngine, openRegistry, type Context } from '../context.ts';
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

/**
 * The jobs as they are. A job stored as 'uploading' while no engine owns the data directory was left
 * so by a process that died or stopped: it is shown as 'queued', which is what the next `ferry run`
 * makes of it (the store itself is not touched, so this never races a starting upload).
 */
function currentJobs(ctx: Context): Job[] {
  const store = JobStore.open(ctx.dataDir);
  let jobs: Job[];
  try {
    jobs = store.loadJobs();
  } finally {
    store.close();
  }
  if (!jobs.some((job) => job.state === 'uploading')) return jobs;
  let running = false;
  try {
    acquireDataDirLock(ctx.dataDir).release();
  } catch (error) {
    if (!(error instanceof EngineLockedError)) throw error;
    running = true;
  }
  return running ? jobs : jobs.map((job) => (job.state === 'uploading' ? { ...job, state: 'queued' } : job));
}

export async function listJobs(ctx: Context, options: { json?: boolean }): Promise<number> {
  const registry = openRegistry(ctx);
  try {
    const names = new Map(registry.list().map((e) => [e.id, e.name]));
    const jobs = currentJobs(ctx);
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
    let engine;
    try {
      engine = await openEngine(ctx, registry);
    } catch (error) {
      if (!(error instanceof EngineLockedError)) throw error;
      return await controlRunning(ctx, action, options.all ? null : ids, error);
    }
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

/**
 * Another process owns the data directory (`ferry upload` or `ferry run` in another terminal, `ferry
 * serve`, the desktop app): the command goes to its engine, which acts at once (a pause stops the
 * running requests there). If it does not answer, the lock's message, naming it, stands.
 */
async function controlRunning(ctx: Context, action: Action, ids: string[] | null, locked: EngineLockedError): Promise<number> {
  let reply;
  try {
    reply = await sendControl(ctx.dataDir, action, ids);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENGINE_LOCKED') throw locked;
    throw error;
  }
  const count = reply.ids.length;
  line(ctx.io.stdout, `${DONE[action]} ${count} job${count === 1 ? '' : 's'} (in the running Ferry process).`);
  if (reply.notStarted.length > 0) {
    const n = reply.notStarted.length;
    line(ctx.io.stderr, `${n} of them ${n === 1 ? 'is' : 'are'} queued but not part of the running upload; upload ${n === 1 ? 'it' : 'them'} with: ferry run (after it ends)`);
  }
  return EXIT.ok;
}
