/**
 * Endpoints and what the window asked about them: buckets (for the destination bar), endpoint tests
 * and the orphaned multipart uploads of a bucket. The secret never comes back from main: an
 * EndpointView carries only the credential's kind and access key id or profile name.
 */
import type { CommandRequest, Envelope, EndpointView, OrphanView, ProbeView } from '../../shared/contract.ts';
import type { ErrorInfo } from '../../shared/errors.ts';
import { count } from '../format.ts';
import type { SliceCreator } from './store.ts';
import { errorInfo } from './uiSlice.ts';

export type BucketList =
  | { status: 'loading'; buckets: readonly string[] }
  | { status: 'ready'; buckets: readonly string[] }
  | { status: 'error'; buckets: readonly string[]; error: ErrorInfo };

export type EndpointTest = { status: 'testing' } | { status: 'done'; result: ProbeView } | { status: 'error'; error: ErrorInfo };

export interface OrphanQuery {
  endpointId: string;
  bucket: string;
  prefix: string;
}

export type OrphanList =
  | { status: 'idle' }
  | { status: 'loading'; query: OrphanQuery }
  | { status: 'ready'; query: OrphanQuery; uploads: readonly OrphanView[] }
  | { status: 'error'; query: OrphanQuery; error: ErrorInfo };

export type EndpointInputRequest = CommandRequest<'addEndpoint'>;
export type EndpointUpdateRequest = CommandRequest<'updateEndpoint'>;

export interface EndpointsSlice {
  endpoints: readonly EndpointView[];
  buckets: ReadonlyMap<string, BucketList>;
  endpointTests: ReadonlyMap<string, EndpointTest>;
  orphans: OrphanList;

  setEndpoints(endpoints: readonly EndpointView[]): void;
  /** Answers with the envelope so that the form can show the error next to its fields. */
  addEndpoint(request: EndpointInputRequest): Promise<Envelope<EndpointView>>;
  updateEndpoint(request: EndpointUpdateRequest): Promise<Envelope<EndpointView>>;
  removeEndpoint(id: string): Promise<boolean>;
  testEndpoint(id: string, bucket?: string): Promise<void>;
  loadBuckets(endpointId: string): Promise<void>;
  listOrphans(query: OrphanQuery): Promise<void>;
  abortOrphans(uploads: readonly { key: string; uploadId: string }[]): Promise<boolean>;
}

export const createEndpointsSlice: SliceCreator<EndpointsSlice> = (deps) => (set, get) => {
  const { api } = deps;

  function withEndpoint(endpoint: EndpointView): void {
    const known = get().endpoints;
    const next = known.some((item) => item.id === endpoint.id)
      ? known.map((item) => (item.id === endpoint.id ? endpoint : item))
      : [...known, endpoint];
    get().setEndpoints(next);
  }

  function sameQuery(a: OrphanQuery, b: OrphanQuery): boolean {
    return a.endpointId === b.endpointId && a.bucket === b.bucket && a.prefix === b.prefix;
  }

  return {
    endpoints: [],
    buckets: new Map(),
    endpointTests: new Map(),
    orphans: { status: 'idle' },

    setEndpoints(endpoints) {
      const ids = new Set(endpoints.map((endpoint) => endpoint.id));
      const { buckets, endpointTests, destination } = get();
      const keep = <T>(map: ReadonlyMap<string, T>) => new Map([...map].filter(([id]) => ids.has(id)));
      set({ endpoints, buckets: keep(buckets), endpointTests: keep(endpointTests) });
      get().fillFormDefaults(); // the destination endpoint's defaults may have changed (issue #12)
      // The destination follows: the first endpoint when none is chosen or the chosen one is gone.
      if (!ids.has(destination.endpointId)) {
        const first = endpoints[0];
        get().setDestination(
          first
            ? { endpointId: first.id, bucket: destination.endpointId === '' ? destination.bucket : '' }
            : { endpointId: '', bucket: '' },
        );
      }
    },

    async addEndpoint(request) {
      try {
        const endpoint = await api.addEndpoint(request);
        withEndpoint(endpoint);
        return { ok: true, value: endpoint };
      } catch (error) {
        return { ok: false, error: errorInfo(error) };
      }
    },

    async updateEndpoint(request) {
      try {
        const endpoint = await api.updateEndpoint(request);
        withEndpoint(endpoint);
        // its buckets and last test may be about the old URL or credentials
        const buckets = new Map(get().buckets);
        buckets.delete(endpoint.id);
        const endpointTests = new Map(get().endpointTests);
        endpointTests.delete(endpoint.id);
        set({ buckets, endpointTests });
        return { ok: true, value: endpoint };
      } catch (error) {
        return { ok: false, error: errorInfo(error) };
      }
    },

    async removeEndpoint(id) {
      const name = get().endpoints.find((endpoint) => endpoint.id === id)?.name ?? 'the endpoint';
      try {
        await api.removeEndpoint({ id });
        get().setEndpoints(get().endpoints.filter((endpoint) => endpoint.id !== id));
        return true;
      } catch (error) {
        get().reportError(`Could not remove ${name}`, error);
        return false;
      }
    },

    async testEndpoint(id, bucket) {
      const put = (test: EndpointTest) => set({ endpointTests: new Map(get().endpointTests).set(id, test) });
      put({ status: 'testing' });
      try {
        const result = await api.testEndpoint(bucket ? { id, bucket } : { id });
        put({ status: 'done', result });
      } catch (error) {
        put({ status: 'error', error: errorInfo(error) });
      }
    },

    async loadBuckets(endpointId) {
      const previous = get().buckets.get(endpointId)?.buckets ?? [];
      const put = (list: BucketList) => set({ buckets: new Map(get().buckets).set(endpointId, list) });
      put({ status: 'loading', buckets: previous });
      try {
        const { buckets } = await api.listBuckets({ endpointId });
        put({ status: 'ready', buckets: [...buckets].sort((a, b) => a.localeCompare(b)) });
      } catch (error) {
        put({ status: 'error', buckets: previous, error: errorInfo(error) });
      }
    },

    async listOrphans(query) {
      set({ orphans: { status: 'loading', query } });
      try {
        const { uploads } = await api.listOrphans(query);
        const current = get().orphans;
        if (current.status === 'loading' && sameQuery(current.query, query)) set({ orphans: { status: 'ready', query, uploads } });
      } catch (error) {
        const current = get().orphans;
        if (current.status === 'loading' && sameQuery(current.query, query))
          set({ orphans: { status: 'error', query, error: errorInfo(error) } });
      }
    },

    async abortOrphans(uploads) {
      const orphans = get().orphans;
      if (orphans.status !== 'ready' || uploads.length === 0) return false;
      const { endpointId, bucket } = orphans.query;
      try {
        const { aborted } = await api.abortOrphans({ endpointId, bucket, uploads: [...uploads] });
        get().notify(
          'info',
          `${count(aborted, 'incomplete upload')} aborted`,
          'Their parts were deleted from the server and are no longer billed.',
        );
        await get().listOrphans(orphans.query);
        return true;
      } catch (error) {
        get().reportError(`Could not abort ${count(uploads.length, 'incomplete upload')}`, error);
        return false;
      }
    },
  };
};
