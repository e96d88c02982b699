/**
 * The host service: the contract (shared/contract.ts) implemented on the engine, the endpoint
 * registry and the settings, once for every window host. The Electron main process and the browser
 * host only carry messages: each calls {@link HostService.dispatch} with what the page sent (validated
 * here with the contract's schemas; the page is untrusted) and forwards {@link HostService.onEvent}.
 *
 * Events are coalesced: job changes are sent in one batch per tick, progress in one batch per
 * interval, so ten thousand jobs cost a few messages a second.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { randomUUID } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import {
  commandSchemas,
  isCommandName,
  type BrowserFileInfo,
  type CommandName,
  type CommandResponses,
  type DirectoryListing,
  type EndpointView,
  type Envelope,
  type EventName,
  type Events,
  type HostInfo,
  type JobView,
  type ProgressUpdate,
  type Settings,
  type Snapshot,
} from '../../shared/contract.ts';
import { assignBatches } from '../../shared/batch.ts';
import { FerryError, toErrorInfo } from '../../shared/errors.ts';
import { isFinal, type Job } from '../../shared/job.ts';
import { firstIssue } from '../../shared/endpointInput.ts';
import { Engine, type EngineOptions } from '../engine/engine.ts';
import { serveControl, type ControlServer } from '../engine/control.ts';
import type { TransferSettings } from '../engine/transferSettings.ts';
import type { BrowserFileReader } from '../engine/browserSource.ts';
import { EndpointRegistry, type EndpointSummary } from '../endpoints/registry.ts';
import { probeEndpoint } from '../endpoints/probe.ts';
import type { ServerKind } from '../../shared/serverKind.ts';
import type { SecretVault } from '../endpoints/vault.ts';
import { openDatabase } from '../store/database.ts';
import { readSettings, writeSettings } from '../store/settings.ts';
import { allowedRealPath, expandDropped, expandForBrowser, realPlaces } from './sources.ts';
import { protectedPlaces, refusal, type ProtectedPlace } from './pathPolicy.ts';
import { BrowserSession } from './browserSession.ts';
import { FIRST_PAGE_JOBS, SnapshotPages } from './snapshotPages.ts';
import { encodeJobPage } from '../../shared/jobPage.ts';
import { handoffHandlers } from './handoff.ts';
import { COMPACT_AFTER_JOBS, compactHeap, QuietCompactor } from './heap.ts';
import type { DatabaseSync } from 'node:sqlite';
import { withDefaults, type EndpointDefaults, type UploadOptions } from '../../shared/uploadOptions.ts';
import { isWaitingForAnswer } from '../../shared/existsAnswer.ts';

/**
 * The window's options for a drop: its own, over the endpoint's defaults, and `ask` when neither says
 * what to do with an existing key (the window's default, issue #12; the CLI's is overwrite).
 */
function windowOptions(options: UploadOptions | undefined, defaults: EndpointDefaults | undefined): UploadOptions {
  const merged = withDefaults(options ?? {}, defaults);
  return merged.ifExists === undefined ? { ...merged, ifExists: 'ask' } : merged;
}
import { adoptUpload } from '../engine/adopt.ts';
import { checkReceiptsFolder, receiptOf, writeReceiptFile } from './receipts.ts';

export { BrowserSession };

/** The shortest time between two jobsChanged messages while jobs change without pause. */
const CHANGED_INTERVAL_MS = 100;

export interface HostServiceOptions {
  dataDir: string;
  vault: SecretVault;
  extraVaults?: SecretVault[];
  host: Omit<HostInfo, 'vaultWarning' | 'controlWarning'>;
  /** Open the control channel for `ferry pause|resume|abort|retry` (default true). */
  control?: boolean;
  env?: NodeJS.ProcessEnv;
  engine?: Partial<Omit<EngineOptions, 'dataDir' | 'endpoints'>>;
  /** How often progress is sent (ms). */
  progressIntervalMs?: number;
}

type Listener = <E extends EventName>(event: E, payload: Events[E]) => void;
type Handler<C extends CommandName> = (
  request: ReturnType<(typeof commandSchemas)[C]['parse']>,
  session: BrowserSession | null,
) => Promise<CommandResponses[C]>;

