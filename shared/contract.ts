/**
 * The one contract between the window (renderer) and the engine's hosts (Electron main, the browser
 * host, tests). Every command is a request -> response pair with a zod schema for the request (main
 * validates every payload: the renderer is untrusted); every event is a typed message from main.
 *
 * Transports carry a command as {command, request} and answer with a {@link Envelope}; the page sees
 * one object with one method per command ({@link FerryApi}), never a generic invoke.
 */
import * as z from 'zod';
import { caFileSchema, credentialInputSchema, endpointNameSchema, endpointUrlSchema, type CredentialSummary } from './endpointInput.ts';
import type { EndpointProfile } from './endpoint.ts';
import type { ErrorInfo } from './errors.ts';
import type { JobState } from './job.ts';
import type { JobPage } from './jobPage.ts';
import { commandMethods } from './wire.ts';
import { MAX_LINK_SECONDS, uploadOptionsSchema, type UploadOptions } from './uploadOptions.ts';
import { EXISTS_ANSWERS } from './existsAnswer.ts';
import type { JobRetry } from './retry.ts';
import type { ServerKind } from './serverKind.ts';
import type { Receipt } from './receipt.ts';

// ---- the views the renderer sees (no secret, no file-system detail it does not need) ----

export interface JobView {
  id: string;
  state: JobState;
  /** The file's name (last path segment). */
  name: string;
  /** A disk path (desktop, host disk) or the path relative to the dropped folder (browser). */
  path: string;
  source: 'disk' | 'browser';
  endpointId: string;
  bucket: string;
  key: string;
  size: number;
  bytesDone: number;
  partSize: number;
  partCount: number;
  multipart: boolean;
  error: ErrorInfo | null;
  /** An uploading job waiting to retry a failed request (the endpoint down, a server error), or null. */
  retry: JobRetry | null;
  /** A browser job whose file is not available (the host restarted): drop the same file again. */
  waitingForFile: boolean;
  /**
   * The key exists and the job asks what to do (the window's if-exists default; paused with an
   * ANSWER_NEEDED error): answer with answerExists. Absent means false.
   */
  waitingForAnswer?: boolean;
  createdAt: number;
  completedAt: number | null;
  /** What the object is sent with (issue #12; no secret); absent on jobs from before options existed. */
  options?: UploadOptions;
  /** Completed without uploading: the key existed and if-exists said skip. */
  skipped?: boolean;
  /** The drop, folder or command the job came with: a batch of several files is one item in the window. */
  batchId: string | null;
  /** The batch's name (the folder's, or "a.txt and 2 more"). */
  batchName: string | null;
}

export interface EndpointView extends EndpointProfile {
  credential: CredentialSummary;
}

export interface Settings {
  /** After a restart, resume uploads that were running (true) or leave them paused. */
  resumeOnLaunch: boolean;
  theme: 'system' | 'light' | 'dark';
  /** Bytes per second across all uploads, or null (or absent) for no limit (issue #12). */
  bandwidthLimit?: number | null;
  /** How long an outage may last before an upload fails (minutes); it resumes on its own before that. */
  giveUpAfterMinutes?: number;
  /** Files uploading at once (issue #13); applies to files that start from now on. */
  filesAtOnce?: number;
  /** Parts of one file in flight at once (issue #13); applies to uploads added from now on. */
  partsPerFile?: number;
  /** Bytes per part for uploads added from now on, or null (or absent) for automatic (16 MiB, more for huge files). */
  partSize?: number | null;
  /** Tell the user when a batch of uploads finishes (the desktop's notifications; the browser's with its permission). */
  notifyOnFinish?: boolean;
  /** The bucket and prefix last chosen per endpoint id, restored when that endpoint is chosen (issue #13). */
  destinations?: Record<string, RememberedDestination>;
  /** The endpoint the window last uploaded to: chosen again in a new session. */
  lastEndpointId?: string | null;
  /** A folder on the host where every completed upload's receipt is written (JSON), or null (or absent): none (issue #15). */
  receiptsFolder?: string | null;
}

export interface RememberedDestination {
  bucket: string;
  /** '' or ending in '/'. */
  prefix: string;
}

/** The bounds of the transfer settings (the window's fields and the contract's schema share them). */
export const TRANSFER_LIMITS = {
  filesAtOnce: { min: 1, max: 32, default: 8 },
  partsPerFile: { min: 1, max: 32, default: 8 },
  /** S3's part sizes: 5 MiB to 5 GiB. */
  partSize: { min: 5 * 1024 * 1024, max: 5 * 1024 * 1024 * 1024 },
} as const;
/** At most this many endpoints' destinations are remembered. */
export const MAX_REMEMBERED_DESTINATIONS = 1000;

