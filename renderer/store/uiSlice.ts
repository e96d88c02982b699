/**
 * What the window shows and the user chose that the engine does not know: the filter tab, the
 * selection, the destination of the next upload, the open panel, and the notices (a command's
 * error in words, never swallowed).
 */
import type { UploadOptions } from '../../shared/uploadOptions.ts';
import { EMPTY_FORM, editField, fillDefaults, type FieldName, type KeyValueRow, type RowKind, type UploadForm } from './uploadForm.ts';
import { BridgeError } from '../../shared/contract.ts';
import type { ErrorInfo } from '../../shared/errors.ts';
import { MAX_REMEMBERED_DESTINATIONS } from '../../shared/contract.ts';
import { bucketNameProblem } from '../../shared/s3Names.ts';
import { normalizePrefix } from './jobsSlice.ts';
import { selectVisibleIds } from './selectors.ts';
import type { SliceCreator } from './store.ts';

export type JobFilter = 'all' | 'active' | 'paused' | 'failed' | 'completed';
export type SortKey = 'added' | 'name' | 'size' | 'progress' | 'status';
export interface SortOrder {
  key: SortKey;
  descending: boolean;
}
/** Jobs a command was just sent for: the row says "Pausing…"/"Aborting…" until the engine answers. */
export type PendingAction = 'pausing' | 'aborting' | 'resuming' | 'retrying';
export const JOB_FILTERS: readonly JobFilter[] = ['all', 'active', 'paused', 'failed', 'completed'];

export interface Destination {
  endpointId: string;
  bucket: string;
  /** '' or ending in '/'. */
  prefix: string;
}

export type Panel =
  { kind: 'endpoints'; adding?: boolean; editing?: string } | { kind: 'orphans' } | { kind: 'settings' } | { kind: 'addFiles' };

export interface Notice {
  id: number;
  tone: 'error' | 'info';
  title: string;
  detail: string | null;
}

export interface UiSlice {
  filter: JobFilter;
  /** What the search field holds: shows the jobs whose name, key or batch contains it. */
  search: string;
  sort: SortOrder;
  /** Batches shown with their files (the others are one row). */
  expanded: ReadonlySet<string>;
  pending: ReadonlyMap<string, PendingAction>;
  selected: ReadonlySet<string>;
  /** Where a shift-click range starts. */
  selectionAnchor: string | null;
  destination: Destination;
  /**
   * The Options form of the next drop (issue #12, uploadForm.ts): the destination endpoint's
   * defaults filled in, the person's edits over them, metadata and tag rows.
   */
  uploadForm: UploadForm;
  panel: Panel | null;
  notices: readonly Notice[];
  /** Jobs waiting for the user to confirm their abort (the confirmation dialog is open). */
  abortRequest: readonly string[] | null;

  setFilter(filter: JobFilter): void;
  setSearch(search: string): void;
  /** Sorts by `key`; the same key again reverses the order. */
  sortBy(key: SortKey): void;
  toggleExpanded(batchId: string): void;
  markPending(ids: readonly string[], action: PendingAction | null): void;
  /** The selection minus what the list does not show (after a filter or a search changed). */
  pruneSelection(): void;
  /** Click: only this job; toggle: add or remove it (Ctrl/Cmd-click, checkbox); range: from the anchor to it (Shift). */
  selectJob(id: string, mode: 'only' | 'toggle' | 'range', visibleIds: readonly string[]): void;
  selectAll(ids: readonly string[]): void;
  clearSelection(): void;
  setDestination(patch: Partial<Destination>): void;
  /** Another endpoint in the destination bar: its last bucket and prefix come back (issue #13). */
  chooseEndpoint(endpointId: string): void;
  /** Keeps the destination as the endpoint's last one, in the engine's settings (across sessions and ports). */
  rememberDestination(): void;
  /** After the first snapshot: the endpoint, bucket and prefix last used, where that endpoint still exists. */
  restoreDestination(): void;
  /** The person sets (or with '' empties) one field of the Options form: it keeps it across endpoints. */
  editUploadOption<K extends FieldName>(name: K, value: UploadOptions[K] | ''): void;
  /** The form's metadata or tag rows, as edited. */
  setOptionRows(kind: RowKind, rows: readonly KeyValueRow[]): void;
  /** Forgets the edits and rows: the form shows the destination endpoint's defaults again. */
  resetUploadOptions(): void;
  /** The destination endpoint's defaults into the fields not edited (its endpoint or defaults changed). */
  fillFormDefaults(): void;
  openPanel(panel: Panel): void;
  closePanel(): void;
  notify(tone: Notice['tone'], title: string, detail?: string | null): void;
  /** Shows a failed command's error in words: "Could not pause 3 uploads" + the engine's message. */
  reportError(title: string, error: unknown): void;
  dismissNotice(id: number): void;
  /**
   * Delete / "Remove selected": finished selected jobs leave the list at once; live ones (queued,
   * uploading, paused, failed) are aborted after the confirmation.
   */
  removeSelected(): void;
  /** Opens the confirmation for aborting these jobs; `confirmAbort` sends it. */
  askToAbort(ids: readonly string[]): void;
  confirmAbort(): Promise<void>;
  cancelAbort(): void;
}

