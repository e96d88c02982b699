/**
 * Choosing one file on the computer Ferry runs on (browseFiles, the same listing as "Add files…"):
 * for "Resume with a local file…" in the orphans panel (issue #15).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { DirectoryListing } from '../../shared/contract.ts';
import { useActions } from '../store/hooks.ts';
import { formatBytes } from '../format.ts';
import { Dialog } from './Dialog.tsx';
import { FileIcon, FolderIcon, UpIcon, WarningIcon } from './icons.tsx';

type Listing = { status: 'loading' } | { status: 'ready'; listing: DirectoryListing } | { status: 'error'; message: string };

export function HostFileChooser({
  title,
  subtitle,
  confirmLabel,
  onChoose,
  onCancel,
}: {
  title: string;
  subtitle?: ReactNode;
  confirmLabel: string;
  onChoose: (path: string) => void;
  onCancel: () => void;
}) {
  const actions = useActions();
  const [listing, setListing] = useState<Listing>({ status: 'loading' });
  const [chosen, setChosen] = useState<string | null>(null);
  const [typed, setTyped] = useState<string | null>(null);
  const request = useRef(0);

  async function open(path: string | null) {
    const mine = ++request.current;
    setTyped(null);
    setChosen(null);
    setListing({ status: 'loading' });
    const result = await actions.browseHostFiles(path);
    if (mine !== request.current) return;
    setListing(result.ok ? { status: 'ready', listing: result.value } : { status: 'error', message: result.error.message });
  }

  useEffect(() => {
    void open(null);
  }, []);

  const current = listing.status === 'ready' ? listing.listing : null;
  return (
    <Dialog
      title={title}
      subtitle={subtitle}
      size="large"
      onClose={onCancel}
      footer={
        <>
          <div className="tool-spacer" />
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="button primary" disabled={chosen === null} onClick={() => chosen && onChoose(chosen)}>
            {confirmLabel}
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
            value={typed ?? current?.path ?? ''}
            placeholder={listing.status === 'loading' ? 'Loading…' : ''}
            onChange={(event) => setTyped(event.target.value)}
          />
        </form>
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
        ) : (
          <table className="data-table" aria-label={`Contents of ${current?.path ?? 'the folder'}`}>
            <thead>
              <tr>
                <th scope="col" className="cell-check">
                  <span className="visually-hidden">Chosen</span>
                </th>
                <th scope="col">Name</th>
                <th scope="col" className="numeric">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {current!.entries.map((entry) => (
                <tr key={entry.path} aria-label={entry.name} className={chosen === entry.path ? 'selected' : undefined}>
                  <td className="cell-check">
                    {entry.kind === 'file' ? (
                      <input
                        type="radio"
                        name="host-file"
                        aria-label={`Choose ${entry.name}`}
                        checked={chosen === entry.path}
                        onChange={() => setChosen(entry.path)}
                      />
                    ) : null}
                  </td>
                  <td>
                    {entry.kind === 'directory' ? (
                      <button
                        type="button"
                        className="link-button entry-name"
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
    </Dialog>
  );
}
