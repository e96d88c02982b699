/**
 * The window's toolbar: add files; pause, resume, retry and abort the selected jobs (or all of
 * them when none is selected); clear completed; and the panels (orphaned uploads, endpoints,
 * settings).
 */
import type { ReactNode } from 'react';
import type { JobAction } from '../store/jobsSlice.ts';
import { useActions, useFerry, useFerryShallow, useFerryStore } from '../store/hooks.ts';
import { actionTargets, finishedIds, selectActionCounts, selectFinishedCount } from '../store/selectors.ts';
import {
  BroomIcon,
  CloseIcon,
  FerryMark,
  GearIcon,
  PauseIcon,
  PlayIcon,
  PlusIcon,
  PuzzleIcon,
  RetryIcon,
  ServerIcon,
  StopIcon,
  TrashIcon,
} from './icons.tsx';

/** A toolbar button: icon and a short visible label; `name` (which contains the label) is what it is called. */
function ToolButton({
  icon,
  label,
  name = label,
  onClick,
  disabled,
  tone,
  title,
}: {
  icon: ReactNode;
  label: string;
  name?: string;
  onClick: () => void;
  disabled?: boolean;
  tone?: 'primary' | 'danger';
  title?: string;
}) {
  return (
    <button
      type="button"
      className={`tool-button${tone ? ` ${tone}` : ''}`}
      onClick={onClick}
      disabled={disabled}
      title={title ?? name}
      aria-label={name}
    >
      {icon}
      <span className="tool-label">{label}</span>
    </button>
  );
}

/** "3 selected ×": the toolbar's actions apply to these. */
function SelectionChip({ count, onClear }: { count: number; onClear: () => void }) {
  return (
    <span className="selection-chip">
      <span>{count.toLocaleString('en-US')} selected</span>
      <button type="button" className="chip-clear" aria-label="Clear selection" title="Clear selection (Esc)" onClick={onClear}>
        <CloseIcon size={12} />
      </button>
    </span>
  );
}

export function Toolbar() {
  const targets = useFerryShallow(selectActionCounts);
  const selectedCount = useFerry((state) => state.selected.size);
  const scope = selectedCount > 0 ? 'selected' : 'all';
  // with a selection the chip says what the buttons act on, and their labels stay short
  const label = (verb: string) => (scope === 'all' ? `${verb} all` : verb);
  const completed = useFerry(selectFinishedCount);
  const hasEndpoints = useFerry((state) => state.endpoints.length > 0);
  const actions = useActions();
  const store = useFerryStore();
  // the ids are gathered on the click: the counts are all the toolbar needs to draw
  const targetsOf = (action: JobAction) => actionTargets(store.getState(), action);

  return (
    <div className="toolbar" role="toolbar" aria-label="Uploads">
      <div className="brand" aria-hidden="true">
        <FerryMark />
        <span className="brand-name">Ferry</span>
      </div>
      <div className="tool-group">
        <ToolButton
          tone="primary"
          icon={<PlusIcon />}
          label="Add files…"
          disabled={!hasEndpoints}
          title={hasEndpoints ? 'Add files or folders to upload' : 'Add an endpoint first'}
          onClick={() => actions.openPanel({ kind: 'addFiles' })}
        />
      </div>
      <div className="tool-separator" aria-hidden="true" />
      <div className="tool-group">
        {selectedCount > 0 ? <SelectionChip count={selectedCount} onClear={() => actions.clearSelection()} /> : null}
        <ToolButton
          icon={<PauseIcon />}
          label={label('Pause')}
          name={`Pause ${scope}`}
          disabled={targets.pause === 0}
          onClick={() => void actions.pauseJobs(targetsOf('pause'))}
        />
        <ToolButton
          icon={<PlayIcon />}
          label={label('Resume')}
          name={`Resume ${scope}`}
          disabled={targets.resume === 0}
          onClick={() => void actions.resumeJobs(targetsOf('resume'))}
        />
        <ToolButton
          icon={<RetryIcon />}
          label={label('Retry')}
          name={`Retry ${scope}`}
          disabled={targets.retry === 0}
          onClick={() => void actions.retryJobs(targetsOf('retry'))}
        />
        <ToolButton
          icon={<StopIcon />}
          label={`${label('Abort')}…`}
          name={`Abort ${scope}…`}
          disabled={targets.abort === 0}
          onClick={() => actions.askToAbort(targetsOf('abort'))}
        />
      </div>
      <div className="tool-separator" aria-hidden="true" />
      <div className="tool-group">
        {selectedCount > 0 ? (
          <ToolButton
            icon={<TrashIcon />}
            label="Remove selected"
            title="Remove the selected uploads from the list; live ones are aborted after you confirm (Delete)"
            onClick={() => actions.removeSelected()}
          />
        ) : null}
        <ToolButton
          icon={<BroomIcon />}
          label="Clear completed"
          title="Remove completed and aborted uploads from the list"
          disabled={completed === 0}
          onClick={() => void actions.clearJobs(finishedIds(store.getState()))}
        />
      </div>
      <div className="tool-spacer" />
      <div className="tool-group">
        <ToolButton
          icon={<PuzzleIcon />}
          label="Orphaned uploads"
          disabled={!hasEndpoints}
          onClick={() => actions.openPanel({ kind: 'orphans' })}
        />
        <ToolButton icon={<ServerIcon />} label="Endpoints" onClick={() => actions.openPanel({ kind: 'endpoints' })} />
        <ToolButton icon={<GearIcon />} label="Settings" onClick={() => actions.openPanel({ kind: 'settings' })} />
      </div>
    </div>
  );
}
