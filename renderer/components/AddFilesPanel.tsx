/**
 * "Add files…": browses the disk of the computer Ferry runs on (browseFiles), where files and
 * folders can be ticked in any folder and added by path (addPaths; main walks folders). The system
 * file chooser is the second way in: in the browser host it picks files of this device, which are
 * streamed from the page.
 */
import { useEffect, useRef, useState } from 'react';
import type { DirectoryListing } from '../../shared/contract.ts';
import { formatS3Url } from '../../shared/s3Url.ts';
import { destinationProblem, normalizePrefix } from '../store/jobsSlice.ts';
import { useActions, useFerry } from '../store/hooks.ts';
import { count, formatBytes } from '../format.ts';
import { Dialog } from './Dialog.tsx';
import { FileIcon, FolderIcon, RefreshIcon, UpIcon, WarningIcon } from './icons.tsx';

type Listing =
  | { status: 'loading'; path: string | null }
  | { status: 'ready'; listing: DirectoryListing }
  | { status: 'error'; path: string | null; message: string };

export function AddFilesPanel() {
  const actions = useActions();
  const host = useFerry((state) => state.host);
  const problem = useFerry((state) => destinationProblem(state));
  const target = useFerry((state) => formatS3Url(state.destination.bucket.trim(), normalizePrefix(state.destination.prefix)));
  const [listing, setListing] = useState<Listing>({ status: 'loading', path: null });
  const [chosen, setChosen] = useState<ReadonlyMap<string, 'file' | 'directory'>>(new Map());
  const request = useRef(0);
  const input = useRef<HTMLInputElement>(null);
  const [showHidden, setShowHidden] = useState(false);
  const [typed, setTyped] = useState<string | null>(null);

  async function open(path: string | null, hidden = showHidden) {
    const mine = ++request.current;
    setTyped(null);
    setListing({ status: 'loading', path });
    const result = await actions.browseHostFiles(path, hidden);
    if (mine !== request.current) return;
    setListing(result.ok ? { status: 'ready', listing: result.value } : { status: 'error', path, message: result.error.message });
  }

  // The host's starting folder, once. (`open` is new on each render; the request counter keeps only
  // the newest answer, so a stale closure cannot show an old folder.)
  useEffect(() => {
    void open(null);
  }, []);

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

  const current = listing.status === 'ready' ? listing.listing : null;
  const entries = current
    ? [...current.entries].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1))
    : [];
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
      <div className="browser-bar">
        <button
          type="button"
          className="icon-button"
          aria-label="Up one folder"
          title="Up one folder"
          disabled={!current?.parent}
          onClick={() => current?.parent && void open(current.parent)}
        >
          <UpIcon />
        </button>
        <form
          className="browser-path-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (typed !== null && typed.trim() !== '') void open(typed.trim());
          }}
        >
          <input
            className="field mono browser-path-input"
            aria-label="Folder path"
            title="Type a path and press Enter"
            value={typed ?? current?.path ?? (listing.status === 'error' ? (listing.path ?? '') : '')}
            placeholder={listing.status === 'loading' ? 'Loading…' : ''}
            onChange={(event) => setTyped(event.target.value)}
          />
        </form>
        <label className="check-label">
          <input
            type="checkbox"
            checked={showHidden}
            onChange={(event) => {
              setShowHidden(event.target.checked);
              void open(current?.path ?? null, event.target.checked);
            }}
          />{' '}
          Show hidden files
        </label>
        <button
          type="button"
          className="icon-button"
          aria-label="Reload folder"
          title="Reload folder"
          onClick={() => void open(current?.path ?? null)}
        >
          <RefreshIcon />
        </button>
      </div>
      <div className="browser-list">
        {listing.status === 'error' ? (
          <div className="form-error" role="alert">
            <WarningIcon /> {listing.message}
          </div>
        ) : listing.status === 'loading' ? (
          <div className="empty-state compact" role="status">
            <span className="spinner" aria-hidden="true" /> Loading…
          </div>
        ) : entries.length === 0 ? (
          <div className="empty-state compact">
            <p className="empty-text">{showHidden ? 'This folder is empty.' : 'No files to show here. Hidden files are not shown.'}</p>
          </div>
        ) : (
          <table className="data-table" aria-label={`Contents of ${current?.path ?? 'the folder'}`}>
            <thead>
              <tr>
                <th scope="col" className="cell-check">
                  <span className="visually-hidden">Selected</span>
                </th>
                <th scope="col">Name</th>
                <th scope="col" className="numeric">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr
                  key={entry.path}
                  aria-label={entry.name}
                  className={chosen.has(entry.path) ? 'selected' : undefined}
                  onDoubleClick={() => entry.kind === 'directory' && void open(entry.path)}
                >
                  <td className="cell-check">
                    <input
                      type="checkbox"
                      aria-label={`Select ${entry.name}`}
                      checked={chosen.has(entry.path)}
                      onChange={() => toggle(entry.path, entry.kind)}
                    />
                  </td>
                  <td>
                    {entry.kind === 'directory' ? (
                      <button
                        type="button"
                        className="link-button entry-name"
                        title={`Open ${entry.name}`}
                        aria-label={`Open ${entry.name}`}
                        onClick={() => void open(entry.path)}
                      >
                        <FolderIcon /> {entry.name}
                      </button>
                    ) : (
                      <span className="entry-name">
                        <FileIcon /> {entry.name}
                      </span>
                    )}
                  </td>
                  <td className="numeric">{entry.size === null ? '' : formatBytes(entry.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
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
