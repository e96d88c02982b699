/**
 * The link to the engine: the store takes a snapshot, then applies events. Events that arrive while
 * a snapshot is on its way are dropped: the transports deliver in order, so what they say is already
 * in the snapshot (and a snapshot taken after a reconnect replaces everything anyway).
 *
 * A snapshot of many jobs comes in pages (shared/contract.ts, Snapshot): the first is shown at once,
 * the others are appended as they arrive, each in its own task, so the window paints and answers in
 * between. Job events sent after the snapshot are kept until the last page is in, then applied in
 * order: a page says where its jobs were when it was read, the events what changed after.
 *
 * Until then the window shows part of the list, or pages read at different times: `jobsLive` says
 * when `jobs` is the whole list as the host has it now, for what decides from all the jobs (the end
 * of a batch of uploads, notify/batchWatcher.ts).
 */
import type { Events, Snapshot, SnapshotContents } from '../../shared/contract.ts';
import { missingCase } from '../../shared/errors.ts';
import { decodeJobPage } from '../../shared/jobPage.ts';
import type { ConnectionStatus } from '../bridge/connection.ts';
import { JobEventBatch, type JobChanges, type JobEventMessage } from './jobEventBatch.ts';
import type { SliceCreator } from './store.ts';
import { errorInfo } from './uiSlice.ts';

export type LoadStatus = 'loading' | 'ready' | 'error';

/**
 * Job changes applied in one frame at most (issue #13, smooth under load): a 'Pause all' of 10,000
 * jobs, or the events held while a snapshot's pages came, are applied over a few frames, in order,
 * so that the window keeps drawing and answering in between.
 */
export const FRAME_CHANGES = 2000;

