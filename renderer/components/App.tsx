/**
 * The window: toolbar, banners, destination bar, then the uploads (or what to do first), with the
 * panels, the abort confirmation and the notices above them. The whole window is a drop zone.
 */
import { useEffect } from 'react';
import { useActions, useFerry, useFerryStore, StoreContext } from '../store/hooks.ts';
import { selectBrowserJobsRunning, selectTotals, selectVisibleIds } from '../store/selectors.ts';
import type { FerryStore } from '../store/store.ts';
import type { JobFilter } from '../store/uiSlice.ts';
import { count, formatSpeed } from '../format.ts';
import { AddFilesPanel } from './AddFilesPanel.tsx';
import { ConnectionBanner, ControlWarning, VaultWarning } from './Banners.tsx';
import { DestinationBar } from './DestinationBar.tsx';
import { UploadOptionsControl } from './UploadOptionsControl.tsx';
import { ConfirmDialog } from './Dialog.tsx';
import { DropZone } from './DropZone.tsx';
import { FirstRun, NoUploads } from './EmptyStates.tsx';
import { EndpointsPanel } from './EndpointsPanel.tsx';
import { JobList } from './JobList.tsx';
import { LIST_ID, ListHeader } from './ListHeader.tsx';
import { Notices } from './Notices.tsx';
import { ReceiptDialog } from './ReceiptDialog.tsx';
import { OrphansPanel } from './OrphansPanel.tsx';
import { SettingsPanel } from './SettingsPanel.tsx';
import { Toolbar } from './Toolbar.tsx';
import { WarningIcon } from './icons.tsx';

const EMPTY_FILTER_TEXT: Record<JobFilter, string> = {
  all: 'No uploads.',
  active: 'Nothing is uploading or waiting.',
  paused: 'No paused uploads.',
  failed: 'No failed uploads.',
  completed: 'No completed uploads.',
};

/** settings.theme on <html>: 'system' follows prefers-color-scheme (styles.css). */
function useTheme() {
  const theme = useFerry((state) => state.settings.theme);
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);
}

/** The window title tells the progress, as download managers do in the task bar (a leaf: it re-renders per tick). */
function WindowTitle() {
  const totals = useFerry(selectTotals);
  useEffect(() => {
    document.title =
      totals.uploading > 0 ? `${Math.floor(totals.fraction * 100)}% · ${formatSpeed(totals.bytesPerSecond)} — Ferry` : 'Ferry';
  }, [totals]);
  return null;
}

/**
 * Window-wide keys, outside text fields and dialogs: Ctrl/Cmd+A selects every shown upload, Escape
 * clears the selection, Delete removes the selected (asking before it aborts a live one).
 */
function useShortcuts() {
  const store = useFerryStore();
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      const selectAll = (event.key === 'a' || event.key === 'A') && (event.ctrlKey || event.metaKey) && !event.altKey;
      const remove = event.key === 'Delete' || ((event.metaKey || event.ctrlKey) && event.key === 'Backspace');
      if (!selectAll && !remove && event.key !== 'Escape') return;
      const target = event.target as HTMLElement | null;
      if (
        target?.closest(
          'input:not([type="checkbox"]):not([type="radio"]), textarea, select, [contenteditable="true"], [role="dialog"], [role="alertdialog"]',
        )
      )
        return;
      const state = store.getState();
      if (state.panel || state.abortRequest) return;
      if (selectAll) {
        event.preventDefault();
        state.selectAll(selectVisibleIds(state));
      } else if (remove) {
        if (state.selected.size === 0) return;
        event.preventDefault();
        state.removeSelected();
      } else if (state.selected.size > 0) {
        event.preventDefault();
        state.clearSelection();
      }
    }
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store]);
}

