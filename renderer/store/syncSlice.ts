/**
 * The link to the engine: the store takes a snapshot, then applies events. Events that arrive while
 * a snapshot is on its way are dropped: the transports deliver in order, so what they say is already
 * in the snapshot (and a snapshot taken after a reconnect replaces everything anyway).
 */
import type { Events, Snapshot } from '../../shared/contract.ts';
import { missingCase } from '../../shared/errors.ts';
import type { ConnectionStatus } from '../bridge/connection.ts';
import { JobEventBatch, type JobEventMessage } from './jobEventBatch.ts';
import type { SliceCreator } from './store.ts';
import { errorInfo } from './uiSlice.ts';

export type LoadStatus = 'loading' | 'ready' | 'error';

/** The events the store handles (fileReadRequested is answered by the file registry). */
export type StoreEvent = { [E in Exclude<keyof Events, 'fileReadRequested'>]: { event: E; payload: Events[E] } }[Exclude<
  keyof Events,
  'fileReadRequested'
>];

export interface SyncSlice {
  loadStatus: LoadStatus;
  loadError: string | null;
  /** Null when the link cannot drop (Electron). */
  connection: ConnectionStatus | null;
  /** Skips the reconnect backoff (null when the link cannot drop). */
  reconnectNow: (() => void) | null;

  /** Takes a snapshot and replaces everything with it. */
  loadSnapshot(): Promise<void>;
  applySnapshot(snapshot: Snapshot): void;
  /** Applies one event from the engine (ignored while a snapshot is on its way). */
  receive(message: StoreEvent): void;
  setConnection(status: ConnectionStatus | null, reconnectNow?: () => void): void;
}

export const createSyncSlice: SliceCreator<SyncSlice> = (deps) => (set, get) => {
  /** Counts snapshot requests, so that only the newest one is applied. */
  let generation = 0;
  let live = false;
  /** The remembered destination is restored once, from the first snapshot (a reconnect keeps what the user chose). */
  let restored = false;
  /** Paths handed to Ferry (pathsOpened) before the first snapshot. */
  const openedBeforeLoad: string[] = [];
  /** Job events not yet applied (deps.scheduleJobEvents), and whether a flush is scheduled. */
  const batch = new JobEventBatch();
  let flushScheduled = false;

  function flushJobEvents(): void {
    flushScheduled = false;
    if (!live || batch.isEmpty) return;
    get().applyJobChanges(batch.take());
  }

  function queueJobEvent(message: JobEventMessage): void {
    const schedule = deps.scheduleJobEvents;
    if (!schedule) {
      batch.add(message);
      flushJobEvents();
      return;
    }
    batch.add(message);
    if (flushScheduled) return;
    flushScheduled = true;
    schedule(flushJobEvents);
  }

  return {
    loadStatus: 'loading',
    loadError: null,
    connection: null,
    reconnectNow: null,

    async loadSnapshot() {
      const mine = ++generation;
      live = false;
      // the snapshot has what they say
      batch.clear();
      if (get().loadStatus === 'error') set({ loadStatus: 'loading', loadError: null });
      try {
        const snapshot = await deps.api.snapshot({});
        if (mine !== generation) return;
        get().applySnapshot(snapshot);
        live = true;
        if (openedBeforeLoad.length > 0) void get().uploadPaths(openedBeforeLoad.splice(0));
      } catch (error) {
        if (mine !== generation) return;
        // a window that has shown data keeps it; the connection banner says what happened
        if (get().loadStatus !== 'ready') set({ loadStatus: 'error', loadError: errorInfo(error).message });
        else get().reportError('Could not refresh the window', error);
      }
    },

    applySnapshot(snapshot) {
      const state = get();
      state.setHost(snapshot.host);
      state.applySettings(snapshot.settings);
      state.setEndpoints(snapshot.endpoints);
      if (!restored) {
        restored = true;
        state.restoreDestination();
      }
      state.replaceJobs(snapshot.jobs);
      set({ loadStatus: 'ready', loadError: null });
    },

    receive(message) {
      if (message.event === 'pathsOpened') {
        // a request, not state: kept until the destination is known
        if (get().loadStatus === 'ready') void get().uploadPaths(message.payload.paths);
        else openedBeforeLoad.push(...message.payload.paths);
        return;
      }
      if (!live) return;
      switch (message.event) {
        case 'jobsAdded':
        case 'jobsChanged':
        case 'jobsProgress':
        case 'jobsRemoved':
          queueJobEvent(message);
          return;
      }
      // other events keep their place after the job events before them
      flushJobEvents();
      const state = get();
      switch (message.event) {
        case 'endpointsChanged':
          state.setEndpoints(message.payload.endpoints);
          return;
        case 'settingsChanged':
          state.applySettings(message.payload);
          return;
        default:
          missingCase(message);
      }
    },

    setConnection(connection, reconnectNow) {
      set(reconnectNow ? { connection, reconnectNow } : { connection });
    },
  };
};