export interface HostInfo {
  kind: 'electron' | 'browser';
  version: string;
  /** Where secrets are kept has a weakness the user must know (Linux plain-text safeStorage). */
  vaultWarning: string | null;
  /** `ferry pause|resume|abort|retry` cannot reach this host (its control socket did not open), in words. */
  controlWarning?: string | null;
  /** The browser host cannot read dropped files' paths: files are streamed from the page. */
  canReadPaths: boolean;
}

/** What a snapshot says once every page of it is read: the jobs (oldest first), endpoints, settings and host. */
export interface SnapshotContents {
  jobs: JobView[];
  endpoints: EndpointView[];
  settings: Settings;
  host: HostInfo;
}

/**
 * The answer to `snapshot`: the first page of the jobs (enough to paint the first screen), in the
 * compact form of shared/jobPage.ts, and a cursor for the rest, which `jobsPage` answers a page at a
 * time from the same snapshot (issue #13: the first row of 10,000 jobs within 1 s). The jobs are the
 * ones there were when the snapshot was taken, each as it is when its page is read; events sent after
 * the snapshot's answer say what changed since, so the window applies them once the last page is in.
 */
export interface Snapshot extends Omit<SnapshotContents, 'jobs'> {
  jobs: JobPage;
  /** The snapshot's jobs in all pages (the window says "n of jobCount" while the rest arrive). */
  jobCount: number;
  /** Names the rest of the jobs for `jobsPage`, or null when `jobs` holds them all. */
  cursor: string | null;
}

/** The answer to `jobsPage`: the next page, and the cursor again (null after the last page). */
export interface JobsPage {
  jobs: JobPage;
  cursor: string | null;
}

export interface ProbeView {
  ok: boolean;
  latencyMs: number | null;
  buckets: string[] | null;
  clockOffsetMs: number | null;
  warnings: string[];
  error: ErrorInfo | null;
  /** The server that answered (Ceph RGW, MinIO…), or null when nothing did. */
  server?: ServerKind | null;
}

export interface OrphanView {
  key: string;
  uploadId: string;
  /** When the upload was started (ISO 8601), if the server says. */
  initiated: string | null;
  parts: number;
  bytes: number;
  /** The Ferry job this upload belongs to, if any. */
  jobId: string | null;
}

export interface DirectoryListing {
  path: string;
  parent: string | null;
  entries: { name: string; path: string; kind: 'file' | 'directory'; size: number | null }[];
}

// ---- request schemas ----

const id = z.string().min(1).max(200);
const ids = z.array(id).min(1).max(100_000);
const bucket = z.string().min(3).max(63);
const prefix = z
  .string()
  .max(1024)
  .refine((p) => p === '' || p.endsWith('/'), 'A prefix is empty or ends with "/".');

/** A remembered destination: the bucket may still be empty (an endpoint chosen, no bucket yet). */
export const rememberedDestinationSchema = z.object({ bucket: z.union([z.literal(''), bucket]), prefix });
/** A whole number within `limits`, refused in words that name the setting. */
const integerIn = (limits: { min: number; max: number }, what: string, unit = '') => {
  const message = `${what} must be a whole number from ${limits.min} to ${limits.max}${unit}.`;
  return z.number({ error: message }).int(message).min(limits.min, message).max(limits.max, message);
};

export const browserFileSchema = z.object({
  /** Chosen by the page; names the file in read requests. */
  fileId: z.string().min(1).max(100),
  name: z.string().min(1).max(1024),
  /** Path inside a dropped folder ('' or 'a/b/'), with '/' separators. */
  relativePath: z.string().max(4096),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  lastModified: z.number().int().min(0),
});
export type BrowserFileInfo = z.infer<typeof browserFileSchema>;

const endpointEdit = z.object({
  name: endpointNameSchema,
  url: endpointUrlSchema.optional(),
  region: z.string().trim().min(1).max(64).optional(),
  addressing: z.enum(['path', 'virtual']).optional(),
  checksums: z.enum(['when-supported', 'when-required']).optional(),
  caFile: caFileSchema.optional(),
});

/** The window's upload options: no SSE-C (a page never holds a customer key). */
const windowOptions = uploadOptionsSchema.refine((options) => options.sseC !== true, 'SSE-C is set from the command line only.');

