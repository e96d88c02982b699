/**
 * One upload in the list. It subscribes to its own job by id (and to whether it is selected), so a
 * progress tick re-renders the rows whose jobs moved and no other. Its accessible name is the file
 * name; its state is in words; its buttons are named Pause, Resume, Retry, Abort. A failed row
 * shows its whole error, wrapped, with a button that copies it.
 *
 * Additions by other features (a retry line, a badge, "Copy link") go into `extraLines` and the
 * `RowAction` list (RowActions.tsx).
 */
import { memo, type MouseEvent, type Ref } from 'react';
import { etaSeconds } from '../../shared/speed.ts';
import { formatS3Url } from '../../shared/s3Url.ts';
import { optionsBadge, type UploadOptions } from '../../shared/uploadOptions.ts';

/** Every option a job is sent with, for the badge's tooltip (issue #12). */
function optionsTitle(options: UploadOptions | undefined): string {
  return Object.entries(options ?? {})
    .map(([name, value]) => `${name}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('\n');
}
import { canApply, type JobEntry } from '../store/jobsSlice.ts';
import { useActions, useFerry, useFerryStore, useJob } from '../store/hooks.ts';
import { selectVisibleIds } from '../store/selectors.ts';
import type { FerryActions } from '../store/hooks.ts';
import { formatDuration, formatSpeed, jobDetail, jobStatusWords, percent } from '../format.ts';
import { RetryNote } from './RetryNote.tsx';
import { ExistsPrompt } from './ExistsPrompt.tsx';
import { BroomIcon, CopyIcon, FileIcon, LinkIcon, PauseIcon, PlayIcon, RetryIcon, StopIcon, UploadIcon } from './icons.tsx';
import { RowActions, type RowAction } from './RowActions.tsx';

export interface JobRowProps {
  id: string;
  /** Position in the shown list (0-based). */
  index: number;
  /** Pixels from the top of the list. */
  top: number;
  /** 1: a file shown under its batch's row. */
  depth?: 0 | 1;
  /** The virtualiser measures rows whose height differs (a wrapped error). */
  measure?: Ref<HTMLDivElement>;
}

/** How long a copied link works: S3 presigns for at most 7 days. */
const LINK_EXPIRIES = [
  { label: 'valid 1 hour', seconds: 3600 },
  { label: 'valid 1 day', seconds: 86_400 },
  { label: 'valid 7 days', seconds: 604_800 },
] as const;

/** The actions that apply to a job, as row buttons or menu entries. */
export function jobActions(job: JobEntry, actions: FerryActions): RowAction[] {
  const list: RowAction[] = [];
  const ids = [job.id];
  if (canApply('pause', job)) list.push({ label: 'Pause', icon: <PauseIcon />, onSelect: () => void actions.pauseJobs(ids) });
  // a job whose key exists is answered in its row (ExistsPrompt), not resumed into the same question
  if (canApply('resume', job) && !job.waitingForAnswer)
    list.push({ label: 'Resume', icon: <PlayIcon />, onSelect: () => void actions.resumeJobs(ids) });
  if (canApply('retry', job)) list.push({ label: 'Retry', icon: <RetryIcon />, onSelect: () => void actions.retryJobs(ids) });
  // issue #15: a job whose file changed sends only what changed; a completed one has a receipt
  const changeable = job.source === 'disk' && job.multipart && !job.options?.sseC;
  if (changeable && job.state === 'failed' && job.error?.code === 'FILE_CHANGED')
    list.push({ label: 'Resume, sending only what changed', icon: <PlayIcon />, onSelect: () => void actions.sendChangesOnly(job.id) });
  if (job.state === 'completed' && !job.skipped) {
    list.push({ label: 'Copy receipt…', icon: <CopyIcon />, onSelect: () => void actions.showReceipt(job.id) });
    if (changeable) list.push({ label: 'Upload changes only', icon: <UploadIcon />, onSelect: () => void actions.sendChangesOnly(job.id) });
  }
  // a presigned GET link to the object (issue #12); an SSE-C object cannot be read without its key
  if (job.state === 'completed' && !job.options?.sseC)
    list.push({
      label: 'Copy link',
      icon: <LinkIcon />,
      choices: LINK_EXPIRIES.map(({ label, seconds }) => ({ label, onSelect: () => void actions.copyLink(job.id, seconds) })),
    });
  if (canApply('abort', job)) list.push({ label: 'Abort…', icon: <StopIcon />, danger: true, onSelect: () => actions.askToAbort(ids) });
  if (canApply('clear', job)) list.push({ label: 'Remove from list', icon: <BroomIcon />, onSelect: () => void actions.clearJobs(ids) });
  return list;
}

export const JobRow = memo(function JobRow({ id, index, top, depth = 0, measure }: JobRowProps) {
  const job = useJob(id);
  const selected = useFerry((state) => state.selected.has(id));
  const pending = useFerry((state) => state.pending.get(id) ?? null);
  const endpointName = useFerry((state) =>
    job ? (state.endpoints.find((endpoint) => endpoint.id === job.endpointId)?.name ?? 'Removed endpoint') : '',
  );
  const store = useFerryStore();
  const actions = useActions();
  if (!job) return null;

  const done = job.state === 'completed';
  const value = percent(job.bytesDone, job.size, done);
  const running = job.state === 'uploading' && pending === null;
  const retry = job.state === 'uploading' ? job.retry : null;
  const failed = job.state === 'failed' && job.error !== null;
  const detail = jobDetail(job);
  const asking = job.waitingForAnswer === true;
  const waiting = job.waitingForFile && !failed;
  // a message read whole: it wraps and the row grows (an error, a question, a retry's countdown and
  // attempt, the wait for a file with its "Choose file…")
  // (its message takes the speed and time-left cells too)
  const tall = failed || asking || retry !== null || waiting;
  const destination = formatS3Url(job.bucket, job.key);
  const badge = optionsBadge(job.options);

  function select(event: MouseEvent) {
    const visible = selectVisibleIds(store.getState());
    if (event.shiftKey) actions.selectJob(id, 'range', visible);
    else if (event.metaKey || event.ctrlKey) actions.selectJob(id, 'toggle', visible);
    else actions.selectJob(id, 'only', visible);
  }

  function onRowClick(event: MouseEvent<HTMLDivElement>) {
    if ((event.target as HTMLElement).closest('button, input, a, [role="menu"], .error-text')) return;
    select(event);
  }

  function onCheckbox(event: MouseEvent<HTMLInputElement>) {
    const visible = selectVisibleIds(store.getState());
    actions.selectJob(id, event.shiftKey ? 'range' : 'toggle', visible);
  }

  async function copyError() {
    const text = job?.error ? `${job.name}: ${job.error.message} (${job.error.code})` : '';
    try {
      await navigator.clipboard.writeText(text);
      actions.notify('info', 'Error copied');
    } catch {
      actions.notify('error', 'Could not copy the error', 'Select its text and copy it instead.');
    }
  }

  return (
    <div
      // only a tall row's height differs (its whole message wraps): the others keep the estimate
      // and cost no measuring while the list scrolls
      ref={tall ? measure : undefined}
      role="row"
      aria-label={job.name}
      aria-rowindex={index + 2}
      data-index={index}
      data-state={job.state}
      className={`job-row${selected ? ' selected' : ''}${tall ? ' has-problem' : ''}${tall ? ' tall' : ''}${depth === 1 ? ' child' : ''}`}
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
        {asking && pending === null ? (
          <ExistsPrompt job={job} />
        ) : retry ? (
          <div className="job-detail retrying">
            <RetryNote retry={retry} />
          </div>
        ) : failed ? (
          <div className="job-detail problem error-line">
            <span className="error-text">{detail}</span>
            <button
              type="button"
              className="icon-button small"
              aria-label={`Copy the error of ${job.name}`}
              title="Copy the error"
              onClick={() => void copyError()}
            >
              <CopyIcon size={14} />
            </button>
          </div>
        ) : waiting ? (
          // the way out beside the message: in the actions cell it did not fit beside Pause and Abort
          <div className="job-detail waiting error-line">
            <span className="error-text">{detail}</span>
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
          </div>
        ) : (
          <div className={`job-detail${tall ? ' problem' : ''}`} title={detail}>
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
        <span className={`state-dot state-${job.state}${pending ? ' state-pending' : ''}`} aria-hidden="true" />
        {jobStatusWords(job, pending)}
      </div>
      <div role="cell" className="cell cell-actions">
        <RowActions
          owner={job.id}
          actions={
            pending === null
              ? jobActions(job, actions)
              : jobActions(job, actions).filter((a) => pending === 'pausing' && a.label === 'Abort…')
          }
          rowName={job.name}
        />
      </div>
    </div>
  );
});