const DESTINATION_KEY = 'ferry.destination';

/** The words of anything a command rejected with. */
export function errorInfo(error: unknown): ErrorInfo {
  if (error instanceof BridgeError) return { code: error.code, message: error.message, retryable: error.retryable };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'UNKNOWN', message: message || 'Something went wrong.', retryable: false };
}

export const createUiSlice: SliceCreator<UiSlice> = (deps) => (set, get) => {
  let nextNoticeId = 1;

  function loadDestination(): Destination {
    try {
      const saved = JSON.parse(deps.storage?.getItem(DESTINATION_KEY) ?? 'null') as Partial<Destination> | null;
      if (saved && typeof saved === 'object') {
        return {
          endpointId: typeof saved.endpointId === 'string' ? saved.endpointId : '',
          bucket: typeof saved.bucket === 'string' ? saved.bucket : '',
          prefix: typeof saved.prefix === 'string' ? saved.prefix : '',
        };
      }
    } catch {
      // a damaged entry: start empty
    }
    return { endpointId: '', bucket: '', prefix: '' };
  }

  return {
    filter: 'all',
    search: '',
    sort: { key: 'added', descending: false },
    expanded: new Set(),
    pending: new Map(),
    selected: new Set(),
    selectionAnchor: null,
    destination: loadDestination(),
    uploadForm: EMPTY_FORM,
    panel: null,
    notices: [],
    abortRequest: null,

    setFilter(filter) {
      set({ filter });
      get().pruneSelection();
    },

    setSearch(search) {
      set({ search });
      get().pruneSelection();
    },

    sortBy(key) {
      const { sort } = get();
      set({ sort: sort.key === key ? { key, descending: !sort.descending } : { key, descending: false } });
    },

    toggleExpanded(batchId) {
      const expanded = new Set(get().expanded);
      if (expanded.has(batchId)) expanded.delete(batchId);
      else expanded.add(batchId);
      set({ expanded });
    },

    markPending(ids, action) {
      if (ids.length === 0) return;
      const pending = new Map(get().pending);
      for (const id of ids) {
        if (action === null) pending.delete(id);
        else pending.set(id, action);
      }
      set({ pending });
    },

    pruneSelection() {
      const { selected } = get();
      if (selected.size === 0) return;
      const shown = new Set(selectVisibleIds(get()));
      const kept = [...selected].filter((id) => shown.has(id));
      if (kept.length !== selected.size) set({ selected: new Set(kept), selectionAnchor: null });
    },

    selectJob(id, mode, visibleIds) {
      const { selected, selectionAnchor } = get();
      if (mode === 'only') {
        set({ selected: new Set([id]), selectionAnchor: id });
        return;
      }
      if (mode === 'toggle') {
        const next = new Set(selected);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        set({ selected: next, selectionAnchor: id });
        return;
      }
      const from = selectionAnchor === null ? -1 : visibleIds.indexOf(selectionAnchor);
      const to = visibleIds.indexOf(id);
      if (from < 0 || to < 0) {
        set({ selected: new Set([...selected, id]), selectionAnchor: id });
        return;
      }
      const next = new Set(selected);
      const [low, high] = from <= to ? [from, to] : [to, from];
      for (let index = low; index <= high; index++) next.add(visibleIds[index]!);
      set({ selected: next });
    },

    selectAll(ids) {
      set({ selected: new Set(ids), selectionAnchor: ids[0] ?? null });
    },

    clearSelection() {
      if (get().selected.size > 0) set({ selected: new Set(), selectionAnchor: null });
    },

    editUploadOption(name, value) {
      set({ uploadForm: editField(get().uploadForm, name, value) });
    },

    setOptionRows(kind, rows) {
      set({ uploadForm: { ...get().uploadForm, [kind]: rows } });
    },

    resetUploadOptions() {
      set({ uploadForm: EMPTY_FORM });
      get().fillFormDefaults();
    },

    fillFormDefaults() {
      const { endpoints, destination, uploadForm } = get();
      const defaults = endpoints.find((endpoint) => endpoint.id === destination.endpointId)?.defaults;
      set({ uploadForm: fillDefaults(uploadForm, defaults) });
    },

    setDestination(patch) {
      const before = get().destination.endpointId;
      const destination = { ...get().destination, ...patch };
      set({ destination });
      if (destination.endpointId !== before) get().fillFormDefaults();
      try {
        deps.storage?.setItem(DESTINATION_KEY, JSON.stringify(destination));
      } catch {
        // storage full or denied: the destination is only not remembered
      }
    },

    chooseEndpoint(endpointId) {
      const remembered = get().settings.destinations?.[endpointId];
      get().setDestination({ endpointId, bucket: remembered?.bucket ?? '', prefix: remembered?.prefix ?? '' });
      get().rememberDestination();
    },

    rememberDestination() {
      const { destination, settings, endpoints } = get();
      const endpointId = destination.endpointId;
      if (!endpoints.some((endpoint) => endpoint.id === endpointId)) return;
      const bucket = destination.bucket.trim();
      if (bucket !== '' && bucketNameProblem(bucket) !== null) return; // not a bucket yet: the bar says why
      const prefix = normalizePrefix(destination.prefix);
      const known = settings.destinations?.[endpointId];
      if (known?.bucket === bucket && known.prefix === prefix && settings.lastEndpointId === endpointId) return;
      // only endpoints that exist, the newest last: a removed endpoint's destination goes with it
      const kept = Object.entries(settings.destinations ?? {}).filter(
        ([id]) => id !== endpointId && endpoints.some((endpoint) => endpoint.id === id),
      );
      const destinations = Object.fromEntries([...kept, [endpointId, { bucket, prefix }]].slice(-MAX_REMEMBERED_DESTINATIONS));
      void get().changeSettings({ destinations, lastEndpointId: endpointId });
    },

    restoreDestination() {
      const { settings, endpoints } = get();
      const last = settings.lastEndpointId;
      if (!last || !endpoints.some((endpoint) => endpoint.id === last)) return;
      const remembered = settings.destinations?.[last];
      get().setDestination({ endpointId: last, bucket: remembered?.bucket ?? '', prefix: remembered?.prefix ?? '' });
    },

    openPanel(panel) {
      set({ panel });
    },

    closePanel() {
      set({ panel: null });
    },

    notify(tone, title, detail = null) {
      const notice: Notice = { id: nextNoticeId++, tone, title, detail };
      // the five newest: a burst of failures must not cover the window
      set({ notices: [...get().notices, notice].slice(-5) });
    },

    reportError(title, error) {
      get().notify('error', title, errorInfo(error).message);
    },

    dismissNotice(id) {
      set({ notices: get().notices.filter((notice) => notice.id !== id) });
    },

    removeSelected() {
      const { selected, jobs } = get();
      const finished: string[] = [];
      const live: string[] = [];
      for (const id of selected) {
        const job = jobs.get(id);
        if (!job) continue;
        if (job.state === 'completed' || job.state === 'aborted') finished.push(id);
        else live.push(id);
      }
      if (finished.length > 0) void get().clearJobs(finished);
      if (live.length > 0) get().askToAbort(live);
    },

    askToAbort(ids) {
      if (ids.length > 0) set({ abortRequest: ids });
    },

    async confirmAbort() {
      const ids = get().abortRequest;
      set({ abortRequest: null });
      if (ids) await get().abortJobs(ids);
    },

    cancelAbort() {
      set({ abortRequest: null });
    },
  };
};
