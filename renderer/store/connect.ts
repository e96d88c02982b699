/**
 * Wires the engine to the store, outside React: one place where bridge events become store
 * actions (through getState()), the first snapshot is taken, a reconnect takes a new one, and the
 * browser host's read requests are answered from the page's file registry.
 */
import type { FerryApi, Snapshot } from '../../shared/contract.ts';
import type { BridgeConnection } from '../bridge/connection.ts';
import type { BrowserFileRegistry } from '../files/browserFiles.ts';
import type { FerryStore } from './store.ts';

export interface ConnectOptions {
  /** The link's state for the banner, and reconnects (WebSocket); null in Electron. */
  connection?: BridgeConnection | null;
  /** Answers `fileReadRequested` (browser host). */
  files?: BrowserFileRegistry;
  /** A snapshot's first page handed with the document: shown while the socket's own snapshot comes. */
  firstPage?: Snapshot | null;
}

/** Starts feeding `store` from `api`; returns the function that stops it. */
export function connect(api: FerryApi, store: FerryStore, options: ConnectOptions = {}): () => void {
  const state = () => store.getState();
  const { connection = null, files, firstPage = null } = options;
  const stops = [
    api.on('jobsAdded', (payload) => state().receive({ event: 'jobsAdded', payload })),
    api.on('jobsChanged', (payload) => state().receive({ event: 'jobsChanged', payload })),
    api.on('jobsProgress', (payload) => state().receive({ event: 'jobsProgress', payload })),
    api.on('jobsRemoved', (payload) => state().receive({ event: 'jobsRemoved', payload })),
    api.on('endpointsChanged', (payload) => state().receive({ event: 'endpointsChanged', payload })),
    api.on('settingsChanged', (payload) => state().receive({ event: 'settingsChanged', payload })),
    api.on('pathsOpened', (payload) => state().receive({ event: 'pathsOpened', payload })),
    api.on('fileReadRequested', (request) => {
      if (files) void files.answer(api, request);
      else api.sendFileData(request.requestId, null, 'This window does not keep dropped files.');
    }),
  ];
  if (connection) {
    state().setConnection(connection.status, () => connection.reconnectNow());
    stops.push(connection.onDidChangeStatus((status) => state().setConnection(status)));
    stops.push(connection.onDidReconnect(() => void state().reconnected()));
  }
  void state().loadSnapshot();
  if (firstPage) state().showFirstPage(firstPage);
  return () => {
    for (const stop of stops) stop();
  };
}