export const commandSchemas = {
  snapshot: z.object({}),
  /** The next page of a snapshot's jobs (Snapshot.cursor). */
  jobsPage: z.object({ cursor: id }),
  addPaths: z.object({
    endpointId: id,
    bucket,
    prefix,
    paths: z.array(z.string().min(1).max(4096)).min(1).max(10_000),
    options: windowOptions.optional(),
  }),
  addBrowserFiles: z.object({
    endpointId: id,
    bucket,
    prefix,
    files: z.array(browserFileSchema).min(1).max(100_000),
    options: windowOptions.optional(),
  }),
  /** With `destination`, only jobs going there (endpoint, bucket, prefix + the file's path) take the files. */
  attachBrowserFiles: z.object({
    files: z.array(browserFileSchema).min(1).max(100_000),
    destination: z.object({ endpointId: id, bucket, prefix }).optional(),
  }),
  pauseJobs: z.object({ ids }),
  resumeJobs: z.object({ ids }),
  // restart: start over from the file as it is now (a job whose error says restart cannot be retried as is)
  retryJobs: z.object({ ids, restart: z.boolean().optional() }),
  abortJobs: z.object({ ids }),
  clearJobs: z.object({ ids }),
  /**
   * Jobs waiting because their key exists: Replace ('overwrite'), Skip or Keep both ('rename');
   * `wholeBatch`: the same answer for the rest of their drop ("apply to the rest of this drop").
   */
  answerExists: z.object({ ids, answer: z.enum(EXISTS_ANSWERS), wholeBatch: z.boolean().optional() }),
  addEndpoint: endpointEdit.extend({ credential: credentialInputSchema }),
  /** Leaves the stored secret as it is when `credential` is omitted. */
  updateEndpoint: endpointEdit.extend({ id, credential: credentialInputSchema.optional() }),
  removeEndpoint: z.object({ id }),
  testEndpoint: z.object({ id, bucket: bucket.optional() }),
  listBuckets: z.object({ endpointId: id }),
  listOrphans: z.object({ endpointId: id, bucket, prefix }),
  abortOrphans: z.object({
    endpointId: id,
    bucket,
    uploads: z
      .array(z.object({ key: z.string().min(1).max(1024), uploadId: z.string().min(1).max(1024) }))
      .min(1)
      .max(10_000),
  }),
  browseFiles: z.object({ path: z.string().max(4096).nullable(), showHidden: z.boolean().optional() }),
  setSettings: z.object({
    resumeOnLaunch: z.boolean().optional(),
    theme: z.enum(['system', 'light', 'dark']).optional(),
    bandwidthLimit: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
    giveUpAfterMinutes: z.number().int().min(1).max(10_080).optional(),
    filesAtOnce: integerIn(TRANSFER_LIMITS.filesAtOnce, 'Files at once').optional(),
    partsPerFile: integerIn(TRANSFER_LIMITS.partsPerFile, 'Parts per file').optional(),
    partSize: integerIn(TRANSFER_LIMITS.partSize, 'The part size', ' bytes (5 MiB to 5 GiB), or null for automatic').nullable().optional(),
    notifyOnFinish: z.boolean().optional(),
    destinations: z
      .record(id, rememberedDestinationSchema)
      .refine((map) => Object.keys(map).length <= MAX_REMEMBERED_DESTINATIONS, 'Too many remembered destinations.')
      .optional(),
    lastEndpointId: id.nullable().optional(),
    receiptsFolder: z.string().min(1).max(4096).nullable().optional(),
  }),
  /**
   * "Send only what changed" (issue #15): a job whose file changed keeps its upload and sends only the
   * parts that differ; a completed one is uploaded again with its unchanged parts copied on the server.
   */
  sendChangesOnly: z.object({ id }),
  /** A completed job's receipt (issue #15): the document and its readable rendering. */
  jobReceipt: z.object({ id }),
  /** "Resume with a local file…": finish an incomplete upload (an orphan) with a file on the host's disk. */
  adoptOrphan: z.object({
    endpointId: id,
    bucket,
    key: z.string().min(1).max(1024),
    uploadId: z.string().min(1).max(1024),
    path: z.string().min(1).max(4096),
  }),
  /** A presigned download link for a completed job's object (at most 7 days). */
  shareLink: z.object({ jobId: id, expiresInSeconds: z.number().int().min(1).max(MAX_LINK_SECONDS) }),
} as const;

export type CommandName = keyof typeof commandSchemas;
export type CommandRequest<C extends CommandName> = z.input<(typeof commandSchemas)[C]>;

