/**
 * The window's if-exists prompt (issue #12): a job whose options say `ifExists: 'ask'` and whose key
 * is taken does not overwrite it; it pauses with an ANSWER_NEEDED error, kept in the store like any
 * paused job, and its row asks "Replace, Skip, Keep both (rename)", as Cyberduck's transfer prompt
 * does. The answer becomes the job's if-exists mode and the job is queued again; "apply to the rest
 * of this drop" gives the same answer to every job of its batch that would still ask.
 *
 * ```
 *   uploading ──(key taken, ask)──▶ paused + ANSWER_NEEDED ──answer──▶ queued (ifExists = the answer)
 * ```
 * Pure: the engine applies it (main/engine/existsQuestion.ts), the window and `ferry jobs` read it.
 */
import type { Job } from './job.ts';

/** What a person may answer: Replace, Skip, Keep both. */
export const EXISTS_ANSWERS = ['overwrite', 'skip', 'rename'] as const;
export type ExistsAnswer = (typeof EXISTS_ANSWERS)[number];

/** The answers as the row's buttons name them. */
export const EXISTS_ANSWER_WORDS: { readonly [A in ExistsAnswer]: string } = {
  overwrite: 'Replace',
  skip: 'Skip',
  rename: 'Keep both',
};

/** True for a job that waits for the person to say what to do with the object at its key. */
export function isWaitingForAnswer(job: Pick<Job, 'state' | 'error'>): boolean {
  return job.state === 'paused' && job.error?.code === 'ANSWER_NEEDED';
}

/** A job that would still ask: its mode is `ask` and it is not done. */
function wouldAsk(job: Pick<Job, 'state' | 'options'>): boolean {
  return job.options?.ifExists === 'ask' && job.state !== 'completed' && job.state !== 'aborted';
}

/**
 * The jobs an answer applies to: the `named` jobs that wait for one and, with `wholeBatch`, every
 * job of their batches that would still ask (waiting now, queued, or uploading before its check).
 * `resume`: those waiting, to queue again; `set`: every job whose mode becomes the answer.
 */
export function answerTargets<J extends Pick<Job, 'id' | 'state' | 'error' | 'options' | 'batchId'>>(
  all: Iterable<J>,
  named: readonly J[],
  wholeBatch: boolean,
): { set: J[]; resume: J[] } {
  const chosen = new Map<string, J>();
  for (const job of named) if (isWaitingForAnswer(job)) chosen.set(job.id, job);
  if (wholeBatch) {
    const batches = new Set(named.map((job) => job.batchId).filter((id): id is string => id !== null));
    for (const job of all) if (job.batchId !== null && batches.has(job.batchId) && wouldAsk(job)) chosen.set(job.id, job);
  }
  const set = [...chosen.values()];
  return { set, resume: set.filter(isWaitingForAnswer) };
}