function toEndpointView(endpoint: EndpointSummary): EndpointView {
  const { createdAt: _createdAt, ...view } = endpoint;
  return view;
}

export class HostService {
  readonly engine: Engine;
  readonly registry: EndpointRegistry;
  readonly #db: DatabaseSync;
  readonly #host: HostInfo;
  readonly #dataDir: string;
  #places: Promise<ProtectedPlace[]> | null = null;
  readonly #listeners = new Set<Listener>();
  readonly #sessions = new Set<BrowserSession>();
  readonly #changed = new Map<string, Job>();
  /** Jobs added and not yet told (see 'jobs-added'). */
  readonly #added = new Map<string, Job>();
  /** The rest of each snapshot's jobs, for jobsPage. */
  readonly #pages = new SnapshotPages();
  /** Gives back what a window's reading of a large list left behind (heap.ts), once no upload is sending. */
  readonly #compactor = new QuietCompactor(1000, compactHeap, () => this.engine.stats().bytesSent);
  readonly #progress = new Map<string, ProgressUpdate>();
  #flushScheduled = false;
  /** When jobsChanged was last sent (performance.now()): see #scheduleFlush. */
  #lastChangedFlush = -Infinity;
  readonly #progressTimer: NodeJS.Timeout;
  readonly #offEngine: () => void;
  #settings: Settings;
  #control: ControlServer | null = null;
  /** Aborted by close(): background requests (the endpoints' server detection) stop with it. */
  readonly #closing = new AbortController();

  private constructor(
    engine: Engine,
    registry: EndpointRegistry,
    db: DatabaseSync,
    host: HostInfo,
    settings: Settings,
    progressIntervalMs: number,
    dataDir: string,
  ) {
    this.#dataDir = dataDir;
    this.engine = engine;
    this.registry = registry;
    this.#db = db;
    this.#host = host;
    this.#settings = settings;
    this.#offEngine = engine.events.on((event) => {
      switch (event.type) {
        case 'jobs-added':
          // told once the command that added them has done its part (a page's drop attaches each
          // job's file right after): the views then say what the window must show
          for (const job of event.jobs) this.#added.set(job.id, job);
          if (this.#added.size === event.jobs.length) setImmediate(() => this.#flushAdded());
          break;
        case 'job-changed':
          if (event.job.state === 'completed' && this.#settings.receiptsFolder)
            void this.#writeReceipt(event.job.id, this.#settings.receiptsFolder);
          this.#changed.set(event.job.id, event.job);
          this.#progress.delete(event.job.id);
          this.#scheduleFlush();
          break;
        case 'progress':
          this.#progress.set(event.jobId, { id: event.jobId, bytesDone: event.bytesDone, bytesPerSecond: event.bytesPerSecond });
          break;
        case 'jobs-removed':
          // a change still waiting to be sent would bring a removed job back to the window
          for (const id of event.ids) {
            this.#added.delete(id);
            this.#changed.delete(id);
            this.#progress.delete(id);
          }
          this.#emit('jobsRemoved', { ids: event.ids });
          break;
        case 'retrying':
        case 'retry-cleared': {
          const job = engine.get(event.jobId);
          if (job) this.#changed.set(job.id, job);
          this.#scheduleFlush();
          break;
        }
        case 'part-uploaded':
        case 'idle':
          break;
      }
    });
    this.#progressTimer = setInterval(() => this.#flushProgress(), progressIntervalMs);
    this.#progressTimer.unref();
  }