/** Closing the browser tab stops the uploads streamed from it: ask first. */
function useLeaveGuard() {
  const store = useFerryStore();
  useEffect(() => {
    function onBeforeUnload(event: BeforeUnloadEvent) {
      const state = store.getState();
      if (state.host?.kind === 'browser' && selectBrowserJobsRunning(state)) event.preventDefault();
    }
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [store]);
}

function Panels() {
  const panel = useFerry((state) => state.panel);
  if (!panel) return null;
  switch (panel.kind) {
    case 'endpoints':
      return <EndpointsPanel adding={panel.adding ?? false} {...(panel.editing ? { editing: panel.editing } : {})} />;
    case 'orphans':
      return <OrphansPanel />;
    case 'settings':
      return <SettingsPanel />;
    case 'addFiles':
      return <AddFilesPanel />;
  }
}

function AbortConfirmation() {
  const ids = useFerry((state) => state.abortRequest);
  const name = useFerry((state) => (state.abortRequest?.length === 1 ? (state.jobs.get(state.abortRequest[0]!)?.name ?? null) : null));
  const actions = useActions();
  if (!ids) return null;
  return (
    <ConfirmDialog
      title={name ? `Abort ${name}?` : `Abort ${count(ids.length, 'upload')}?`}
      message={
        <p>
          The parts already sent are deleted from the server and the {ids.length === 1 ? 'upload stops' : 'uploads stop'} for good. Pause
          instead to continue later.
        </p>
      }
      confirmLabel={ids.length === 1 ? 'Abort upload' : 'Abort uploads'}
      onCancel={() => actions.cancelAbort()}
      onConfirm={() => void actions.confirmAbort()}
    />
  );
}

function MainArea() {
  const loadStatus = useFerry((state) => state.loadStatus);
  const loadError = useFerry((state) => state.loadError);
  const hasEndpoints = useFerry((state) => state.endpoints.length > 0);
  const hasJobs = useFerry((state) => state.jobOrder.length > 0);
  const filter = useFerry((state) => state.filter);
  const actions = useActions();

  if (loadStatus === 'loading') {
    return (
      <div className="empty-state" role="status">
        <span className="spinner large" aria-hidden="true" />
        <p className="empty-text">Connecting to Ferry…</p>
      </div>
    );
  }
  if (loadStatus === 'error') {
    return (
      <div className="empty-state" role="alert">
        <WarningIcon size={40} className="empty-icon" />
        <h2 className="empty-title">Ferry did not answer</h2>
        <p className="empty-text">{loadError}</p>
        <button type="button" className="button primary" onClick={() => void actions.loadSnapshot()}>
          Try again
        </button>
      </div>
    );
  }
  if (!hasEndpoints && !hasJobs) return <FirstRun />;
  return (
    <>
      {hasEndpoints ? null : (
        <div className="banner banner-info" role="status">
          <span className="banner-text">No endpoint left: add one to upload more.</span>
          <button type="button" className="button small" onClick={() => actions.openPanel({ kind: 'endpoints', adding: true })}>
            Add endpoint
          </button>
        </div>
      )}
      <ListHeader />
      <div className="list-panel" role="tabpanel" id={LIST_ID} aria-labelledby={`tab-${filter}`}>
        {hasJobs ? <JobList emptyText={EMPTY_FILTER_TEXT[filter]} /> : <NoUploads />}
      </div>
    </>
  );
}

function Window() {
  useTheme();
  useShortcuts();
  useLeaveGuard();
  const showDestination = useFerry((state) => state.loadStatus === 'ready' && state.endpoints.length > 0);
  return (
    <DropZone>
      <WindowTitle />
      <div className="window">
        <header className="window-header">
          <Toolbar />
          <ConnectionBanner />
          <VaultWarning />
          <ControlWarning />
          {showDestination ? (
            <div className="destination-row">
              <DestinationBar />
              <UploadOptionsControl />
            </div>
          ) : null}
        </header>
        <main className="main">
          <h1 className="visually-hidden">Ferry uploads</h1>
          <MainArea />
        </main>
      </div>
      <Panels />
      <AbortConfirmation />
      <ReceiptDialog />
      <Notices />
    </DropZone>
  );
}

export function App({ store }: { store: FerryStore }) {
  return (
    <StoreContext.Provider value={store}>
      <Window />
    </StoreContext.Provider>
  );
}
