// The window's if-exists prompt (issue #12), its pure parts: which jobs wait for an answer, which an
// answer reaches (one job, or the rest of its drop), and that the CLI takes no `ask`.
import { describe, expect, it } from 'vitest';
import { answerTargets, isWaitingForAnswer } from '../../shared/existsAnswer.ts';
import { endpointDefaultsSchema, uploadOptionsSchema } from '../../shared/uploadOptions.ts';
import { parseObjectFlags } from '../../main/cli/uploadFlags.ts';
import { job } from './jobFixture.ts';

const question = { code: 'ANSWER_NEEDED' as const, message: 's3://b/k exists', retryable: false };

describe('the if-exists question', () => {
  it('a paused job with ANSWER_NEEDED waits for an answer; a paused job otherwise does not', () => {
    expect(isWaitingForAnswer(job({ state: 'paused', error: question }))).toBe(true);
    expect(isWaitingForAnswer(job({ state: 'paused' }))).toBe(false);
    expect(isWaitingForAnswer(job({ state: 'failed', error: question }))).toBe(false);
  });

  it('an answer for one job reaches that job alone', () => {
    const waiting = job({ state: 'paused', error: question, batchId: 'd', options: { ifExists: 'ask' } });
    const sibling = job({ state: 'paused', error: question, batchId: 'd', options: { ifExists: 'ask' } });
    const { set, resume } = answerTargets([waiting, sibling], [waiting], false);
    expect(set).toEqual([waiting]);
    expect(resume).toEqual([waiting]);
  });

  it('"the rest of this drop" reaches every job of the batch that would still ask, and only those', () => {
    const ask = { ifExists: 'ask' as const };
    const waiting = job({ state: 'paused', error: question, batchId: 'd', options: ask });
    const queued = job({ state: 'queued', batchId: 'd', options: ask });
    const running = job({ state: 'uploading', batchId: 'd', options: ask });
    const done = job({ state: 'completed', batchId: 'd', options: ask });
    const overwrite = job({ state: 'queued', batchId: 'd', options: { ifExists: 'overwrite' } });
    const otherDrop = job({ state: 'paused', error: question, batchId: 'e', options: ask });
    const all = [waiting, queued, running, done, overwrite, otherDrop];
    const { set, resume } = answerTargets(all, [waiting], true);
    expect(set.map((j) => j.id).sort()).toEqual([waiting, queued, running].map((j) => j.id).sort());
    expect(resume).toEqual([waiting]);
  });

  it('jobs take `ask`; the command line and endpoint defaults do not', () => {
    expect(uploadOptionsSchema.safeParse({ ifExists: 'ask' }).success).toBe(true);
    expect(endpointDefaultsSchema.safeParse({ ifExists: 'ask' }).success).toBe(false);
    expect(() => parseObjectFlags({ ifExists: 'ask' })).toThrow(
      '--if-exists must be one of overwrite, skip, skip-identical, rename, fail, not "ask".',
    );
    expect(parseObjectFlags({ ifExists: 'rename' }).options.ifExists).toBe('rename');
  });
});
