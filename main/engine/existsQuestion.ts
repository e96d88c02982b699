/**
 * The engine's side of the window's if-exists prompt (shared/existsAnswer.ts, issue #12): the error
 * a run ends with when the key is taken and the job's mode is `ask`, and an answer applied to jobs.
 * The engine pauses a job that ends with the question (its UploadId, if any, is kept), and queues it
 * again once answered; nothing is written to the key before that.
 */
import { FerryError } from '../../shared/errors.ts';
import { answerTargets, type ExistsAnswer } from '../../shared/existsAnswer.ts';
import { findJobs, type Job } from '../../shared/job.ts';

/** The run's end when the key is taken and the job asks: the engine pauses the job with it. */
export function existsQuestion(bucket: string, key: string, how = 'exists'): FerryError {
  return new FerryError('ANSWER_NEEDED', `s3://${bucket}/${key} ${how}: replace it, skip this file, or keep both (upload as a new name)?`);
}

/** What the engine lends answerExists: its jobs, a way to store a changed one, and resume. */
export interface AnswerHost {
  jobs(): Job[];
  /** Stores a job whose options changed and tells the hosts. */
  save(job: Job): void;
  /** Queues paused jobs again (Engine.resume); returns the ids queued. */
  resume(ids: string[]): string[];
}

/**
 * Gives `answer` to the jobs of `ids` that wait for one (and, with `wholeBatch`, to every job of
 * their batches that would still ask): their mode becomes the answer, stored before they run, and
 * those waiting are queued again. A single job that does not wait for an answer is refused in words.
 * Returns the ids queued.
 */
export function answerExists(host: AnswerHost, ids: readonly string[], answer: ExistsAnswer, wholeBatch: boolean): string[] {
  const all = host.jobs();
  const named = findJobs(all, ids);
  const { set, resume } = answerTargets(all, named, wholeBatch);
  if (set.length === 0 && named.length === 1) {
    throw new FerryError('INVALID_TRANSITION', `${named[0]!.path} does not wait for an answer (it is ${named[0]!.state}).`);
  }
  for (const job of set) {
    job.options = { ...job.options, ifExists: answer };
    if (job.error?.code === 'ANSWER_NEEDED') job.error = null;
    host.save(job);
  }
  return host.resume(resume.map((job) => job.id));
}