/** `changes` in pieces of at most `size` changes, to apply in order (one piece when it is small). */
function sliced(changes: JobChanges, size: number): JobChanges[] {
  if (changes.removed.length + changes.upserts.length + changes.progress.length <= size) return [changes];
  const pieces: JobChanges[] = [];
  const none = { removed: [], upserts: [], progress: [] };
  for (let start = 0; start < changes.removed.length; start += size)
    pieces.push({ ...none, removed: changes.removed.slice(start, start + size) });
  for (let start = 0; start < changes.upserts.length; start += size)
    pieces.push({ ...none, upserts: changes.upserts.slice(start, start + size) });
  for (let start = 0; start < changes.progress.length; start += size)
    pieces.push({ ...none, progress: changes.progress.slice(start, start + size) });
  return pieces;
}

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
  /** While the pages of a snapshot arrive: its jobs received so far, of all. Null once all are in. */
  jobsLoading: { loaded: number; total: number } | null;
  /**
   * Whether `jobs` is the whole list as the host has it now: every page of the last snapshot is in,
   * the events held meanwhile are applied and, after a reconnect, this page has offered the host
   * its files again (`reconnected`). False from the request for a snapshot until then, while only
   * a preview of the first page shows, and when some pages could not be read.
   */
  jobsLive: boolean;

  /** Takes a snapshot and replaces everything with it (its first page at once, the rest as they arrive). */
  loadSnapshot(): Promise<void>;
  /**
   * After the link dropped and came back: a new snapshot, then the files this page holds offered to
   * the host again (the host let go of them with the link, and its jobs wait for them meanwhile).
   */
  reconnected(): Promise<void>;
  /** Replaces everything with a snapshot's contents (what the pages read so far, or all). */
  applySnapshot(snapshot: SnapshotContents): void;
  /**
   * Shows a snapshot's first page handed with the document (browser host, issue #13) while the
   * socket's own snapshot is on its way: a preview, which that snapshot replaces; job events wait
   * for it as before. Ignored once that snapshot is in.
   */
  showFirstPage(snapshot: Snapshot): void;
  /** Applies one event from the engine (ignored while a snapshot is on its way). */
  receive(message: StoreEvent): void;
  /**
   * Applies what a command answered about jobs (the jobs it added, the ones it removed) now, after
   * the job events that arrived before the answer. Those were sent before it and say less: applied
   * a frame later they would undo it (a removed row came back, a new job went back a state).
   */
  applyAnswer(changes: Partial<JobChanges>): void;
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

  /** While the rest of a snapshot's pages arrive, job events wait (see the top). */
  let paging = false;
  /**
   * Whether what the window shows is only the first page handed with the document: no event is
   * applied to it, so a failed snapshot leaves it to be tried again, not shown as if it were live.
   */
  let previewOnly = false;

  /** Changes taken from the batch and not yet applied, oldest first (a large batch is applied over several frames). */
  const slices: JobChanges[] = [];

  /** Whether every page of the last snapshot was read (false while they come, and when some could not be). */
  let whole = false;

  /**
   * Work after which the list is live again (a reconnect's snapshot and offer of the files, an offer of
   * the files alone): while any runs, `jobsLive` is false.
   */
  let holds = 0;
  /** The offer of the page's files that runs now, and whether another must follow it (asked meanwhile). */
  let offer: Promise<void> | null = null;
  let offerAgain = false;

  /** Runs `work` (from the next microtask) with the list held not live, and settles it after. */
  function holding(work: () => Promise<unknown>): Promise<void> {
    holds += 1;
    if (get().jobsLive) set({ jobsLive: false });
    return Promise.resolve()
      .then(work)
      .then(() => undefined)
      .finally(() => {
        holds -= 1;
        settle();
      });
  }

  /** Offers the host the files this page holds, one offer at a time (one asked meanwhile follows it). */
  function offerFiles(): Promise<void> {
    if (offer) {
      offerAgain = true;
      return offer;
    }
    offer = (async () => {
      try {
        do {
          offerAgain = false;
          await get().reattachBrowserFiles();
        } while (offerAgain);
      } finally {
        offer = null;
      }
    })();
    return offer;
  }

  /**
   * Whether `changes` says the host let go of files this page holds: a job known here, not waiting,
   * now waits for its file. That happens when the host closes the old socket after the page's
   * reconnect took its snapshot; the page then offers the files again, as after a reconnect.
   */
  function lettingGo(changes: JobChanges): boolean {
    const waiting = changes.upserts.filter((view) => view.waitingForFile);
    if (waiting.length === 0) return false;
    const jobs = get().jobs;
    const fresh = waiting.filter((view) => jobs.get(view.id)?.waitingForFile === false);
    if (fresh.length === 0) return false;
    const held = new Set(deps.files.bound().map((entry) => entry.jobId));
    return fresh.some((view) => held.has(view.id));
  }

  /** Says the list is live once nothing of the snapshot (pages, events held meanwhile, files to offer again) is left. */
  function settle(): void {
    if (get().jobsLive || !live || paging || !whole || holds > 0 || slices.length > 0) return;
    set({ jobsLive: true });
  }

  /**
   * Applies the job events folded so far: at most {@link FRAME_CHANGES} changes a frame, the rest
   * at the next one (all of them with `everything`: before an answer or another event).
   */
  function flushJobEvents(everything = false): void {
    flushScheduled = false;
    if (!live || paging) return;
    if (!batch.isEmpty) slices.push(...sliced(batch.take(), FRAME_CHANGES));
    // without frames (tests) there is no next one: all at once
    let budget = everything || !deps.scheduleJobEvents ? Number.POSITIVE_INFINITY : FRAME_CHANGES;
    while (slices.length > 0 && budget > 0) {
      const changes = slices.shift()!;
      budget -= changes.removed.length + changes.upserts.length + changes.progress.length;
      // before the changes show: a batch must not look finished while its files are offered again
      if (lettingGo(changes)) void holding(offerFiles);
      get().applyJobChanges(changes);
    }
    if (slices.length > 0 && deps.scheduleJobEvents && !flushScheduled) {
      flushScheduled = true;
      deps.scheduleJobEvents(() => flushJobEvents());
    }
    settle();
  }

  function queueJobEvent(message: JobEventMessage): void {
    const schedule = deps.scheduleJobEvents;
    if (!schedule) {
      batch.add(message);
      flushJobEvents(true);
      return;
    }
    batch.add(message);
    if (flushScheduled) return;
    flushScheduled = true;
    schedule(() => flushJobEvents());
  }

  /**
   * loadSnapshot's work: true when this was still the newest snapshot at its end (its list shown, whole
   * or not), false when a newer one took over, which then does what follows a snapshot itself. A
   * snapshot whose pages failed is taken again once (`retried`), per call: a reconnect in between
   * does not use up another's retry.
   */
  async function load(retried: boolean): Promise<boolean> {
    const mine = ++generation;
    live = false;
    paging = false;
    whole = false;
    // the snapshot has what they say
    batch.clear();
    slices.length = 0;
    if (get().jobsLive) set({ jobsLive: false });
    if (get().loadStatus === 'error') set({ loadStatus: 'loading', loadError: null });
    let snapshot: Snapshot;
    try {
      snapshot = await deps.api.snapshot({});
      if (mine !== generation) return false;
      const jobs = decodeJobPage(snapshot.jobs);
      get().applySnapshot({ ...snapshot, jobs });
      previewOnly = false;
      set({ jobsLoading: snapshot.cursor === null ? null : { loaded: jobs.length, total: snapshot.jobCount } });
      live = true;
      paging = snapshot.cursor !== null;
      if (openedBeforeLoad.length > 0) void get().uploadPaths(openedBeforeLoad.splice(0));
    } catch (error) {
      if (mine !== generation) return false;
      // a window that has shown data keeps it; the connection banner says what happened (a preview
      // is not kept: nothing would follow it, and nothing would ask again)
      if (get().loadStatus !== 'ready' || previewOnly) {
        previewOnly = false;
        set({ loadStatus: 'error', loadError: errorInfo(error).message, jobsLoading: null });
      } else get().reportError('Could not refresh the window', error);
      return false;
    }
    let cursor = snapshot.cursor;
    // one page asked for while the one before is appended: the host and the page work at once
    const ask = (cursor: string) => {
      const page = deps.api.jobsPage({ cursor });
      page.catch(() => {}); // awaited below, unless the page before failed
      return page;
    };
    try {
      let next = cursor === null ? null : ask(cursor);
      // the first rows are drawn before the next page is read: it takes longer than they do
      if (next !== null && deps.afterPaint) {
        await deps.afterPaint();
        if (mine !== generation) return false;
      }
      while (next !== null) {
        const page = await next;
        if (mine !== generation) return false;
        cursor = page.cursor;
        next = cursor === null ? null : ask(cursor);
        const jobs = decodeJobPage(page.jobs);
        get().upsertJobs(jobs);
        const loading = get().jobsLoading;
        set({ jobsLoading: cursor === null || loading === null ? null : { ...loading, loaded: loading.loaded + jobs.length } });
      }
    } catch (error) {
      if (mine !== generation) return false;
      // the snapshot's cursor is gone (the host restarted, or it waited too long): a new snapshot, once
      if (!retried) return load(true);
      // the window keeps what it has and says so; the events kept still apply (a job they name
      // that no page brought is added), but the list is not whole: it is not live
      set({ jobsLoading: null });
      get().reportError('Not every upload could be shown', error);
      paging = false;
      flushJobEvents();
      return true; // the newest, if not whole: what it shows of this page's files is offered again
    }
    paging = false;
    whole = true;
    flushJobEvents();
    return true;
  }

  return {
    loadStatus: 'loading',
    loadError: null,
    connection: null,
    reconnectNow: null,
    jobsLoading: null,
    jobsLive: false,

    async loadSnapshot() {
      await load(false);
    },

    reconnected() {
      // a newer snapshot (another reconnect) offers the files itself
      return holding(async () => {
        if (await load(false)) await offerFiles();
      });
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

    showFirstPage(snapshot) {
      if (live || get().loadStatus === 'ready') return;
      let jobs;
      try {
        jobs = decodeJobPage(snapshot.jobs);
      } catch {
        return; // not a page: the socket's snapshot will do
      }
      get().applySnapshot({ ...snapshot, jobs });
      previewOnly = true;
      set({ jobsLoading: jobs.length >= snapshot.jobCount ? null : { loaded: jobs.length, total: snapshot.jobCount } });
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
      flushJobEvents(true);
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

    applyAnswer(changes) {
      if (paging) {
        // the events wait for the last page: the answer waits behind them, so that it is applied
        // after them there too, and shows now
        if (changes.removed?.length) batch.add({ event: 'jobsRemoved', payload: { ids: changes.removed } });
        // a job new to the window is shown now, after the pages read so far; taken out and added
        // again with the events, it goes after the later pages too, as it is in the host's order
        const jobs = get().jobs;
        const fresh = (changes.upserts ?? []).filter((view) => !jobs.has(view.id)).map((view) => view.id);
        if (fresh.length > 0) batch.add({ event: 'jobsRemoved', payload: { ids: fresh } });
        if (changes.upserts?.length) batch.add({ event: 'jobsChanged', payload: { jobs: changes.upserts } });
      } else flushJobEvents(true);
      get().applyJobChanges(changes);
    },

    setConnection(connection, reconnectNow) {
      set(reconnectNow ? { connection, reconnectNow } : { connection });
    },
  };
};
