/**
 * "Add files…": browses the disk of the computer Ferry runs on (browseFiles), where files and
 * folders can be ticked in any folder and added by path (addPaths; main walks folders). The system
 * file chooser is the second way in: in the browser host it picks files of this device, which are
 * streamed from the page.
 */
import { useRef, useState } from 'react';
import { formatS3Url } from '../../shared/s3Url.ts';
import { destinationProblem, normalizePrefix } from '../store/jobsSlice.ts';
import { useActions, useFerry } from '../store/hooks.ts';
import { count } from '../format.ts';
import { Dialog } from './Dialog.tsx';
import { EmptyFolder, FolderBar, FolderEntries, ShowHiddenToggle, useHostFolder } from './HostFolder.tsx';
import { RefreshIcon, WarningIcon } from './icons.tsx';

export function AddFilesPanel() {
  const actions = useActions();
  const host = useFerry((state) => state.host);
  const problem = useFerry((state) => destinationProblem(state));
  const target = useFerry((state) => formatS3Url(state.destination.bucket.trim(), normalizePrefix(state.destination.prefix)));
  const folder = useHostFolder();
  const [chosen, setChosen] = useState<ReadonlyMap<string, 'file' | 'directory'>>(new Map());
  const input = useRef<HTMLInputElement>(null);
  const open = (path: string | null) => void folder.open(path);

  function toggle(path: string, kind: 'file' | 'directory') {
    const next = new Map(chosen);
    if (next.has(path)) next.delete(path);
    else next.set(path, kind);
    setChosen(next);
  }

  async function add() {
    const paths = [...chosen.keys()];
    actions.closePanel();
    await actions.uploadPaths(paths);
  }

  const current = folder.current;
  const hostName = host?.kind === 'electron' ? 'this computer' : 'the computer Ferry runs on';

  return (
    <Dialog
      title="Add files"
      subtitle={`Choose files and folders on ${hostName}. Folders are uploaded with everything in them.`}
      size="large"
      onClose={() => actions.closePanel()}
      footer={
        <>
          <button type="button" className="button" onClick={() => input.current?.click()}>
            {host?.canReadPaths ? 'Use the system file chooser…' : 'Upload from this device…'}
          </button>
          <input
            ref={input}
            type="file"
            multiple
            hidden
            aria-label="Files to upload"
            onChange={(event) => {
              const files = event.target.files;
              if (!files || files.length === 0) return;
              actions.closePanel();
              void actions.uploadTransfer(files);
            }}
          />
          <div className="tool-spacer" />
          <button type="button" className="button" onClick={() => actions.closePanel()}>
            Cancel
          </button>
          <button type="button" className="button primary" disabled={chosen.size === 0 || problem !== null} onClick={() => void add()}>
            {chosen.size === 0 ? 'Add' : `Add ${count(chosen.size, 'item')}`}
          </button>
        </>
      }
    >
      <FolderBar folder={folder} onOpen={open}>
        <ShowHiddenToggle folder={folder} />
        <button
          type="button"
          className="icon-button"
          aria-label="Reload folder"
          title="Reload folder"
          onClick={() => open(current?.path ?? null)}
        >
          <RefreshIcon />
        </button>
      </FolderBar>
      <FolderEntries
        folder={folder}
        onOpen={open}
        selectHeader="Selected"
        isSelected={(entry) => chosen.has(entry.path)}
        select={(entry) => (
          <input
            type="checkbox"
            aria-label={`Select ${entry.name}`}
            checked={chosen.has(entry.path)}
            onChange={() => toggle(entry.path, entry.kind)}
          />
        )}
        empty={<EmptyFolder folder={folder} />}
      />
      <div className="browser-target">
        {problem ? (
          <span className="warning-text">
            <WarningIcon size={14} /> {problem}
          </span>
        ) : (
          <span className="muted">
            Uploads to <span className="mono">{target}</span>
            {chosen.size > 0 ? ` · ${count(chosen.size, 'item')} selected` : ''}
          </span>
        )}
      </div>
    </Dialog>
  );
}
