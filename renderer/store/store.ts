/**
 * The window's one store: typed slices side by side in one zustand store (zustand's slices pattern),
 * each slice's actions next to its state.
 *
 *   jobs       the uploads (a Map by id, a new Map on every write) and the commands on them
 *   endpoints  endpoints, their buckets, endpoint tests, orphaned uploads
 *   settings   settings and what the host is (Electron or browser, vault warning)
 *   ui         filter, selection, destination, open panel, notices (errors in words)
 *   sync       the link to the engine: snapshot, then events; the connection's state
 *   changes    send only what changed, receipts, finishing an orphaned upload (issue #15)
 *
 * The store is fed from outside React: `connect()` (connect.ts) subscribes to the bridge's events
 * and calls the sync slice's actions through `getState()`. Components read with selectors (a row
 * subscribes to its own job by id) and act only through actions; nothing in React calls the bridge.
 */
import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import type { FerryApi } from '../../shared/contract.ts';
import type { FerryDesktop } from '../bridge/desktop.ts';
import { BrowserFileRegistry } from '../files/browserFiles.ts';
import { pageNotifications, type PageNotifications } from '../notify/notifications.ts';
import { createEndpointsSlice, type EndpointsSlice } from './endpointsSlice.ts';
import { createJobsSlice, type JobsSlice } from './jobsSlice.ts';
import { createSettingsSlice, type SettingsSlice } from './settingsSlice.ts';
import { createSyncSlice, type SyncSlice } from './syncSlice.ts';
import { createUiSlice, type UiSlice } from './uiSlice.ts';
import { createChangesSlice, type ChangesSlice } from './changesSlice.ts';

export type FerryState = JobsSlice & EndpointsSlice & SettingsSlice & UiSlice & SyncSlice & ChangesSlice;
export type FerryStore = StoreApi<FerryState>;

/** What the slices' actions use to reach the world outside the store. */
export interface StoreDeps {
  api: FerryApi;
  /** The page's dropped files, read when the browser host asks for bytes. */
  files: BrowserFileRegistry;
  /** Electron's helper for a dropped file's path; null in the browser host. */
  desktop: FerryDesktop | null;
  /** Where the last destination is remembered (localStorage in the window; null in tests that do not care). */
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** The browser's notifications (the browser host tells of a finished batch with them). */
  notifications: PageNotifications;
  /**
   * When set, job events are folded and applied once per call of the flush it schedules (the
   * window: once per animation frame, jobEventBatch.ts); null applies each event as it comes (tests).
   */
  scheduleJobEvents: ((flush: () => void) => void) | null;
  /**
   * Resolves once the window has drawn what the store holds (the window: after its next frame);
   * the later pages of a snapshot wait for it, so that the first rows are drawn before the rest is
   * read (issue #13). Null: no wait (tests).
   */
  afterPaint: (() => Promise<void>) | null;
}

/** A slice's creator, typed against the whole state so that actions can read other slices. */
export type SliceCreator<Slice> = (deps: StoreDeps) => StateCreator<FerryState, [], [], Slice>;

export function createFerryStore(options: Partial<StoreDeps> & Pick<StoreDeps, 'api'>): FerryStore {
  const deps: StoreDeps = {
    api: options.api,
    files: options.files ?? new BrowserFileRegistry(),
    desktop: options.desktop ?? null,
    storage: options.storage === undefined ? safeLocalStorage() : options.storage,
    notifications: options.notifications ?? pageNotifications(),
    scheduleJobEvents: options.scheduleJobEvents ?? null,
    afterPaint: options.afterPaint ?? null,
  };
  return createStore<FerryState>()((...a) => ({
    ...createJobsSlice(deps)(...a),
    ...createEndpointsSlice(deps)(...a),
    ...createSettingsSlice(deps)(...a),
    ...createUiSlice(deps)(...a),
    ...createSyncSlice(deps)(...a),
    ...createChangesSlice(deps)(...a),
  }));
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