/** What each command answers. */
export interface CommandResponses {
  snapshot: Snapshot;
  jobsPage: JobsPage;
  /** `skipped`: files inside the named folders that the browser host leaves out, with why (the window shows them). */
  addPaths: { jobs: JobView[]; skipped?: { path: string; reason: string }[] };
  addBrowserFiles: { jobs: JobView[] };
  attachBrowserFiles: { attached: { jobId: string; fileId: string }[] };
  pauseJobs: Record<string, never>;
  resumeJobs: Record<string, never>;
  retryJobs: Record<string, never>;
  abortJobs: Record<string, never>;
  clearJobs: Record<string, never>;
  answerExists: Record<string, never>;
  addEndpoint: EndpointView;
  updateEndpoint: EndpointView;
  removeEndpoint: Record<string, never>;
  testEndpoint: ProbeView;
  listBuckets: { buckets: string[] };
  listOrphans: { uploads: OrphanView[] };
  abortOrphans: { aborted: number };
  browseFiles: DirectoryListing;
  setSettings: Settings;
  shareLink: { url: string };
  /** The job that sends the changes (a new one for a completed job) and what is done, in words. */
  sendChangesOnly: { jobId: string; message: string };
  jobReceipt: { receipt: Receipt; text: string };
  adoptOrphan: { job: JobView; message: string };
}
export type CommandResponse<C extends CommandName> = CommandResponses[C];

export const COMMAND_NAMES = Object.keys(commandSchemas) as CommandName[];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(commandSchemas, value);
}

// ---- events (main -> renderer) ----

export interface ProgressUpdate {
  id: string;
  bytesDone: number;
  bytesPerSecond: number;
}

export interface Events {
  jobsAdded: { jobs: JobView[] };
  /** Jobs whose state, error or other fields changed (batched). */
  jobsChanged: { jobs: JobView[] };
  /** Progress of running jobs, coalesced (a few per second). */
  jobsProgress: { updates: ProgressUpdate[] };
  jobsRemoved: { ids: string[] };
  endpointsChanged: { endpoints: EndpointView[] };
  settingsChanged: Settings;
  /** Desktop: files handed to Ferry from outside (a second launch with paths, the dock): add them to the destination. */
  pathsOpened: { paths: string[] };
  /** Browser host: send bytes [start, end) of the file the page called `fileId` (see FerryApi.sendFileData). */
  fileReadRequested: { requestId: string; fileId: string; start: number; end: number };
}
export type EventName = keyof Events;
/** Every event, once: `satisfies` fails to compile when an event of Events is missing here (or one is extra). */
const EVENT_TABLE = {
  jobsAdded: true,
  jobsChanged: true,
  jobsProgress: true,
  jobsRemoved: true,
  endpointsChanged: true,
  settingsChanged: true,
  pathsOpened: true,
  fileReadRequested: true,
} as const satisfies { [E in EventName]: true };
export const EVENT_NAMES = Object.keys(EVENT_TABLE) as readonly EventName[];

// ---- transport shapes ----

/** Every answer to a command: a value, or an error the UI can put in words. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** One method per command: the request in, the response out (or a BridgeError). */
export type FerryCommands = { [C in CommandName]: (request: CommandRequest<C>) => Promise<CommandResponse<C>> };
/** One method per command over a transport: each answers its Envelope. */
export type FerryWireCommands = { [C in CommandName]: (request: CommandRequest<C>) => Promise<Envelope<CommandResponse<C>>> };

/** What the page holds: one method per command, `on` for events (returns the unsubscribe). */
export type FerryApi = FerryCommands & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** Browser host: the bytes for a fileReadRequested event (or an error message if the file cannot be read). */
  sendFileData(requestId: string, data: ArrayBuffer | null, error?: string): void;
};

/** The error a FerryApi method rejects with: the envelope's error, as an Error. */
export class BridgeError extends Error {
  readonly code: ErrorInfo['code'];
  readonly retryable: boolean;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'BridgeError';
    this.code = info.code;
    this.retryable = info.retryable;
  }
}

/**
 * What a transport hands the page before adaptation: each command answers its Envelope. Electron's
 * preload exposes this (plain data crosses the contextBridge intact, while a rejected Error keeps
 * only its message, electron/electron#28346); {@link fromWire} turns it into the FerryApi.
 */
export type FerryWireApi = FerryWireCommands & Pick<FerryApi, 'on' | 'sendFileData'>;

/** The value of an envelope, or its error as a BridgeError (what a FerryApi method rejects with). */
export function openEnvelope<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value;
  throw new BridgeError(envelope.error);
}

/** The FerryApi over a FerryWireApi: values, or BridgeErrors with their code and retryable flag. */
export function fromWire(wire: FerryWireApi): FerryApi {
  const commands = commandMethods<FerryCommands>(
    COMMAND_NAMES,
    (name) => async (request) =>
      openEnvelope(await (wire[name] as (request: CommandRequest<typeof name>) => Promise<Envelope<unknown>>)(request)),
  );
  return { ...commands, on: (event, listener) => wire.on(event, listener), sendFileData: (...args) => wire.sendFileData(...args) };
}
