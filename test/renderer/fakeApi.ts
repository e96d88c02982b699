/**
 * A fake FerryApi for the window's tests: it records every command, answers with sensible values
 * (or what a test sets with `handle`), and lets the test emit the engine's events.
 */
import {
  BridgeError,
  COMMAND_NAMES,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
  type EndpointView,
  type EventName,
  type Events,
  type FerryApi,
  type FerryCommands,
  type JobView,
  type Snapshot,
  type SnapshotContents,
} from '../../shared/contract.ts';
import { encodeJobPage } from '../../shared/jobPage.ts';
import type { ErrorInfo } from '../../shared/errors.ts';
import { commandMethods, EventListeners } from '../../shared/wire.ts';
import { makeJob, makeSnapshot } from './fixtures.ts';

export interface Call {
  command: CommandName;
  request: unknown;
}

export interface SentFileData {
  requestId: string;
  data: ArrayBuffer | null;
  error: string | undefined;
}

type Handler<C extends CommandName> = (request: CommandRequest<C>) => CommandResponse<C> | Promise<CommandResponse<C>>;

export interface FakeApi {
  api: FerryApi;
  /** Every command in order. */
  calls: Call[];
  /** The requests of one command, in order. */
  requests<C extends CommandName>(command: C): CommandRequest<C>[];
  /** Command names in order (e.g. ['snapshot', 'attachBrowserFiles', 'addBrowserFiles']). */
  commandNames(): CommandName[];
  /** Replaces a command's answer. */
  handle<C extends CommandName>(command: C, handler: Handler<C>): void;
  /** A command's answer now (to wrap it in a new one). */
  handler<C extends CommandName>(command: C): Handler<C>;
  /** Makes a command reject with a BridgeError. */
  fail(command: CommandName, error: Partial<ErrorInfo> & { message: string }): void;
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  listenerCount(event: EventName): number;
  sentFileData: SentFileData[];
  /** What `snapshot` answers (a test may change it). */
  snapshot: SnapshotContents;
  /** Jobs per page of a snapshot (all in the first page unless set). */
  pageSize: number;
  /** The host's answer to `snapshot` for `contents`: its first page, and a cursor that `jobsPage` serves. */
  answerSnapshot(contents: SnapshotContents): Snapshot;
}