  static async open(options: HostServiceOptions): Promise<HostService> {
    const db = openDatabase(options.dataDir);
    const settings = readSettings(db);
    const registry = new EndpointRegistry({ dataDir: options.dataDir, vault: options.vault, extraVaults: options.extraVaults, db });
    let engine: Engine;
    try {
      engine = await Engine.open({
        bandwidthLimit: settings.bandwidthLimit ?? null,
        dataDir: options.dataDir,
        endpoints: registry,
        interrupted: settings.resumeOnLaunch ? 'resume' : 'pause',
        giveUpAfterMs: (settings.giveUpAfterMinutes ?? 15) * 60_000,
        vault: options.vault,
        maxActiveJobs: settings.filesAtOnce,
        partConcurrency: settings.partsPerFile,
        ...(settings.partSize ? { partSize: settings.partSize } : {}),
        ...options.engine,
      });
      engine.setTransferSettings({}); // the request limit follows files at once and parts per file
    } catch (error) {
      db.close();
      throw error;
    }
    // a host stays up for hours: what loading a large store left behind is given back once (heap.ts)
    if (engine.ids().length >= COMPACT_AFTER_JOBS) compactHeap();
    // the control channel opens after the engine, here in the host, and a failure is shown, not swallowed
    let control: ControlServer | null = null;
    let controlWarning: string | null = null;
    if (options.control !== false) {
      try {
        control = await serveControl(options.dataDir, (action, ids) => engine.command(action, ids), {
          env: options.env,
          onLimit: (bytesPerSecond) => engine.setBandwidthLimit(bytesPerSecond),
          // `ferry upload` in another terminal hands its jobs over (issue #13)
          ...handoffHandlers(engine, registry, options.dataDir, options.host.kind),
        });
      } catch (error) {
        controlWarning = (error as Error).message;
        console.error(`ferry: warning: ${controlWarning}`);
      }
    }
    const host: HostInfo = { ...options.host, vaultWarning: options.vault.warning, controlWarning };
    const service = new HostService(engine, registry, db, host, settings, options.progressIntervalMs ?? 250, options.dataDir);
    service.#control = control;
    void service.#detectServers();
    return service;
  }

  /** Subscribes to the contract's events (for every window); returns the unsubscribe. */
  onEvent(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A browser page's connection: its files are read through it; closing it detaches them. */
  openSession(sendToPage: <E extends EventName>(event: E, payload: Events[E]) => void, browsed?: Set<string>): BrowserSession {
    const session = new BrowserSession(sendToPage, browsed);
    this.#sessions.add(session);
    return session;
  }

  async closeSession(session: BrowserSession): Promise<void> {
    this.#sessions.delete(session);
    const jobIds = session.close();
    await this.engine.sources.detach(jobIds);
    for (const id of jobIds) {
      const job = this.engine.get(id);
      if (job) this.#changed.set(id, job);
    }
    this.#scheduleFlush();
  }

  /**
   * Runs one command from a window. `command` and `request` are untrusted: the name is checked
   * against the contract and the request against its schema. Errors come back as {code, message,
   * retryable}; an unexpected error's details stay in main.
   */
  async dispatch(command: unknown, request: unknown, session: BrowserSession | null = null): Promise<Envelope<unknown>> {
    if (!isCommandName(command)) {
      const named = typeof command === 'string' ? command.slice(0, 64) : `(a ${command === null ? 'null' : typeof command}, not a name)`;
      return { ok: false, error: { code: 'INVALID_INPUT', message: `Unknown command: ${named}`, retryable: false } };
    }
    const parsed = commandSchemas[command].safeParse(request ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: { code: 'INVALID_INPUT', message: `Invalid ${command} request: ${firstIssue(parsed.error)}`, retryable: false },
      };
    }
    try {
      const handler = this.#handlers[command] as Handler<CommandName>;
      return { ok: true, value: await handler(parsed.data as never, session) };
    } catch (error) {
      if (!(error instanceof FerryError)) console.error(`ferry: ${command} failed:`, error instanceof Error ? error.message : error);
      return { ok: false, error: toErrorInfo(error) };
    }
  }

