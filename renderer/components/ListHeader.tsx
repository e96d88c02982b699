/**
 * Above the list: the filter tabs with their counts, and the transfer summary
 * (total speed, what remains, and when it will be done).
 */
import { useRef, type KeyboardEvent } from 'react';
import { useActions, useFerry, useFerryShallow } from '../store/hooks.ts';
import { selectCounts, selectTotals } from '../store/selectors.ts';
import { JOB_FILTERS, type JobFilter, type SortKey } from '../store/uiSlice.ts';
import { etaSeconds } from '../../shared/speed.ts';
import { useMeteredSpeed } from './GroupRow.tsx';
import { formatBytes, formatDuration, formatSpeed } from '../format.ts';
import { UploadIcon } from './icons.tsx';
import { RetryNote } from './RetryNote.tsx';
import { BandwidthMenu } from './BandwidthMenu.tsx';

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

/** The search field: filters the list by name, key or batch as you type. */
export function SearchField() {
  const search = useFerry((state) => state.search);
  const actions = useActions();
  return (
    <input
      type="search"
      className="field search-field"
      placeholder="Search name or key"
      aria-label="Search uploads by name or key"
      value={search}
      onChange={(event) => actions.setSearch(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && search !== '') {
          event.preventDefault();
          event.stopPropagation();
          actions.setSearch('');
        }
      }}
    />
  );
}

const SORT_LABEL: Record<SortKey, string> = { added: 'Added', name: 'Name', size: 'Size', progress: 'Progress', status: 'Status' };

/** Sort order as a control that fits a narrow window (the column headers sort too). */
export function SortControl() {
  const sort = useFerry((state) => state.sort);
  const actions = useActions();
  return (
    <span className="sort-control">
      <select
        className="field"
        aria-label="Sort by"
        value={sort.key}
        onChange={(event) => {
          const key = event.target.value as SortKey;
          if (key !== sort.key) actions.sortBy(key);
        }}
      >
        {(Object.keys(SORT_LABEL) as SortKey[]).map((key) => (
          <option key={key} value={key}>
            {`Sort: ${SORT_LABEL[key]}`}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="icon-button"
        aria-label={sort.descending ? 'Descending order (switch to ascending)' : 'Ascending order (switch to descending)'}
        title={sort.descending ? 'Descending' : 'Ascending'}
        onClick={() => actions.sortBy(sort.key)}
      >
        <span aria-hidden="true">{sort.descending ? '↓' : '↑'}</span>
      </button>
    </span>
  );
}

export function TransferSummary() {
  const totals = useFerryShallow(selectTotals);
  const running = totals.uploading + totals.queued > 0;
  // speed over all bytes done, completed files included: a batch of small files has a speed too
  const speed = useMeteredSpeed(totals.bytesDoneAll, running, 'all');
  return (
    <section className="summary" aria-label="Transfer summary">
      <BandwidthMenu />
      {totals.files > 0 ? (
        <span className="summary-item" title="Files completed">
          <span className="summary-value">
            {totals.filesDone.toLocaleString('en-US')} of {totals.files.toLocaleString('en-US')} files
          </span>
        </span>
      ) : null}
      {running ? (
        <>
          <UploadIcon className="summary-icon" />
          <span className="summary-item" title="Total speed">
            <span className="summary-label">Speed</span> <span className="summary-value">{formatSpeed(speed)}</span>
          </span>
          <span className="summary-item" title="Bytes left to upload">
            <span className="summary-label">Remaining</span> <span className="summary-value">{formatBytes(totals.remainingBytes)}</span>
          </span>
          <span className="summary-item" title="Time left at this speed">
            <span className="summary-label">Time left</span>{' '}
            <span className="summary-value">{formatDuration(etaSeconds(totals.remainingBytes, speed))}</span>
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

/**
 * While a snapshot's pages arrive (renderer/store/syncSlice.ts): the counts, filters and groups are
 * of the uploads received so far, and this says how many of all those are.
 */
export function LoadingNote() {
  const loading = useFerryShallow((state) => state.jobsLoading);
  if (loading === null) return null;
  return (
    <span className="jobs-loading" role="status">
      Loading uploads… {loading.loaded.toLocaleString('en-US')} of {loading.total.toLocaleString('en-US')}
    </span>
  );
}

export function ListHeader() {
  return (
    <div className="list-header">
      <FilterTabs />
      <LoadingNote />
      <SearchField />
      <SortControl />
      <div className="tool-spacer" />
      <TransferSummary />
    </div>
  );
}
