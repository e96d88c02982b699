/**
 * One upload in the list. It subscribes to its own job by id (and to whether it is selected), so a
 * progress tick re-renders the rows whose jobs moved and no other. Its accessible name is the file
 * name; its state is in words; its buttons are named Pause, Resume, Retry, Abort.
 */
import { memo, type MouseEvent } from 'react';
import { etaSeconds } from '../../shared/speed.ts';
import { formatS3Url } from '../../shared/s3Url.ts';
import { optionsBadge, type UploadOptions } from '../../shared/uploadOptions.ts';

/** Every option a job is sent with, for the badge's tooltip (issue #12). */
function optionsTitle(options: UploadOptions | undefined): string {
  return Object.entries(options ?? {})
    .map(([name, value]) => `${name}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('\n');
}
import { canApply } from '../store/jobsSlice.ts';
import { useActions, useFerry, useFerryStore, useJob } from '../store/hooks.ts';
import { selectVisibleIds } from '../store/selectors.ts';
import { formatDuration, formatSpeed, jobDetail, percent, stateWords } from '../format.ts';
import { RetryNote } from './RetryNote.tsx';
import { BroomIcon, FileIcon, PauseIcon, PlayIcon, RetryIcon, StopIcon } from './icons.tsx';

export interface JobRowProps {
  id: string;
  /** Position in the shown list (0-based). */
  index: number;
  /** Pixels from the top of the list. */
  top: number;
}

export const JobRow = memo(function JobRow({ id, index, top }: JobRowProps) {
  const job = useJob(id);
  const selected = useFerry((state) => state.selected.has(id));
  const endpointName = useFerry((state) =>
    job ? (state.endpoints.find((endpoint) => endpoint.id === job.endpointId)?.name ?? 'Removed endpoint') : '',
  );
  const store = useFerryStore();
  const actions = useActions();
  if (!job) return null;

  const done = job.state === 'completed';
  const value = percent(job.bytesDone, job.size, done);
  const running = job.state === 'uploading';
  const retry = running ? job.retry : null;
  const detail = jobDetail(job);
  const problem = job.waitingForFile || (job.state === 'failed' && job.error !== null);
  const destination = formatS3Url(job.bucket, job.key);
  const badge = optionsBadge(job.options);

  function select(event: MouseEvent) {
    const visible = selectVisibleIds(store.getState());
    if (event.shiftKey) actions.selectJob(id, 'range', visible);
    else if (event.metaKey || event.ctrlKey) actions.selectJob(id, 'toggle', visible);
    else actions.selectJob(id, 'only', visible);
  }

  function onRowClick(event: MouseEvent<HTMLDivElement>) {
    if ((event.target as HTMLElement).closest('button, input, a')) return;
    select(event);
  }

  function onCheckbox(event: MouseEvent<HTMLInputElement>) {
    const visible = selectVisibleIds(store.getState());
    actions.selectJob(id, event.shiftKey ? 'range' : 'toggle', visible);
  }

  return (
    <div
      role="row"
      aria-label={job.name}
      aria-rowindex={index + 2}
      data-index={index}
      data-state={job.state}
      className={`job-row${selected ? ' selected' : ''}${problem ? ' has-problem' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      onClick={onRowClick}
    >
      <div role="cell" className="cell cell-check">
        {/* onChange is required by React for a controlled box; the click handler reads Shift */}
        <input type="checkbox" aria-label={`Select ${job.name}`} checked={selected} onClick={onCheckbox} onChange={() => undefined} />
      </div>
      <div role="cell" className="cell cell-name">
        <FileIcon className="file-icon" size={20} />
        <div className="two-lines">
          <div className="job-name" title={job.path}>
            {job.name}
          </div>
          <div className="job-destination" title={`${destination} on ${endpointName}`}>
            {destination} <span className="muted-dot">·</span> {endpointName}
            {badge !== null && (
              <span className="option-badge" title={optionsTitle(job.options)}>
                {badge}
              </span>
            )}
          </div>
        </div>
      </div>
      <div role="cell" className="cell cell-progress">
        <div
          className={`progress progress-${job.state}`}
          role="progressbar"
          aria-label={`Progress of ${job.name}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={value}
          aria-valuetext={`${value}%`}
        >
          <div className="progress-fill" style={{ transform: `scaleX(${value / 100})` }} />
        </div>
        {retry ? (
          <div className="job-detail retrying">
            <RetryNote retry={retry} />
          </div>
        ) : (
          <div className={`job-detail${job.waitingForFile ? ' waiting' : problem ? ' problem' : ''}`} title={detail}>
            {detail}
          </div>
        )}
      </div>
      <div role="cell" className="cell cell-number cell-speed">
        {running ? formatSpeed(retry ? 0 : job.bytesPerSecond) : '–'}
      </div>
      <div role="cell" className="cell cell-number cell-eta">
        {running && !retry ? formatDuration(etaSeconds(job.size - job.bytesDone, job.bytesPerSecond)) : '–'}
      </div>
      <div role="cell" className="cell cell-state">
        <span className={`state-dot state-${job.state}`} aria-hidden="true" />
        {retry ? 'Retrying' : job.waitingForFile ? 'Waiting for file' : stateWords(job.state)}
      </div>
      <div role="cell" className="cell cell-actions">
        {job.waitingForFile ? (
          <label className="text-button choose-file" title="Choose the file this upload waits for">
            Choose file…
            <input
              type="file"
              className="visually-hidden"
              aria-label={`Choose the file for ${job.name}`}
              onChange={(event) => {
                const file = event.currentTarget.files?.[0];
                event.currentTarget.value = '';
                if (file) void actions.chooseFileFor(id, file);
              }}
            />
          </label>
        ) : null}
        {canApply('pause', job) ? (
          <button type="button" className="icon-button" aria-label="Pause" title="Pause" onClick={() => void actions.pauseJobs([id])}>
            <PauseIcon />
          </button>
        ) : null}
        {job.state === 'completed' && !job.options?.sseC ? (
          <select
            className="link-select"
            aria-label="Copy link"
            title="Copy a download link"
            value=""
            onChange={(event) => {
              if (event.target.value) void actions.copyLink(id, Number(event.target.value));
            }}
          >
            <option value="">Copy link</option>
            <option value={3600}>valid 1 hour</option>
            <option value={86_400}>valid 1 day</option>
            <option value={604_800}>valid 7 days</option>
          </select>
        ) : null}
        {canApply('resume', job) ? (
          <button type="button" className="icon-button" aria-label="Resume" title="Resume" onClick={() => void actions.resumeJobs([id])}>
            <PlayIcon />
          </button>
        ) : null}
        {canApply('retry', job) ? (
          <button type="button" className="icon-button" aria-label="Retry" title="Retry" onClick={() => void actions.retryJobs([id])}>
            <RetryIcon />
          </button>
        ) : null}
        {canApply('abort', job) ? (
          <button type="button" className="icon-button danger" aria-label="Abort" title="Abort…" onClick={() => actions.askToAbort([id])}>
            <StopIcon />
          </button>
        ) : null}
        {canApply('clear', job) ? (
          <button
            type="button"
            className="icon-button"
            aria-label="Remove from list"
            title="Remove from list"
            onClick={() => void actions.clearJobs([id])}
          >
            <BroomIcon />
          </button>
        ) : null}
      </div>
    </div>
  );
});
