/**
 * A folder on the computer Ferry runs on (browseFiles), browsed in a dialog: the listing, its bar
 * (up one folder, a path to type) and its table of entries. "Add files…" (AddFilesPanel.tsx) ticks
 * files and folders in it; HostFileChooser.tsx chooses one file.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { DirectoryListing } from '../../shared/contract.ts';
import { useActions } from '../store/hooks.ts';
import { formatBytes } from '../format.ts';
import { FileIcon, FolderIcon, UpIcon, WarningIcon } from './icons.tsx';

type Entry = DirectoryListing['entries'][number];

type Listing =
  | { status: 'loading'; path: string | null }
  | { status: 'ready'; listing: DirectoryListing }
  | { status: 'error'; path: string | null; message: string };

/** What useHostFolder returns: the listing shown, and the path being typed over it. */
export interface HostFolder {
  listing: Listing;
  /** The folder listed, once it is. */
  current: DirectoryListing | null;
  /** Lists a folder (null: the host's starting folder); only the newest request's answer is shown. */
  open: (path: string | null) => Promise<void>;
  /** Whether dot-files are listed (off at first: a home folder is full of them). */
  showHidden: boolean;
  /** Lists them or not, and lists the current folder again so. */
  setShowHidden: (showHidden: boolean) => void;
  typed: string | null;
  setTyped: (typed: string | null) => void;
}

/** A folder listing that starts at the host's starting folder. */
export function useHostFolder(): HostFolder {
  const actions = useActions();
  const [listing, setListing] = useState<Listing>({ status: 'loading', path: null });
  const [typed, setTyped] = useState<string | null>(null);
  const [showHidden, setShowHiddenState] = useState(false);
  const request = useRef(0);

  async function list(path: string | null, hidden: boolean) {
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
    void list(null, false);
  }, []);

  const current = listing.status === 'ready' ? listing.listing : null;
  return {
    listing,
    current,
    open: (path) => list(path, showHidden),
    showHidden,
    setShowHidden: (hidden) => {
      setShowHiddenState(hidden);
      void list(current?.path ?? null, hidden);
    },
    typed,
    setTyped,
  };
}

/** "Show hidden files" for a folder's listing. */
export function ShowHiddenToggle({ folder }: { folder: HostFolder }) {
  return (
    <label className="check-label">
      <input type="checkbox" checked={folder.showHidden} onChange={(event) => folder.setShowHidden(event.target.checked)} /> Show hidden
      files
    </label>
  );
}

/** What an empty listing says: with hidden files left out, that there may be some. */
export function EmptyFolder({ folder }: { folder: HostFolder }) {
  return <p className="empty-text">{folder.showHidden ? 'This folder is empty.' : 'No files to show here. Hidden files are not shown.'}</p>;
}

/** The bar above a folder: up one folder, the folder's path (type another and press Enter), and `children`. */

export function FolderBar({ folder, onOpen, children }: { folder: HostFolder; onOpen: (path: string) => void; children?: ReactNode }) {
  const { listing, current, typed, setTyped } = folder;
  return (
    <div className="browser-bar">
      <button
        type="button"
        className="icon-button"
        aria-label="Up one folder"
        title="Up one folder"
        disabled={!current?.parent}
        onClick={() => current?.parent && onOpen(current.parent)}
      >
        <UpIcon />
      </button>
      <form
        className="browser-path-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (typed !== null && typed.trim() !== '') onOpen(typed.trim());
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
      {children}
    </div>
  );
}

/**
 * The folder's entries, folders first, each with a control that selects it (`select`, in a column
 * headed `selectHeader` for screen readers); a folder opens by its name or a double click. `empty`,
 * if given, stands in for a table with no rows.
 */
export function FolderEntries({
  folder,
  onOpen,
  selectHeader,
  select,
  isSelected,
  empty,
}: {
  folder: HostFolder;
  onOpen: (path: string) => void;
  selectHeader: string;
  select: (entry: Entry) => ReactNode;
  isSelected: (entry: Entry) => boolean;
  empty?: ReactNode;
}) {
  const { listing, current } = folder;
  const entries = current
    ? [...current.entries].sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1))
    : [];
  return (
    <div className="browser-list">
      {listing.status === 'error' ? (
        <div className="form-error" role="alert">
          <WarningIcon /> {listing.message}
        </div>
      ) : listing.status === 'loading' ? (
        <div className="empty-state compact" role="status">
          <span className="spinner" aria-hidden="true" /> Loading…
        </div>
      ) : entries.length === 0 && empty !== undefined ? (
        <div className="empty-state compact">{empty}</div>
      ) : (
        <table className="data-table" aria-label={`Contents of ${current?.path ?? 'the folder'}`}>
          <thead>
            <tr>
              <th scope="col" className="cell-check">
                <span className="visually-hidden">{selectHeader}</span>
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
                className={isSelected(entry) ? 'selected' : undefined}
                onDoubleClick={() => entry.kind === 'directory' && onOpen(entry.path)}
              >
                <td className="cell-check">{select(entry)}</td>
                <td>
                  {entry.kind === 'directory' ? (
                    <button
                      type="button"
                      className="link-button entry-name"
                      title={`Open ${entry.name}`}
                      aria-label={`Open ${entry.name}`}
                      onClick={() => onOpen(entry.path)}
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
  );
}
