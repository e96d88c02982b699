/**
 * `ferry upload` while `ferry serve` or the desktop app owns the data directory (issue #13): the jobs
 * go to that process through the control channel (main/engine/control.ts, main/host/handoff.ts) and
 * appear in its window; without --detach this command follows them there, drawing the same progress
 * as for its own jobs, and ends with the same exit codes: 0 all completed, 1 one failed, 130 paused or
 * aborted before the end (Ctrl-C here pauses them in the owner, as it pauses this command's own).
 *
 * Following is polling: every POLL_MS the status rows of the jobs not yet ended, turned into the
 * engine's events for the ProgressReporter. The owner stopping ends the following (130: the jobs
 * resume when it, or `ferry run`, starts again).
 */
import { formatDuration } from '../../shared/time.ts';
import { EngineLockedError, FerryError } from '../../shared/errors.ts';
import type { JobState } from '../../shared/job.ts';
import { formatBytes } from '../../shared/partPlan.ts';
import { sendControl, sendHandoff } from '../engine/control.ts';
import { ADD_CHUNK, STATUS_CHUNK, addReplySchema, statusReplySchema, type HandoffAdd, type StatusRow } from '../host/handoff.ts';
import { EXIT, line } from './output.ts';
import { ProgressReporter, type ReporterEvent, type ReporterSource } from './progress.ts';
import type { Context } from './context.ts';

const POLL_MS = 300;

/** States after which this command stops following a job (as `ferry upload` stops once its engine is idle). */
const ENDED: ReadonlySet<JobState> = new Set(['completed', 'failed', 'aborted', 'paused']);

export interface Handoff {
  /** The jobs, every file of the command (sent ADD_CHUNK at a time). */
  add: HandoffAdd;
  sseCKey?: string;
  detach: boolean;
  /** Entries of the command line that were not files (already said on stderr). */
  skipped: number;
  /** "s3://bucket/key on NAME", for the first line. */
  destination: string;
}

function parseData<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new FerryError('UNKNOWN', 'The running Ferry process gave an answer this command does not understand.');
  return parsed.data;
}

/**
 * Hands the jobs of `ferry upload` to the owner of the data directory. `locked` is the lock's
 * refusal: it stands when the owner takes no jobs (another `ferry upload`, an owner without a channel).
 */
export async function handOff(ctx: Context, handoff: Handoff, locked: EngineLockedError, addChunk = ADD_CHUNK): Promise<number> {
  /** Who took the jobs: "ferry serve (process 1234)", from its first answer. */
  let owner = 'the Ferry process that owns the data directory';
  const rows: StatusRow[] = [];
  const files = handoff.add.files;
  for (let start = 0; start < files.length; start += addChunk) {
    const add: HandoffAdd = { ...handoff.add, files: files.slice(start, start + addChunk) };
    let reply;
    try {
      reply = await sendHandoff(ctx.dataDir, 'add', {
        payload: JSON.stringify(add),
        ...(handoff.sseCKey === undefined ? {} : { secret: handoff.sseCKey }),
      });
    } catch (error) {
      // nobody takes jobs: the lock's message, naming the owner, as before
      if (start === 0 && error instanceof FerryError && error.code === 'ENGINE_LOCKED') throw locked;
      if (start > 0 && error instanceof FerryError)
        throw new FerryError(error.code, `${error.message} (${start} of ${files.length} files were handed to ${owner} already)`);
      throw error;
    }
    const data = parseData(addReplySchema, reply.data);
    if (start === 0) {
      owner = `${data.owner} (process ${data.pid})`;
      for (const warning of data.warnings) line(ctx.io.stderr, `warning: ${warning}`);
    }
    rows.push(...data.jobs);
  }
  const total = rows.reduce((sum, row) => sum + row.size, 0);
  const count = `${rows.length} file${rows.length === 1 ? '' : 's'} (${formatBytes(total)})`;
  if (handoff.detach) {
    for (const row of rows) line(ctx.io.stdout, row.id);
    line(ctx.io.stderr, `Handed ${count} to ${owner}, which owns the data directory: it uploads them now. See them with: ferry jobs`);
    return EXIT.ok;
  }
  return follow(
    ctx,
    owner,
    rows,
    handoff.skipped,
    `Uploading ${count} to ${handoff.destination} through ${owner}, which owns the data directory (its window shows them too; Ctrl-C pauses them there)`,
  );
}

