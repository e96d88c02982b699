/** `ferry jobs` and `ferry pause|resume|abort|retry`. */
import { JobStore } from '../../store/jobStore.ts';
import { acquireDataDirLock } from '../../store/lock.ts';
import { EngineLockedError, FerryError } from '../../../shared/errors.ts';
import { transition, type Job } from '../../../shared/job.ts';
import { formatBytes } from '../../../shared/partPlan.ts';
import type { UploadOptions } from '../../../shared/uploadOptions.ts';
import { isWaitingForAnswer } from '../../../shared/existsAnswer.ts';
import { describeRetry, type JobRetry } from '../../../shared/retry.ts';
import { sendControl, type ControlAction, type ControlReply } from '../../engine/control.ts';
import type { Engine } from '../../engine/engine.ts';
import type { EndpointRegistry } from '../../endpoints/registry.ts';
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
  /** What the object is sent with (never a secret: SSE-C shows only as sseC: true). */
  options: OptionsJson;
  /** Completed without uploading: the key existed and --if-exists said skip (or skip-identical matched). */
  skipped: boolean;
  /** Paused because the key exists and the window's if-exists asks: it waits for an answer there. */
  waitingForAnswer: boolean;
  /** An uploading job waiting to retry a request (nextRetryAt in ms since the epoch), or null. */
  retry: { attempt: number; maxAttempts: number | null; nextRetryAt: number; error: { code: string; message: string } } | null;
  /** The drop, folder or `ferry upload` the job came with (jobs of one batch share it), or null. */
  batchId: string | null;
}

export interface OptionsJson {
  contentType: string | null;
  cacheControl: string | null;
  contentDisposition: string | null;
  contentEncoding: string | null;
  contentLanguage: string | null;
  expires: string | null;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  storageClass: string | null;
  acl: string | null;
  sse: string | null;
  sseKmsKeyId: string | null;
  sseC: boolean;
  ifExists: string;
}

export function optionsJson(options: UploadOptions | undefined): OptionsJson {
  const o = options ?? {};
  return {
    contentType: o.contentType ?? null,
    cacheControl: o.cacheControl ?? null,
    contentDisposition: o.contentDisposition ?? null,
    contentEncoding: o.contentEncoding ?? null,
    contentLanguage: o.contentLanguage ?? null,
    expires: o.expires ?? null,
    metadata: o.metadata ?? {},
    tags: o.tags ?? {},
    storageClass: o.storageClass ?? null,
    acl: o.acl ?? null,
    sse: o.sse ?? null,
    sseKmsKeyId: o.sseKmsKeyId ?? null,
    sseC: o.sseC === true,
    ifExists: o.ifExists ?? 'overwrite',
  };
}

/**
 * The jobs as they are. A job stored as 'uploading' while no engine owns the data directory was left
 * so by a process that died or stopped: it is shown as 'queued', which is what the next `ferry run`
 * makes of it (the store itself is not touched, so this never races a starting upload). `show` is
 * given the jobs one at a time, oldest first, and the retry a running job waits for. Whether an
 * engine runs is asked at the first 'uploading' job, if there is one.
 */
async function withCurrentJobs<R>(
  ctx: Context,
  show: (jobs: Iterable<Job>, retryOf: (id: string) => JobRetry | undefined) => R | Promise<R>,
): Promise<R> {
  const store = JobStore.open(ctx.dataDir);
  let running: boolean | undefined;
  let retries = new Map<string, JobRetry>();
  const engineRunning = (): boolean => {
    if (running === undefined) {
      try {
        acquireDataDirLock(ctx.dataDir).release();
        running = false;
      } catch (error) {
        if (!(error instanceof EngineLockedError)) throw error;
        running = true;
        retries = store.loadRetries();
      }
    }
    return running;
  };
  function* current(): Generator<Job, void, undefined> {
    for (const job of store.eachJob()) {
      if (job.state !== 'uploading' || engineRunning()) yield job;
      // what the next engine's open does to it (Engine: interrupt), through the state machine
      else yield { ...job, state: transition(job.state, 'interrupt') };
    }
  }
  try {
    return await show(current(), (id) => retries.get(id));
  } finally {
    store.close();
  }
}