export function createFakeApi(snapshot: Partial<SnapshotContents> = {}): FakeApi {
  const state = makeSnapshot(snapshot);
  /** The pages not yet read, by cursor. */
  const cursors = new Map<string, JobView[][]>();
  let nextCursor = 1;
  const calls: Call[] = [];
  const listeners = new EventListeners();
  const sentFileData: SentFileData[] = [];
  let nextJob = 1;

  const jobsFor = (
    endpointId: string,
    bucket: string,
    prefix: string,
    files: { name: string; relativePath: string; size: number }[],
    source: JobView['source'],
  ): JobView[] =>
    files.map((file) =>
      makeJob({
        id: `new-${nextJob++}`,
        name: file.name,
        path: `${file.relativePath}${file.name}`,
        source,
        endpointId,
        bucket,
        key: `${prefix}${file.relativePath}${file.name}`,
        size: file.size,
        state: 'queued',
        bytesDone: 0,
      }),
    );

  function answerSnapshot(contents: SnapshotContents): Snapshot {
    const copy = structuredClone(contents);
    const pages: JobView[][] = [];
    for (let start = 0; start < copy.jobs.length; start += fake.pageSize) pages.push(copy.jobs.slice(start, start + fake.pageSize));
    const [first = [], ...rest] = pages;
    let cursor: string | null = null;
    if (rest.length > 0) cursors.set((cursor = `cursor-${nextCursor++}`), rest);
    return { ...copy, jobs: encodeJobPage(first), jobCount: copy.jobs.length, cursor };
  }

  const handlers: { [C in CommandName]: Handler<C> } = {
    snapshot: () => answerSnapshot(fake.snapshot),
    jobsPage: ({ cursor }) => {
      const rest = cursors.get(cursor);
      if (!rest)
        throw new BridgeError({ code: 'INVALID_INPUT', message: 'This list of uploads is no longer available.', retryable: false });
      const page = rest.shift()!;
      if (rest.length === 0) cursors.delete(cursor);
      return { jobs: encodeJobPage(page), cursor: rest.length > 0 ? cursor : null };
    },
    addPaths: ({ endpointId, bucket, prefix, paths }) => ({
      jobs: jobsFor(
        endpointId,
        bucket,
        prefix,
        paths.map((path) => ({ name: path.split('/').pop() ?? path, relativePath: '', size: 1024 })),
        'disk',
      ),
    }),
    addBrowserFiles: ({ endpointId, bucket, prefix, files }) => ({ jobs: jobsFor(endpointId, bucket, prefix, files, 'browser') }),
    attachBrowserFiles: () => ({ attached: [] }),
    pauseJobs: () => ({}),
    resumeJobs: () => ({}),
    retryJobs: () => ({}),
    abortJobs: () => ({}),
    clearJobs: () => ({}),
    answerExists: () => ({}),
    addEndpoint: (request) => endpointFrom(`endpoint-${nextJob++}`, request),
    updateEndpoint: (request) => {
      const before = state.endpoints.find((endpoint) => endpoint.id === request.id)!;
      return {
        ...endpointFrom(request.id, {
          ...before,
          ...request,
          credential: request.credential ?? { kind: 'aws-profile', profile: 'unused' },
        }),
        credential: request.credential ? summary(request.credential) : before.credential,
      };
    },
    removeEndpoint: () => ({}),
    testEndpoint: () => ({ ok: true, latencyMs: 42, buckets: ['photos', 'backups'], clockOffsetMs: 1200, warnings: [], error: null }),
    listBuckets: () => ({ buckets: ['photos', 'backups'] }),
    listOrphans: () => ({ uploads: [] }),
    abortOrphans: ({ uploads }) => ({ aborted: uploads.length }),
    browseFiles: ({ path }) => ({ path: path ?? '/home/ana', parent: '/home', entries: [] }),
    setSettings: (patch) => ({ ...state.settings, ...patch }),
    shareLink: ({ jobId, expiresInSeconds }) => ({ url: `https://s3.example/${jobId}?X-Amz-Expires=${expiresInSeconds}` }),
    sendChangesOnly: ({ id }) => ({ jobId: id, message: 'Sending only what changed.' }),
    jobReceipt: ({ id }) => {
      throw new BridgeError({ code: 'INVALID_INPUT', message: `No receipt for ${id} in the fake.`, retryable: false });
    },
    adoptOrphan: ({ path }) => ({
      job: makeJob({ id: `new-${nextJob++}`, path, name: path.split('/').pop() ?? path }),
      message: 'Adopted.',
    }),
  };

  const api: FerryApi = {
    ...commandMethods<FerryCommands>(COMMAND_NAMES, (name) => async (request) => {
      calls.push({ command: name, request: structuredClone(request) });
      await Promise.resolve();
      return (handlers[name] as Handler<typeof name>)(request);
    }),
    on: (event, listener) => listeners.on(event, listener),
    sendFileData(requestId, data, error) {
      sentFileData.push({ requestId, data, error });
    },
  };

  const fake: FakeApi = {
    api,
    calls,
    requests: <C extends CommandName>(name: C) =>
      calls.filter((call) => call.command === name).map((call) => call.request as CommandRequest<C>),
    commandNames: () => calls.map((call) => call.command),
    handle(name, handler) {
      (handlers as Record<CommandName, unknown>)[name] = handler;
    },
    handler: <C extends CommandName>(name: C) => handlers[name] as Handler<C>,
    fail(name, error) {
      (handlers as Record<CommandName, unknown>)[name] = () => {
        throw new BridgeError({ code: error.code ?? 'UNKNOWN', message: error.message, retryable: error.retryable ?? false });
      };
    },
    emit: (event, payload) => listeners.emit(event, payload),
    listenerCount: (event) => listeners.count(event),
    sentFileData,
    snapshot: state,
    pageSize: Number.POSITIVE_INFINITY,
    answerSnapshot,
  };
  return fake;
}

function summary(credential: CommandRequest<'addEndpoint'>['credential']): EndpointView['credential'] {
  return credential.kind === 'static'
    ? { kind: 'static', accessKeyId: credential.accessKeyId }
    : { kind: 'aws-profile', profile: credential.profile };
}

function endpointFrom(id: string, request: CommandRequest<'addEndpoint'>): EndpointView {
  return {
    id,
    name: request.name,
    url: request.url ?? 'https://s3.us-east-1.amazonaws.com',
    region: request.region ?? 'us-east-1',
    addressing: request.addressing ?? 'path',
    checksums: request.checksums ?? 'when-required',
    credential: summary(request.credential),
  };
}
