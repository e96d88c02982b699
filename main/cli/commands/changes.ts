/**
 * `ferry retry --changed-only JOB_ID...` (issue #15): send only what changed in a job's file. An
 * unfinished job keeps its upload and sends the parts whose bytes differ from the server's; a
 * completed one uploads to the same key again, copying its unchanged parts from the object on the
 * server (main/engine/changes.ts). Runs at once, with progress, and says how much was sent. While
 * another process owns the data directory, that one does it (the control channel).
 */
import { formatBytes } from '../../../shared/partPlan.ts';
import type { Context } from '../context.ts';
import { EXIT, UsageError, line } from '../output.ts';
import { engineOrOwner } from './jobs.ts';
import { work } from './transfer.ts';

export async function changedOnly(ctx: Context, ids: string[], options: { all?: boolean; restart?: boolean }): Promise<number> {
  if (options.all) throw new UsageError('--changed-only needs the job ids (from ferry jobs), not --all.');
  if (options.restart) throw new UsageError('Give --changed-only or --restart, not both.');
  if (ids.length === 0) throw new UsageError('Name the jobs to send only what changed of (ids from ferry jobs).');
  const owned = await engineOrOwner(ctx, 'changed', ids);
  if ('reply' in owned) {
    const n = owned.reply.ids.length;
    line(ctx.io.stdout, `Queued ${n} job${n === 1 ? '' : 's'} in the running Ferry process, sending only what changed.`);
    return EXIT.ok;
  }
  const { engine, registry } = owned;
  try {
    const jobIds: string[] = [];
    for (const id of ids) {
      const { jobId, message } = await engine.sendChangesOnly(id);
      line(ctx.io.stderr, message);
      jobIds.push(jobId);
    }
    const jobs = jobIds.map((id) => engine.get(id)!);
    const code = await work(ctx, engine, jobs);
    const done = jobIds.map((id) => engine.get(id)!).filter((job) => job.state === 'completed');
    if (done.length > 0) {
      const size = done.reduce((sum, job) => sum + job.size, 0);
      const sent = engine.stats().bytesSent;
      line(
        ctx.io.stderr,
        `Sent ${formatBytes(sent)} (${sent} bytes) of ${formatBytes(size)} (${size} bytes); the rest was already on the server.`,
      );
    }
    return code;
  } finally {
    await engine.close();
    registry.close();
  }
}