/** "retrying in 8 s: cannot reach the endpoint (attempt 3)" for the table, or the error. */
function note(job: Job, retry: JobRetry | undefined): string {
  if (job.state === 'uploading' && retry) {
    const text = describeRetry(retry, Date.now());
    return text.charAt(0).toLowerCase() + text.slice(1);
  }
  if (isWaitingForAnswer(job)) return `${job.error!.message} Answer in the window.`;
  return job.error?.message ?? (job.skipped ? 'skipped: the key exists' : '');
}

/**
 * Writes `items` as the pretty JSON array JSON.stringify(array, null, 2) would give, a thousand at a
 * time as they come, waiting for the stream to drain: 100,000 jobs never become one 60 MB string, nor
 * 100,000 objects, in memory. Each thousand is one JSON.stringify of an array (its items come out
 * indented as they are in the whole array), not a thousand of them with their lines indented again
 * afterwards (issue #14).
 */
async function writeJsonArray<T, J>(stream: NodeJS.WritableStream, items: Iterable<T>, toJson: (item: T) => J): Promise<void> {
  const CHUNK = 1000;
  let first = true;
  let chunk: J[] = [];
  const write = async () => {
    // "[\n  {...},\n  {...}\n]": the items as they are inside the whole array
    const inner = JSON.stringify(chunk, null, 2).slice(2, -2);
    chunk = [];
    const piece = `${first ? '[\n' : ',\n'}${inner}`;
    first = false;
    if (!stream.write(piece)) await new Promise((resolve) => stream.once('drain', resolve));
  };
  for (const item of items) {
    chunk.push(toJson(item));
    if (chunk.length === CHUNK) await write();
  }
  if (chunk.length > 0) await write();
  line(stream, first ? '[]' : '\n]');
}

export async function listJobs(ctx: Context, options: { json?: boolean }): Promise<number> {
  const registry = openRegistry(ctx);
  try {
    const names = new Map(registry.list().map((e) => [e.id, e.name]));
    if (options.json) {
      await withCurrentJobs(ctx, (jobs, retryOf) =>
        writeJsonArray(ctx.io.stdout, jobs, (job: Job): JobJson => ({
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
          options: optionsJson(job.options),
          skipped: job.skipped === true,
          waitingForAnswer: isWaitingForAnswer(job),
          retry: retryJson(job.state === 'uploading' ? retryOf(job.id) : undefined),
          batchId: job.batchId,
        })),
      );
      return EXIT.ok;
    }
    const { jobs, retryOf } = await withCurrentJobs(ctx, (jobs, retryOf) => ({ jobs: [...jobs], retryOf }));
    if (jobs.length === 0) {
      line(ctx.io.stdout, 'No jobs. Upload with: ferry upload PATH s3://BUCKET/KEY --endpoint NAME');
    } else {
      const rows: string[][] = [['ID', 'STATE', 'DONE', 'SIZE', 'DESTINATION', 'ERROR']];
      for (const group of groupByBatch(jobs)) {
        const indent = group.length > 1 ? '  ' : '';
        if (group.length > 1) rows.push(batchRow(group));
        for (const job of group)
          rows.push([
            indent + job.id.slice(0, 8),
            isWaitingForAnswer(job) ? 'waiting for an answer' : job.state,
            percentDone(job.bytesDone, job.size, job.state === 'completed'),
            formatBytes(job.size),
            `${names.get(job.endpointId) ?? '?'}:s3://${job.bucket}/${job.key}`,
            note(job, retryOf(job.id)),
          ]);
      }
      line(ctx.io.stdout, table(rows));
    }
    return EXIT.ok;
  } finally {
    registry.close();
  }
}

function retryJson(retry: JobRetry | undefined): JobJson['retry'] {
  if (!retry) return null;
  const { attempt, maxAttempts, nextRetryAt, error } = retry;
  return { attempt, maxAttempts, nextRetryAt, error: { code: error.code, message: error.message } };
}

function percentDone(done: number, size: number, completed: boolean): string {
  if (size === 0) return completed ? '100%' : '0%';
  return `${Math.floor((done / size) * 100)}%`;
}

