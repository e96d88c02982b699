/**
 * The row's question when its key exists and the window's if-exists asks (issue #12), the way
 * Cyberduck's transfer prompt does: Replace, Skip or Keep both (upload as "name (1).ext"), with
 * "Apply to the rest of this drop" for a batch of several files. Nothing is replaced without an answer.
 */
import { useState } from 'react';
import { EXISTS_ANSWERS, EXISTS_ANSWER_WORDS, type ExistsAnswer } from '../../shared/existsAnswer.ts';
import type { JobEntry } from '../store/jobsSlice.ts';
import { useActions, useFerry } from '../store/hooks.ts';
import { selectBatches } from '../store/selectors.ts';

const ANSWER_TITLES: { readonly [A in ExistsAnswer]: string } = {
  overwrite: 'Replace the object in the bucket with this file',
  skip: 'Leave the object as it is and do not upload this file',
  rename: 'Keep the object and upload this file as "name (1).ext"',
};

export function ExistsPrompt({ job }: { job: Pick<JobEntry, 'id' | 'name' | 'key' | 'batchId' | 'error'> }) {
  const actions = useActions();
  const inBatch = useFerry((state) => (job.batchId === null ? 1 : (selectBatches(state).get(job.batchId)?.length ?? 1)));
  const [wholeBatch, setWholeBatch] = useState(false);
  const [sent, setSent] = useState(false);
  async function answer(choice: ExistsAnswer) {
    setSent(true);
    await actions.answerExists([job.id], choice, wholeBatch && inBatch > 1);
    setSent(false);
  }
  return (
    <div className="exists-prompt" role="group" aria-label={`${job.name} exists: what to do`}>
      <span className="exists-text" title={job.error?.message}>
        {job.key} exists. Replace it?
      </span>
      <span className="exists-answers">
        {EXISTS_ANSWERS.map((choice) => (
          <button
            key={choice}
            type="button"
            className={`button small${choice === 'rename' ? ' primary' : ''}`}
            title={ANSWER_TITLES[choice]}
            disabled={sent}
            onClick={() => void answer(choice)}
          >
            {EXISTS_ANSWER_WORDS[choice]}
          </button>
        ))}
      </span>
      {inBatch > 1 ? (
        <label className="exists-batch">
          <input type="checkbox" checked={wholeBatch} onChange={(event) => setWholeBatch(event.target.checked)} />
          Apply to the rest of this drop
        </label>
      ) : null}
    </div>
  );
}