/** The owner's current rows of `ids` (those it no longer has are left out); ENGINE_LOCKED when it stopped. */
async function poll(ctx: Context, ids: readonly string[]): Promise<StatusRow[]> {
  const rows: StatusRow[] = [];
  for (let start = 0; start < ids.length; start += STATUS_CHUNK) {
    const reply = await sendHandoff(ctx.dataDir, 'status', { ids: ids.slice(start, start + STATUS_CHUNK) }, 30_000);
    rows.push(...parseData(statusReplySchema, reply.data).jobs);
  }
  return rows;
}

/** The events that turn `before` into `after`, for the progress reporter. */
function changes(before: StatusRow, after: StatusRow): ReporterEvent[] {
  const events: ReporterEvent[] = [];
  if (after.bytesDone !== before.bytesDone)
    events.push({ type: 'progress', jobId: after.id, bytesDone: after.bytesDone, bytesPerSecond: 0 });
  if (after.retry && (after.retry.attempt !== before.retry?.attempt || after.retry.nextRetryAt !== before.retry?.nextRetryAt)) {
    const error = { ...after.retry.error, retryable: true };
    const delayMs = Math.max(0, after.retry.nextRetryAt - Date.now());
    events.push({ type: 'retrying', jobId: after.id, error, attempt: after.retry.attempt, delayMs, retry: after.retry });
  } else if (!after.retry && before.retry) events.push({ type: 'retry-cleared', jobId: after.id });
  if (after.state !== before.state) events.push({ type: 'job-changed', job: after });
  return events;
}