/** Jobs in order, the jobs of one batch together (at the place of its first job). */
export function groupByBatch(jobs: readonly Job[]): Job[][] {
  const groups: Job[][] = [];
  const byBatch = new Map<string, Job[]>();
  for (const job of jobs) {
    if (job.batchId === null) {
      groups.push([job]);
      continue;
    }
    let group = byBatch.get(job.batchId);
    if (!group) {
      group = [];
      byBatch.set(job.batchId, group);
      groups.push(group);
    }
    group.push(job);
  }
  return groups;
}

/** A batch's line: its name, "3 of 12 files", bytes, and a state summary. */
function batchRow(group: readonly Job[]): string[] {
  const size = group.reduce((sum, job) => sum + job.size, 0);
  const done = group.reduce((sum, job) => sum + (job.state === 'completed' ? job.size : job.bytesDone), 0);
  const completed = group.filter((job) => job.state === 'completed').length;
  const states = new Map<string, number>();
  for (const job of group) if (job.state !== 'completed') states.set(job.state, (states.get(job.state) ?? 0) + 1);
  const summary = [...states].map(([state, n]) => `${n} ${state}`).join(', ');
  return [
    `${group[0]!.batchName ?? 'batch'}/`,
    `${completed} of ${group.length} files`,
    percentDone(done, size, completed === group.length),
    formatBytes(size),
    '',
    summary,
  ];
}

const DONE: Record<ControlAction, string> = {
  pause: 'Paused',
  resume: 'Resumed',
  abort: 'Aborted',
  retry: 'Queued again',
  restart: 'Started over',
  changed: 'Queued, sending only what changed,',
};

/**
 * `ferry pause|resume|abort|retry`. The engine that owns the data directory carries it out: this
 * process's own, or, while another process owns it (`ferry upload` or `ferry run` in another
 * terminal, `ferry serve`, the desktop app), that one's through the control channel, where it acts
 * at once (a pause stops the running requests there). If that one does not answer, the lock's
 * message, naming it, stands.
 */
export async function control(ctx: Context, action: ControlAction, ids: string[], options: { all?: boolean }): Promise<number> {
  if (options.all && ids.length > 0) throw new UsageError(`Give job ids or --all, not both.`);
  if (!options.all && ids.length === 0) throw new UsageError(`Name the jobs to ${action} (ids from ferry jobs), or --all.`);
  const targets = options.all ? null : ids;
  const owned = await engineOrOwner(ctx, action, targets);
  if ('reply' in owned) {
    report(ctx, action, owned.reply, true);
    return EXIT.ok;
  }
  const { engine, registry } = owned;
  try {
    report(ctx, action, await engine.command(action, targets), false);
    return EXIT.ok;
  } finally {
    await engine.close();
    registry.close();
  }
}

/**
 * This process's engine on the data directory, or, while another process owns it, that one's answer
 * to `action` through the control channel. If the owner does not answer, the lock's message, naming
 * it, stands.
 */
export async function engineOrOwner(
  ctx: Context,
  action: ControlAction,
  targets: string[] | null,
): Promise<{ engine: Engine; registry: EndpointRegistry } | { reply: ControlReply }> {
  const registry = openRegistry(ctx);
  try {
    return { engine: await openEngine(ctx, registry), registry };
  } catch (error) {
    registry.close();
    if (!(error instanceof EngineLockedError)) throw error;
    try {
      return { reply: await sendControl(ctx.dataDir, action, targets) };
    } catch (sendError) {
      if (sendError instanceof FerryError && sendError.code === 'ENGINE_LOCKED') throw error;
      throw sendError;
    }
  }
}

function report(ctx: Context, action: ControlAction, done: { ids: string[]; notStarted: string[] }, elsewhere: boolean): void {
  const count = done.ids.length;
  line(ctx.io.stdout, `${DONE[action]} ${count} job${count === 1 ? '' : 's'}${elsewhere ? ' (in the running Ferry process)' : ''}.`);
  const n = done.notStarted.length;
  if (n === 0) return;
  if (!elsewhere) line(ctx.io.stderr, 'Upload them with: ferry run');
  else
    line(
      ctx.io.stderr,
      `${n} of them ${n === 1 ? 'is' : 'are'} queued but not part of the running upload; upload ${n === 1 ? 'it' : 'them'} with: ferry run (after it ends)`,
    );
}