  /** Pauses nothing: running uploads are interrupted (they resume at the next start) and the store is written. */
  async close(): Promise<void> {
    this.#closing.abort();
    clearInterval(this.#progressTimer);
    this.#compactor.cancel();
    this.#offEngine();
    for (const session of this.#sessions) session.close();
    this.#sessions.clear();
    // the channel first: a command being answered still gets its reply while the engine is open
    await this.#control?.close();
    await this.engine.close();
    this.registry.close();
    this.#db.close();
  }

  get settings(): Settings {
    return { ...this.#settings };
  }

  /**
   * The snapshot's first page, and without `paged` no cursor for the rest: the browser host hands
   * that with the document of its link as a preview of the first rows (issue #13), and the page
   * then takes its own snapshot over the socket, so a cursor would only sit unread.
   */
  previewSnapshot(): Snapshot {
    return this.#snapshot(false);
  }

  #snapshot(paged: boolean): Snapshot {
    // the first page now, the rest by jobsPage (snapshotPages.ts): the first row need not wait for them all
    // ids, not copies of every job: only the first page's are read now
    const ids = this.engine.ids();
    const { first, cursor } = paged ? this.#pages.open(ids) : { first: ids.slice(0, FIRST_PAGE_JOBS), cursor: null };
    const views: JobView[] = [];
    for (const id of first) {
      const job = this.engine.get(id);
      if (job) views.push(this.#view(job));
    }
    return {
      jobs: encodeJobPage(views),
      jobCount: ids.length,
      cursor,
      endpoints: this.registry.list().map(toEndpointView),
      settings: this.settings,
      host: this.#host,
    };
  }

  // ---- commands ----

  readonly #handlers: { [C in CommandName]: Handler<C> } = {
    snapshot: async () => this.#snapshot(true),
    jobsPage: async ({ cursor }) => {
      const page = this.#pages.next(cursor);
      const views: JobView[] = [];
      for (const id of page.ids) {
        const job = this.engine.get(id);
        if (job) views.push(this.#view(job));
      }
      if (page.cursor === null && page.total >= COMPACT_AFTER_JOBS) this.#compactor.request();
      return { jobs: encodeJobPage(views), cursor: page.cursor };
    },
    addPaths: async ({ endpointId, bucket, prefix, paths, options }, session) => {
      // the desktop app uploads what the person picked or dropped; a browser page only what
      // browseFiles showed it, outside the protected places (pathPolicy.ts)
      const { files, skipped } =
        this.#host.kind === 'browser'
          ? await expandForBrowser(paths, prefix, await this.#protected(), this.#requireSession(session).browsed)
          : { files: await expandDropped(paths, prefix), skipped: [] };
      await this.engine.checkBucket(endpointId, bucket);
      const batches = assignBatches(
        files,
        (file) => file.folder ?? null,
        (file) => basename(file.path),
        randomUUID,
      );
      const merged = windowOptions(options, this.registry.get(endpointId).defaults);
      const jobs = await this.engine.addJobs(
        files.map((file, index) => ({ path: file.path, endpointId, bucket, key: file.key, batch: batches[index]!, options: merged })),
      );
      return { jobs: jobs.map((job) => this.#view(job)), ...(skipped.length > 0 ? { skipped } : {}) };
    },
    addBrowserFiles: async ({ endpointId, bucket, prefix, files, options }, session) => {
      const owner = this.#requireSession(session);
      await this.engine.checkBucket(endpointId, bucket);
      const merged = windowOptions(options, this.registry.get(endpointId).defaults);
      const batches = assignBatches(
        files,
        (file) => (file.relativePath === '' ? null : file.relativePath.split('/')[0]!),
        (file) => file.name,
        randomUUID,
      );
      const jobs = await this.engine.addJobs(
        files.map((file, index) => ({
          batch: batches[index]!,
          path: `${file.relativePath}${file.name}`,
          browserFile: { size: file.size, lastModified: file.lastModified },
          endpointId,
          bucket,
          key: `${prefix}${file.relativePath}${file.name}`,
          options: merged,
        })),
      );
      jobs.forEach((job, index) => this.#attach(owner, job.id, files[index]!));
      return { jobs: jobs.map((job) => this.#view(this.engine.get(job.id) ?? job)) };
    },
    attachBrowserFiles: async ({ files, destination }, session) => {
      const owner = this.#requireSession(session);
      const attached: { jobId: string; fileId: string }[] = [];
      const waiting = this.engine
        .list()
        .filter((job) => job.source === 'browser' && !isFinal(job.state) && !this.engine.sources.has(job.id));
      const free = (job: Job) => !attached.some((a) => a.jobId === job.id);
      // a drop names where it goes: a waiting job takes the file only if it goes there too (issue #11,
      // defect 10); else the file becomes a new job there
      const same = (job: Job, file: BrowserFileInfo) =>
        job.size === file.size &&
        job.fingerprint.mtimeMs === file.lastModified &&
        (destination === undefined ||
          (job.endpointId === destination.endpointId &&
            job.bucket === destination.bucket &&
            (job.key === `${destination.prefix}${file.relativePath}${file.name}` || job.key === `${destination.prefix}${file.name}`)));
      for (const file of files) {
        // the same path, size and modification time; or, for a file that was inside a dropped
        // folder and is dropped alone now, the one waiting job with its name, size and time
        let match = waiting.find((job) => free(job) && same(job, file) && job.path === `${file.relativePath}${file.name}`);
        if (!match) {
          const byName = waiting.filter((job) => free(job) && same(job, file) && job.path.split('/').pop() === file.name);
          if (byName.length === 1) match = byName[0];
        }
        if (!match) continue;
        this.#attach(owner, match.id, file);
        attached.push({ jobId: match.id, fileId: file.fileId });
        this.#changed.set(match.id, this.engine.get(match.id)!);
      }
      this.#scheduleFlush();
      return { attached };
    },
    pauseJobs: async ({ ids }) => {
      await this.engine.pause(ids);
      return {};
    },
    resumeJobs: async ({ ids }) => {
      this.engine.resume(ids);
      return {};
    },
    retryJobs: async ({ ids, restart }) => {
      await this.engine.retry(ids, { restart });
      return {};
    },
    abortJobs: async ({ ids }) => {
      await this.engine.abort(ids);
      return {};
    },
    clearJobs: async ({ ids }) => {
      this.engine.removeJobs(ids);
      return {};
    },
    answerExists: async ({ ids, answer, wholeBatch }) => {
      this.engine.answerExists(ids, answer, { wholeBatch });
      return {};
    },
    addEndpoint: async (request) => {
      const endpoint = this.registry.add(request);
      this.#emitEndpoints();
      return toEndpointView(endpoint);
    },
    updateEndpoint: async ({ id, ...edit }) => {
      const endpoint = this.registry.update(id, edit);
      this.engine.forgetEndpoint(id);
      this.#emitEndpoints();
      return toEndpointView(endpoint);
    },
    removeEndpoint: async ({ id }) => {
      const endpoint = this.registry.get(id);
      const users = this.engine.list().filter((job) => job.endpointId === endpoint.id && !isFinal(job.state) && job.state !== 'failed');
      if (users.length > 0) {
        throw new FerryError(
          'INVALID_INPUT',
          `${users.length} unfinished upload${users.length === 1 ? ' uses' : 's use'} "${endpoint.name}": finish or abort ${users.length === 1 ? 'it' : 'them'} first.`,
        );
      }
      this.registry.remove(endpoint.id);
      this.engine.forgetEndpoint(endpoint.id);
      this.#emitEndpoints();
      return {};
    },
    testEndpoint: async ({ id, bucket }) => {
      const endpointId = this.registry.get(id).id;
      const { ok, latencyMs, buckets, clockOffsetMs, warnings, error, server } = await probeEndpoint(this.registry, endpointId, {
        bucket,
        signal: this.#closing.signal,
      });
      this.#recordServer(endpointId, server);
      return { ok, latencyMs, buckets, clockOffsetMs, warnings, error, server };
    },
    listBuckets: async ({ endpointId }) => ({ buckets: await this.engine.listBuckets(this.registry.get(endpointId).id) }),
    listOrphans: async ({ endpointId, bucket, prefix }) => ({ uploads: await this.engine.listOrphans(endpointId, bucket, prefix) }),
    abortOrphans: async ({ endpointId, bucket, uploads }) => ({ aborted: await this.engine.abortOrphans(endpointId, bucket, uploads) }),
    browseFiles: async ({ path, showHidden }, session) => {
      if (this.#host.kind !== 'browser') return browse(resolve(path ?? homedir()), null, showHidden ?? false);
      const browsed = this.#requireSession(session).browsed;
      const listing = await browse(
        await allowedRealPath(path ?? homedir(), await this.#protected()),
        await this.#protected(),
        showHidden ?? false,
      );
      if (browsed.size > 100_000) browsed.clear();
      for (const entry of listing.entries) browsed.add(entry.path);
      return listing;
    },
    shareLink: async ({ jobId, expiresInSeconds }) => ({ url: await this.engine.shareLink(jobId, expiresInSeconds) }),
    sendChangesOnly: async ({ id }) => this.engine.sendChangesOnly(id),
    jobReceipt: async ({ id }) => receiptOf(this.engine, id, (endpointId) => this.#endpointName(endpointId)),
    adoptOrphan: async ({ endpointId, bucket, key, uploadId, path }, session) => {
      // a browser page adopts with a file "Resume with a local file…" showed it, outside the protected places
      const file =
        this.#host.kind === 'browser'
          ? (await expandForBrowser([path], '', await this.#protected(), this.#requireSession(session).browsed)).files[0]!.path
          : path;
      const { job, message } = await adoptUpload(
        this.engine,
        this.registry,
        { endpointId: this.registry.get(endpointId).id, bucket, key, uploadId },
        file,
        AbortSignal.timeout(60_000),
      );
      return { job: this.#view(job), message };
    },
    setSettings: async (patch) => {
      if (patch.receiptsFolder)
        patch.receiptsFolder = await checkReceiptsFolder(
          patch.receiptsFolder,
          this.#host.kind === 'browser' ? await this.#protected() : null,
        );
      if (patch.bandwidthLimit !== undefined) this.engine.setBandwidthLimit(patch.bandwidthLimit);
      this.#settings = writeSettings(this.#db, patch);
      this.engine.setGiveUpAfter((this.#settings.giveUpAfterMinutes ?? 15) * 60_000);
      this.engine.setTransferSettings(transferPatch(patch));
      this.#emit('settingsChanged', this.settings);
      return this.settings;
    },
  };

  // ---- internals ----

  /** Keeps the server an endpoint's answers came from (the window names it: "Ceph RGW"). */
  #recordServer(endpointId: string, server: ServerKind | null): void {
    if (server === null) return;
    try {
      if (this.registry.recordServer(endpointId, server)) this.#emitEndpoints();
    } catch {
      // removed while it was being tested: nothing to name
    }
  }

  /**
   * Endpoints never tested (added from the command line, or before servers were told apart) are
   * asked once, in the background, which server they run; one that does not answer is asked again
   * at the next start.
   */
  async #detectServers(): Promise<void> {
    for (const endpoint of this.registry.list()) {
      if (endpoint.server !== undefined || this.#closing.signal.aborted) continue;
      const result = await probeEndpoint(this.registry, endpoint.id, { signal: this.#closing.signal }).catch(() => null);
      if (result && !this.#closing.signal.aborted) this.#recordServer(endpoint.id, result.server);
    }
  }

  #endpointName(endpointId: string): string {
    return this.registry.list().find((endpoint) => endpoint.id === endpointId)?.name ?? 'a removed endpoint';
  }

  /** The receipts setting (issue #15): a completed upload's receipt, written to the folder; a failure is logged in words. */
  async #writeReceipt(jobId: string, folder: string): Promise<void> {
    try {
      await writeReceiptFile(folder, receiptOf(this.engine, jobId, (endpointId) => this.#endpointName(endpointId)).receipt);
    } catch (error) {
      console.error(`ferry: the receipt of job ${jobId.slice(0, 8)} was not written to ${folder}: ${(error as Error).message}`);
    }
  }

  /** The places a browser page may not read, with their real paths (resolved once). */
  #protected(): Promise<ProtectedPlace[]> {
    this.#places ??= realPlaces(protectedPlaces({ dataDir: this.#dataDir, home: homedir() }));
    return this.#places;
  }

  #requireSession(session: BrowserSession | null): BrowserSession {
    if (!session) throw new FerryError('INVALID_INPUT', 'Files from a browser page can only be added through the browser host.');
    return session;
  }

  #attach(session: BrowserSession, jobId: string, file: BrowserFileInfo): void {
    const reader: BrowserFileReader = session.reader(jobId, file.fileId);
    this.engine.sources.attach(jobId, reader);
  }

  #view(job: Job): JobView {
    return {
      id: job.id,
      state: job.state,
      name: job.path.split(/[\\/]/).pop() || job.path,
      path: job.path,
      source: job.source,
      endpointId: job.endpointId,
      bucket: job.bucket,
      key: job.key,
      size: job.size,
      bytesDone: job.bytesDone,
      partSize: job.partSize,
      partCount: job.partCount,
      multipart: job.multipart,
      error: job.error,
      retry: job.state === 'uploading' ? this.engine.retryOf(job.id) : null,
      waitingForFile: this.engine.sources.isWaitingForFile(job),
      ...(isWaitingForAnswer(job) ? { waitingForAnswer: true } : {}),
      createdAt: job.createdAt,
      completedAt: job.completedAt,
      ...(job.options ? { options: job.options } : {}),
      ...(job.skipped ? { skipped: true } : {}),
      batchId: job.batchId,
      batchName: job.batchName,
    };
  }

  #emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.#listeners) listener(event, payload);
  }

  #emitEndpoints(): void {
    this.#emit('endpointsChanged', { endpoints: this.registry.list().map(toEndpointView) });
  }

  /** Sends the jobs added since the last jobsAdded, with their views as they are now (see 'jobs-added'). */
  #flushAdded(): void {
    if (this.#added.size === 0) return;
    const jobs = [...this.#added.values()].map((job) => this.#view(this.engine.get(job.id) ?? job));
    this.#added.clear();
    this.#emit('jobsAdded', { jobs });
  }

  /**
   * Sends the jobs changed since the last jobsChanged: at once after a quiet spell, else at most every
   * CHANGED_INTERVAL_MS. While thousands of small files upload, states change hundreds of times a
   * second; one message per event-loop turn made dozens of messages a second for every window to
   * parse and apply (issue #13, smooth at 10,000 jobs).
   */
  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    const flush = () => {
      this.#flushScheduled = false;
      this.#lastChangedFlush = performance.now();
      if (this.#changed.size === 0) return;
      const jobs = [...this.#changed.values()].map((job) => this.#view(this.engine.get(job.id) ?? job));
      this.#changed.clear();
      this.#emit('jobsChanged', { jobs });
    };
    const wait = this.#lastChangedFlush + CHANGED_INTERVAL_MS - performance.now();
    if (wait <= 0) setImmediate(flush);
    else setTimeout(flush, wait);
  }

  #flushProgress(): void {
    if (this.#progress.size === 0) return;
    const updates = [...this.#progress.values()];
    this.#progress.clear();
    this.#emit('jobsProgress', { updates });
  }
}

/** The engine's part of a settings change (files at once, parts per file, part size): only what it changes. */
function transferPatch(patch: Partial<Settings>): Partial<TransferSettings> {
  const { filesAtOnce, partsPerFile, partSize } = patch;
  return {
    ...(filesAtOnce !== undefined ? { filesAtOnce } : {}),
    ...(partsPerFile !== undefined ? { partsPerFile } : {}),
    ...(partSize !== undefined ? { partSize } : {}),
  };
}

/**
 * A directory of the host's disk, for the browser host's "Add files" dialog (folders first; dotfiles
 * when asked). With `places`, entries whose real path is in a protected place are left out.
 */
async function browse(dir: string, places: readonly ProtectedPlace[] | null, showHidden: boolean): Promise<DirectoryListing> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new FerryError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      `Cannot open the folder ${dir}${code === 'EACCES' ? ': permission denied' : ''}.`,
    );
  }
  const listed = await Promise.all(
    entries
      .filter((entry) => showHidden || !entry.name.startsWith('.'))
      .map(async (entry) => {
        const full = join(dir, entry.name);
        const info = await stat(full).catch(() => null);
        if (!info) return null;
        if (places) {
          const real = await realpath(full).catch(() => null);
          if (real === null || refusal(real, places) !== null) return null;
        }
        if (info.isDirectory()) return { name: entry.name, path: full, kind: 'directory' as const, size: null };
        if (info.isFile()) return { name: entry.name, path: full, kind: 'file' as const, size: info.size };
        return null;
      }),
  );
  const present = listed.filter((entry) => entry !== null);
  present.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'directory' ? -1 : 1));
  const parent = dirname(dir);
  return { path: dir, parent: parent === dir ? null : parent, entries: present };
}
