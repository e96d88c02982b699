/**
 * A batch of several files (a dropped folder, a multi-file drop, one `ferry upload`) as one row:
 * its name, "312 of 2,000 files", bytes done of total, speed, time left, one progress bar, a state
 * summary, and actions that apply to all its files. It expands into its files (rows of the same
 * virtualised list).
 */
import { memo, useRef, type MouseEvent, type Ref } from 'react';
import { SpeedMeter, etaSeconds } from '../../shared/speed.ts';
import { canApply, type JobAction } from '../store/jobsSlice.ts';
import { useActions, useFerry, useFerryStore } from '../store/hooks.ts';
import { groupState, groupStats, selectBatches, selectGroupSelection, shownMembers } from '../store/selectors.ts';
import { formatBytes, formatDuration, formatSpeed, groupFilesText, groupStatusWords, percent } from '../format.ts';
import { BroomIcon, ChevronIcon, FolderIcon, PauseIcon, PlayIcon, RetryIcon, StopIcon } from './icons.tsx';
import { RowActions, type RowAction } from './RowActions.tsx';

/**
 * Bytes per second from a running total of bytes done (completed files included), sampled at each
 * render: small files that finish between two progress ticks count too.
 */
export function useMeteredSpeed(bytesDone: number, active: boolean, owner: string): number {
  // a row that came to show another batch starts a meter of its own
  const meter = useRef<{ owner: string; meter: SpeedMeter } | null>(null);
  if (meter.current?.owner !== owner) meter.current = { owner, meter: new SpeedMeter(3000) };
  return sampleSpeed(meter.current.meter, bytesDone, active);
}

function sampleSpeed(meter: SpeedMeter, bytesDone: number, active: boolean): number {
  if (!active) {
    meter.reset();
    return 0;
  }
  return meter.sample(Date.now(), bytesDone);
}

export interface GroupRowProps {
  batchId: string;
  index: number;
  top: number;
  measure?: Ref<HTMLDivElement>;
}

export const GroupRow = memo(function GroupRow({ batchId, index, top }: GroupRowProps) {
  const stats = useFerry((state) => groupStats(state, batchId));
  const expanded = useFerry((state) => state.expanded.has(batchId));
  const selection = useFerry((state) => selectGroupSelection(state).get(batchId) ?? 'none');
  const store = useFerryStore();
  const actions = useActions();
  const active = stats.uploading + stats.queued > 0;
  const speed = useMeteredSpeed(stats.bytesDone, active, batchId);
  const value = percent(stats.bytesDone, stats.size, stats.completed === stats.files);
  const state = groupState(stats);

  function members(action: JobAction): string[] {
    const state = store.getState();
    return (selectBatches(state).get(batchId) ?? []).filter((id) => {
      const job = state.jobs.get(id);
      return job !== undefined && canApply(action, job);
    });
  }

  const rowActions: RowAction[] = [];
  if (stats.uploading + stats.queued > 0)
    rowActions.push({ label: 'Pause all', icon: <PauseIcon />, onSelect: () => void actions.pauseJobs(members('pause')) });
  if (stats.paused > 0)
    rowActions.push({ label: 'Resume all', icon: <PlayIcon />, onSelect: () => void actions.resumeJobs(members('resume')) });
  if (stats.failed > 0)
    rowActions.push({ label: 'Retry failed', icon: <RetryIcon />, onSelect: () => void actions.retryJobs(members('retry')) });
  if (stats.uploading + stats.queued + stats.paused + stats.failed > 0)
    rowActions.push({ label: 'Abort all…', icon: <StopIcon />, danger: true, onSelect: () => actions.askToAbort(members('abort')) });
  if (stats.completed + stats.aborted > 0)
    rowActions.push({ label: 'Remove finished', icon: <BroomIcon />, onSelect: () => void actions.clearJobs(members('clear')) });

  function toggleSelection() {
    const state = store.getState();
    const ids = selectBatches(state).get(batchId) ?? [];
    const next = new Set(state.selected);
    if (selection === 'all') for (const id of ids) next.delete(id);
    else for (const id of ids) next.add(id);
    actions.selectAll([...next]);
  }

  function onRowClick(event: MouseEvent<HTMLDivElement>) {
    if ((event.target as HTMLElement).closest('button, input, a, [role="menu"]')) return;
    actions.selectAll(shownMembers(store.getState(), batchId));
  }

  const filesText = groupFilesText(stats);
  return (
    <div
      role="row"
      aria-label={stats.name}
      aria-rowindex={index + 2}
      data-index={index}
      data-state={state}
      data-group=""
      className={`job-row group-row${selection === 'all' ? ' selected' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      onClick={onRowClick}
    >
      <div role="cell" className="cell cell-check">
        <input
          type="checkbox"
          aria-label={`Select all files of ${stats.name}`}
          checked={selection === 'all'}
          ref={(box) => {
            if (box) box.indeterminate = selection === 'some';
          }}
          onChange={toggleSelection}
        />
      </div>
      <div role="cell" className="cell cell-name">
        <button
          type="button"
          className="icon-button expander"
          aria-expanded={expanded}
          aria-label={`${expanded ? 'Hide' : 'Show'} the files of ${stats.name}`}
          title={expanded ? 'Hide files' : 'Show files'}
          onClick={() => actions.toggleExpanded(batchId)}
        >
          <ChevronIcon size={14} />
        </button>
        <FolderIcon className="file-icon" size={20} />
        <div className="two-lines">
          <div className="job-name" title={stats.name}>
            {stats.name}
          </div>
          <div className="job-destination group-files">{filesText}</div>
        </div>
      </div>
      <div role="cell" className="cell cell-progress">
        <div
          className={`progress progress-${state}`}
          role="progressbar"
          aria-label={`Progress of ${stats.name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={value}
          aria-valuetext={`${value}%, ${filesText}`}
        >
          <div className="progress-fill" style={{ transform: `scaleX(${value / 100})` }} />
        </div>
        <div className="job-detail">
          {formatBytes(stats.bytesDone)} of {formatBytes(stats.size)}
        </div>
      </div>
      <div role="cell" className="cell cell-number cell-speed">
        {active ? formatSpeed(speed) : '–'}
      </div>
      <div role="cell" className="cell cell-number cell-eta">
        {active ? formatDuration(etaSeconds(stats.size - stats.bytesDone, speed)) : '–'}
      </div>
      <div role="cell" className="cell cell-state group-state">
        <span className={`state-dot state-${state}`} aria-hidden="true" />
        <span className="group-summary">{groupStatusWords(stats)}</span>
        {stats.waitingForAnswer > 0 && !expanded ? (
          // files of this drop whose key exists ask in their rows (issue #12): show them
          <button type="button" className="button small" onClick={() => actions.toggleExpanded(batchId)}>
            Answer…
          </button>
        ) : null}
      </div>
      <div role="cell" className="cell cell-actions">
        <RowActions owner={batchId} actions={rowActions} rowName={stats.name} />
      </div>
    </div>
  );
});
