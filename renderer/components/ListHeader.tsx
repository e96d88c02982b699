/**
 * Above the list: the filter tabs with their counts, and the transfer summary
 * (total speed, what remains, and when it will be done).
 */
import { useRef, type KeyboardEvent } from 'react';
import { useActions, useFerry, useFerryShallow } from '../store/hooks.ts';
import { selectCounts, selectTotals } from '../store/selectors.ts';
import { JOB_FILTERS, type JobFilter } from '../store/uiSlice.ts';
import { formatBytes, formatDuration, formatSpeed } from '../format.ts';
import { UploadIcon } from './icons.tsx';
import { RetryNote } from './RetryNote.tsx';

const FILTER_LABEL: Record<JobFilter, string> = {
  all: 'All',
  active: 'Active',
  paused: 'Paused',
  failed: 'Failed',
  completed: 'Completed',
};

export const LIST_ID = 'upload-list';

export function FilterTabs() {
  const filter = useFerry((state) => state.filter);
  const counts = useFerryShallow(selectCounts);
  const actions = useActions();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);

  // Arrow keys move between tabs (and choose), as in a native segmented control.
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const index = JOB_FILTERS.indexOf(filter);
    let next: number;
    if (event.key === 'ArrowRight') next = (index + 1) % JOB_FILTERS.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + JOB_FILTERS.length) % JOB_FILTERS.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = JOB_FILTERS.length - 1;
    else return;
    event.preventDefault();
    actions.setFilter(JOB_FILTERS[next]!);
    tabs.current[next]?.focus();
  }

  return (
    <div className="tabs" role="tablist" aria-label="Show" onKeyDown={onKeyDown}>
      {JOB_FILTERS.map((name, index) => (
        <button
          key={name}
          ref={(element) => {
            tabs.current[index] = element;
          }}
          type="button"
          role="tab"
          id={`tab-${name}`}
          aria-selected={filter === name}
          aria-controls={LIST_ID}
          tabIndex={filter === name ? 0 : -1}
          className={`tab${name === 'failed' && counts.failed > 0 ? ' has-failed' : ''}`}
          onClick={() => actions.setFilter(name)}
        >
          {FILTER_LABEL[name]} <span className="tab-count">{counts[name].toLocaleString('en-US')}</span>
        </button>
      ))}
    </div>
  );
}

export function TransferSummary() {
  const totals = useFerryShallow(selectTotals);
  const running = totals.uploading + totals.queued > 0;
  return (
    <section className="summary" aria-label="Transfer summary">
      {running ? (
        <>
          <UploadIcon className="summary-icon" />
          <span className="summary-item" title="Total speed">
            <span className="summary-label">Speed</span> <span className="summary-value">{formatSpeed(totals.bytesPerSecond)}</span>
          </span>
          <span className="summary-item" title="Bytes left to upload">
            <span className="summary-label">Remaining</span> <span className="summary-value">{formatBytes(totals.remainingBytes)}</span>
          </span>
          <span className="summary-item" title="Time left at this speed">
            <span className="summary-label">Time left</span> <span className="summary-value">{formatDuration(totals.etaSeconds)}</span>
          </span>
          {totals.nextRetry ? (
            <span className="summary-item summary-retry" role="status">
              {totals.retrying < totals.uploading ? `${totals.retrying} of ${totals.uploading} uploads: ` : ''}
              <RetryNote retry={totals.nextRetry} />
            </span>
          ) : null}
          <div
            className="summary-progress"
            role="progressbar"
            aria-label="Overall progress"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.floor(totals.fraction * 100)}
          >
            <div className="progress-fill" style={{ transform: `scaleX(${totals.fraction})` }} />
          </div>
        </>
      ) : (
        <span className="summary-idle">Nothing uploading</span>
      )}
    </section>
  );
}

export function ListHeader() {
  return (
    <div className="list-header">
      <FilterTabs />
      <div className="tool-spacer" />
      <TransferSummary />
    </div>
  );
}
