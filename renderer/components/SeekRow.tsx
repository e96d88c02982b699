/**
 * A light row shown while the list scrolls fast (fastScroll.ts): a job's or a batch's name, its
 * progress bar and its status (and a batch's files done), and nothing to press. It reads what it
 * shows from its props, which the list takes from the store as it draws, in the full rows' words
 * (format.ts): no subscription of its own, a few elements, and the same row height and columns as a
 * full row, which replaces it when the list slows down.
 */
import type { JobState } from '../../shared/job.ts';
import type { FerryState } from '../store/store.ts';
import { groupState, groupStats } from '../store/selectors.ts';
import { groupFilesText, groupStatusWords, jobStatusWords, percent } from '../format.ts';

export interface SeekRowContent {
  name: string;
  /** The second line: the files done of a batch (a job's row has none: one text less to lay out a frame). */
  detail: string | null;
  state: JobState;
  value: number;
  status: string;
}

/** What a light row shows for the list's entry `entry` (`g:BATCH`, `j:ID` or `c:ID`, selectors.ts). */
export function seekRowContent(state: FerryState, entry: string): SeekRowContent | null {
  const id = entry.slice(2);
  if (entry.startsWith('g:')) {
    const stats = groupStats(state, id);
    return {
      name: stats.name,
      detail: groupFilesText(stats),
      state: groupState(stats),
      value: percent(stats.bytesDone, stats.size, stats.completed === stats.files),
      status: groupStatusWords(stats),
    };
  }
  const job = state.jobs.get(id);
  if (!job) return null;
  return {
    name: job.name,
    detail: null,
    state: job.state,
    value: percent(job.bytesDone, job.size, job.state === 'completed'),
    status: jobStatusWords(job, state.pending.get(id) ?? null),
  };
}

// not memoised: its content is new at every frame it is drawn in
export function SeekRow({ index, top, child, content }: { index: number; top: number; child: boolean; content: SeekRowContent }) {
  return (
    <div
      role="row"
      aria-label={content.name}
      aria-rowindex={index + 2}
      className={`job-row seek-row${child ? ' child' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
    >
      <div role="cell" className="cell cell-name">
        <div className="two-lines">
          <div className="job-name">{content.name}</div>
          {content.detail !== null && <div className="job-destination">{content.detail}</div>}
        </div>
      </div>
      <div role="cell" className="cell cell-progress">
        <div className={`progress progress-${content.state}`}>
          <div className="progress-fill" style={{ transform: `scaleX(${content.value / 100})` }} />
        </div>
      </div>
      <div role="cell" className="cell cell-state">
        <span className={`state-dot state-${content.state}`} aria-hidden="true" />
        {content.status}
      </div>
    </div>
  );
}
