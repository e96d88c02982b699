/**
 * Starts the window's machinery around a bridge: the file registry, the store, and `connect`.
 * main.tsx calls it with the real bridge; tests call it with a fake FerryApi.
 */
import type { FerryApi, Snapshot } from '../shared/contract.ts';
import type { BridgeConnection } from './bridge/connection.ts';
import type { FerryDesktop } from './bridge/desktop.ts';
import { BrowserFileRegistry } from './files/browserFiles.ts';
import { connect } from './store/connect.ts';
import { notifyFinishedBatches } from './notify/batchWatcher.ts';
import { pageNotifications, type PageNotifications } from './notify/notifications.ts';
import { createFerryStore, type FerryStore, type StoreDeps } from './store/store.ts';

export interface FerryWindow {
  store: FerryStore;
  files: BrowserFileRegistry;
  /** Stops listening to the bridge. */
  disconnect(): void;
}

export function startFerry(options: {
  api: FerryApi;
  connection?: BridgeConnection | null;
  desktop?: FerryDesktop | null;
  storage?: StoreDeps['storage'];
  files?: BrowserFileRegistry;
  notifications?: PageNotifications;
  /** Folds job events until this runs the flush (main.tsx: once per animation frame); default: none. */
  scheduleJobEvents?: StoreDeps['scheduleJobEvents'];
  /** Resolves after the window drew (main.tsx: after the next frame); default: at once. */
  afterPaint?: StoreDeps['afterPaint'];
  /** A snapshot's first page handed with the document (bridge/firstPage.ts): shown until the socket's snapshot comes. */
  firstPage?: Snapshot | null;
}): FerryWindow {
  const files = options.files ?? new BrowserFileRegistry();
  const notifications = options.notifications ?? pageNotifications();
  const store = createFerryStore({
    api: options.api,
    files,
    desktop: options.desktop ?? null,
    notifications,
    scheduleJobEvents: options.scheduleJobEvents ?? null,
    afterPaint: options.afterPaint ?? null,
    ...(options.storage === undefined ? {} : { storage: options.storage }),
  });
  const stopNotifying = notifyFinishedBatches(store, notifications);
  const stopFeeding = connect(options.api, store, { connection: options.connection ?? null, files, firstPage: options.firstPage ?? null });
  const disconnect = () => {
    stopFeeding();
    stopNotifying();
  };
  return { store, files, disconnect };
}