/** Follows `first` in the owner to their end; `opening` is said once Ctrl-C is this command's to handle. */
async function follow(ctx: Context, owner: string, first: readonly StatusRow[], skipped: number, opening: string): Promise<number> {
  const listeners = new Set<(event: ReporterEvent) => void>();
  const source: ReporterSource = {
    events: {
      on(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
  };
  const latest = new Map(first.map((row) => [row.id, row]));
  /** Jobs the owner no longer has (cleared in its window). */
  const removed = new Set<string>();
  const apply = (rows: readonly StatusRow[], asked: readonly string[]) => {
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.id);
      const before = latest.get(row.id);
      if (!before) continue;
      latest.set(row.id, row);
      for (const event of changes(before, row)) for (const listener of listeners) listener(event);
    }
    for (const id of asked) if (!seen.has(id)) removed.add(id);
  };
  const following = () => [...latest.values()].filter((row) => !ENDED.has(row.state) && !removed.has(row.id)).map((row) => row.id);

  let interrupted = false;
  let ownerGone: FerryError | null = null;
  let wake: () => void = () => undefined;
  const onSignal = () => {
    if (interrupted) {
      line(ctx.io.stderr, `\nferry: stopped following; what was not paused yet goes on in ${owner}.`);
      process.exit(EXIT.interrupted);
    }
    interrupted = true;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  line(ctx.io.stderr, opening);
  const reporter = new ProgressReporter<StatusRow>(ctx.io, source, first);
  try {
    while (!interrupted) {
      const ids = following();
      if (ids.length === 0) break;
      try {
        apply(await poll(ctx, ids), ids);
      } catch (error) {
        if (!(error instanceof FerryError)) throw error;
        // a slow answer is not the end; a channel gone is
        if (error.code !== 'TIMEOUT') {
          ownerGone = error;
          break;
        }
      }
      if (interrupted || following().length === 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (interrupted && ownerGone === null) {
      reporter.interrupt();
      line(ctx.io.stderr, `Pausing uploads in ${owner} (press Ctrl-C again to stop following at once)...`);
      const live = following();
      if (live.length > 0) {
        try {
          await sendControl(ctx.dataDir, 'pause', live);
          apply(
            await poll(
              ctx,
              [...latest.keys()].filter((id) => !removed.has(id)),
            ),
            [],
          );
        } catch (error) {
          if (!(error instanceof FerryError)) throw error;
          ownerGone = error;
        }
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const final = reporter.stop().map((row) => latest.get(row.id) ?? row);
  return summarize(ctx, owner, final, { interrupted, ownerGone, removed, skipped, seconds: reporter.elapsedSeconds() });
}

/** The closing lines and the exit code, as `work` in transfer.ts says them for this command's own jobs. */
function summarize(
  ctx: Context,
  owner: string,
  final: readonly StatusRow[],
  how: { interrupted: boolean; ownerGone: FerryError | null; removed: ReadonlySet<string>; skipped: number; seconds: number },
): number {
  const say = (text: string) => line(ctx.io.stderr, text);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const completed = final.filter((row) => row.state === 'completed');
  const failed = final.filter((row) => row.state === 'failed');
  const paused = final.filter((row) => row.state === 'paused' && !how.removed.has(row.id));
  const aborted = final.filter((row) => row.state === 'aborted' && !how.removed.has(row.id));
  const unfinished = final.filter((row) => !ENDED.has(row.state) && row.state !== 'aborted' && !how.removed.has(row.id));
  const resumeHint = (rows: readonly StatusRow[]) =>
    `Continue with: ferry resume ${rows.length <= 5 ? rows.map((row) => row.id.slice(0, 8)).join(' ') : '--all'} (or Resume in the window)`;
  if (completed.length > 0) {
    const bytes = completed.reduce((sum, row) => sum + row.size, 0);
    say(
      `Uploaded ${completed.length} of ${plural(final.length, 'file')} (${formatBytes(bytes)}) in ${formatDuration(how.seconds)}${how.seconds > 0 ? `, ${formatBytes(bytes / how.seconds)}/s` : ''}.`,
    );
  }
  if (how.skipped > 0)
    say(
      `Skipped ${how.skipped} entr${how.skipped === 1 ? 'y' : 'ies'} that ${how.skipped === 1 ? 'is' : 'are'} not a file (listed above).`,
    );
  if (how.ownerGone) {
    // the channel gone (ENGINE_LOCKED) is the owner stopping; another refusal (a forged answer) is said as it is
    const why = how.ownerGone.code === 'ENGINE_LOCKED' ? `${owner} stopped` : how.ownerGone.message.replace(/\.$/, '');
    say(
      `Stopped following: ${why}.${unfinished.length > 0 ? ` ${plural(unfinished.length, 'upload')} not finished ${unfinished.length === 1 ? 'goes' : 'go'} on when Ferry next starts on this data directory (ferry run, ferry serve or the app).` : ''}`,
    );
    return failed.length > 0 ? EXIT.failed : EXIT.interrupted;
  }
  if (how.interrupted) {
    say(
      `Paused ${plural(paused.length, 'upload')} in ${owner}; parts already sent are kept. ${paused.length > 0 ? resumeHint(paused) : ''}`.trimEnd(),
    );
    return EXIT.interrupted;
  }
  if (paused.length > 0) {
    const diskFull = paused.find((row) => row.error?.code === 'DISK_FULL');
    say(
      `${diskFull ? `${diskFull.error!.message} ` : ''}${plural(paused.length, 'upload')} ${paused.length === 1 ? 'was' : 'were'} paused in ${owner}; parts already sent are kept. ${resumeHint(paused)}`,
    );
  }
  if (aborted.length > 0) say(`${plural(aborted.length, 'upload')} ${aborted.length === 1 ? 'was' : 'were'} aborted in ${owner}.`);
  if (how.removed.size > 0)
    say(`${plural(how.removed.size, 'upload')} ${how.removed.size === 1 ? 'was' : 'were'} removed from the list in ${owner}.`);
  if (failed.length > 0) {
    say(`${plural(failed.length, 'upload')} failed:`);
    for (const row of failed) say(`  ${row.id.slice(0, 8)}  ${row.path}: ${row.error?.message ?? 'unknown error'}`);
    const restart = failed.filter((row) => row.error?.restart).map((row) => row.id.slice(0, 8));
    if (restart.length < failed.length) say('After fixing the cause: ferry retry JOB_ID... (the running Ferry uploads it again)');
    if (restart.length > 0) say(`To upload again from the start: ferry retry --restart ${restart.join(' ')}`);
    return EXIT.failed;
  }
  if (paused.length > 0 || aborted.length > 0 || how.removed.size > 0) return EXIT.interrupted;
  return EXIT.ok;
}
