/**
 * The uploads. `jobs` is a Map by id and every write makes a new Map in which only the changed
 * jobs are new objects, so a row that selects `jobs.get(id)` re-renders only when its own job
 * changed. `jobOrder` (the list's order) and `jobStatesVersion` (bumped when a state changes) change
 * far less often than progress, so the filtered lists and the counts are not recomputed per tick.
 */
import type { UploadOptions } from '../../shared/uploadOptions.ts';
import { EXISTS_ANSWER_WORDS, type ExistsAnswer } from '../../shared/existsAnswer.ts';
import { formOptions } from './uploadForm.ts';
import type { BrowserFileInfo, DirectoryListing, Envelope, JobView, ProgressUpdate } from '../../shared/contract.ts';
import { canTransition, isFinal, type JobEvent } from '../../shared/job.ts';
import { bucketNameProblem } from '../../shared/s3Names.ts';
import type { PickedFile } from '../files/browserFiles.ts';
import type { JobChanges } from './jobEventBatch.ts';
import { retallyJobs, tallyJobs, type JobChange, type JobTally } from './jobTally.ts';
import { pathsOf, pickedFromInput, readDroppedFiles } from '../files/dropReader.ts';
import { count } from '../format.ts';
import type { FerryState, SliceCreator } from './store.ts';
import { errorInfo } from './uiSlice.ts';

/** A job as the window holds it: the engine's view plus the speed of the last progress update. */
export interface JobEntry extends JobView {
  bytesPerSecond: number;
}

/** What a toolbar or a row can do to jobs; `clear` removes finished ones from the list. */
export type JobAction = 'pause' | 'resume' | 'retry' | 'abort' | 'clear';

/** Whether `action` applies to a job in `state` (the transition table of shared/job.ts decides). */
export function canApply(action: JobAction, job: Pick<JobView, 'state'>): boolean {
  if (action === 'clear') return isFinal(job.state);
  const event: JobEvent = action;
  return canTransition(job.state, event);
}

export interface JobsSlice {
  jobs: ReadonlyMap<string, JobEntry>;
  jobOrder: readonly string[];
  /** Bumped whenever the set of jobs or a job's state changes: what filters and counts depend on. */
  jobStatesVersion: number;
  /** The sums over all jobs (summary, tabs, group rows), kept with `jobs` by difference (jobTally.ts). */
  jobTally: JobTally;

  /** Replaces every job (a snapshot). */
  replaceJobs(jobs: readonly JobView[]): void;
  /** Adds new jobs at the end and replaces known ones (a page of a snapshot; answers go through applyAnswer). */
  upsertJobs(jobs: readonly JobView[]): void;
  applyProgress(updates: readonly ProgressUpdate[]): void;
  removeJobs(ids: readonly string[]): void;
  /**
   * Removals, then new and changed jobs, then progress, in one write (one new Map, one
   * notification): what the window applies once per frame (jobEventBatch.ts).
   */
  applyJobChanges(changes: Partial<JobChanges>): void;

  pauseJobs(ids: readonly string[]): Promise<void>;
  /** Copies a presigned download link of a completed job's object (issue #12). */
  copyLink(id: string, expiresInSeconds: number): Promise<void>;
  resumeJobs(ids: readonly string[]): Promise<void>;
  retryJobs(ids: readonly string[]): Promise<void>;
  abortJobs(ids: readonly string[]): Promise<void>;
  /** Removes finished jobs from the list (the objects stay in the bucket). */
  clearJobs(ids: readonly string[]): Promise<void>;
  /**
   * Answers jobs that wait because their key exists (issue #12): Replace, Skip or Keep both; with
   * `wholeBatch`, the rest of their drop gets the same answer.
   */
  answerExists(ids: readonly string[], answer: ExistsAnswer, wholeBatch: boolean): Promise<void>;

  /** Browser host: offers dropped or chosen files; first to the jobs waiting for them, the rest as new uploads. */
  uploadFiles(files: readonly PickedFile[]): Promise<void>;
  /** Files and folders on the host's disk (Electron drop, or the host-disk browser). */
  uploadPaths(paths: readonly string[]): Promise<void>;
  /**
   * A drop on the window, or files chosen with an <input type=file>: by path where the host reads
   * paths (Electron), else streamed from the page. Call it from the drop handler itself: the
   * dropped items can be read only while the event is handled.
   */
  uploadTransfer(transfer: DataTransfer | FileList): Promise<void>;
  /**
   * After a reconnect the browser host has forgotten which page holds which file (its jobs wait
   * for their files): offers it the files this page still holds, so no new drop is needed. The
   * jobs it attached are shown as no longer waiting at once.
   */
  reattachBrowserFiles(): Promise<void>;
  /** Browser host: "Choose file…" on a job waiting for its file: gives it that file (name, size and time must match). */
  chooseFileFor(jobId: string, file: File): Promise<void>;
  /** A folder of the host's disk, for the "Add files…" browser (null: the host's starting folder). */
  browseHostFiles(path: string | null, showHidden?: boolean): Promise<Envelope<DirectoryListing>>;
}

/** Why the destination cannot take uploads now, in words; null when it can. */
export function destinationProblem(state: Pick<FerryState, 'destination' | 'endpoints'>): string | null {
  const { endpointId, bucket } = state.destination;
  if (state.endpoints.length === 0) return 'Add an endpoint first: the S3 service to upload to.';
  if (!endpointId || !state.endpoints.some((endpoint) => endpoint.id === endpointId)) return 'Choose an endpoint to upload to.';
  if (bucket.trim() === '') return 'Choose a bucket to upload to.';
  return bucketNameProblem(bucket.trim());
}

/** '' stays ''; anything else ends with exactly one '/'; no leading '/'. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/^\/+/, '');
  if (trimmed === '') return '';
  return trimmed.replace(/\/*$/, '/');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

export const createJobsSlice: SliceCreator<JobsSlice> = (deps) => (set, get) => {
  const { api, files, desktop } = deps;

  function entry(view: JobView, previous: JobEntry | undefined): JobEntry {
    const bytesPerSecond = view.state === 'uploading' && previous ? previous.bytesPerSecond : 0;
    return { ...view, bytesPerSecond };
  }

  /** Sends one job command for `ids` (in chunks the contract accepts) and puts a failure in words. */
  async function jobCommand(action: Exclude<JobAction, 'clear'>, ids: readonly string[]): Promise<boolean> {
    if (ids.length === 0) return true;
    const send = { pause: api.pauseJobs, resume: api.resumeJobs, retry: api.retryJobs, abort: api.abortJobs }[action];
    // said at once: the engine answers when the requests in flight have stopped
    const pending = action === 'pause' ? 'pausing' : action === 'abort' ? 'aborting' : null;
    if (pending) get().markPending(ids, pending);
    try {
      for (const part of chunks(ids, 100_000)) await send({ ids: part });
      return true;
    } catch (error) {
      if (pending) get().markPending(ids, null);
      get().reportError(`Could not ${action} ${ids.length === 1 ? nameOf(ids[0]!) : count(ids.length, 'upload')}`, error);
      return false;
    }
  }

  function nameOf(id: string): string {
    return get().jobs.get(id)?.name ?? 'the upload';
  }

  /** The destination ready to send, or null after saying what is missing. */
  function readyDestination(what: string): { endpointId: string; bucket: string; prefix: string; options?: UploadOptions } | null {
    const state = get();
    const problem = destinationProblem(state);
    if (problem) {
      state.notify('error', `${what} not added`, problem);
      return null;
    }
    const { endpointId, bucket, prefix } = state.destination;
    const { options, problem: optionsProblem } = formOptions(state.uploadForm);
    if (options === null) {
      state.notify('error', `${what} not added`, `The upload options have a problem. ${optionsProblem}`);
      return null;
    }
    state.rememberDestination(); // where files went is where the next session starts (issue #13)
    return {
      endpointId,
      bucket: bucket.trim(),
      prefix: normalizePrefix(prefix),
      ...(Object.keys(options).length > 0 ? { options } : {}),
    };
  }

  function showNewJobs(): void {
    const { filter, setFilter } = get();
    if (filter !== 'all' && filter !== 'active') setFilter('all');
  }

  return {
    jobs: new Map(),
    jobOrder: [],
    jobStatesVersion: 0,
    jobTally: tallyJobs([]),

    replaceJobs(views) {
      const jobs = new Map<string, JobEntry>();
      const previous = get().jobs;
      for (const view of views) jobs.set(view.id, entry(view, previous.get(view.id)));
      const selected = new Set([...get().selected].filter((id) => jobs.has(id)));
      set({ jobs, jobOrder: [...jobs.keys()], jobStatesVersion: get().jobStatesVersion + 1, jobTally: tallyJobs(jobs.values()), selected });
    },

    upsertJobs(views) {
      get().applyJobChanges({ upserts: views });
    },

    applyProgress(updates) {
      get().applyJobChanges({ progress: updates });
    },

    removeJobs(ids) {
      get().applyJobChanges({ removed: ids });
    },

    applyJobChanges({ removed = [], upserts = [], progress = [] }) {
      const state = get();
      const current = state.jobs;
      let jobs: Map<string, JobEntry> | null = null;
      const writable = () => (jobs ??= new Map(current));
      let jobOrder = state.jobOrder;
      let statesChanged = false;
      /** Each write as [before, after], for the tally. */
      const changes: JobChange[] = [];

      const gone = new Set(removed.filter((id) => current.has(id)));
      if (gone.size > 0) {
        const map = writable();
        for (const id of gone) {
          changes.push([map.get(id), undefined]);
          map.delete(id);
        }
        jobOrder = jobOrder.filter((id) => !gone.has(id));
        statesChanged = true;
      }

      const added: string[] = [];
      const moved: string[] = [];
      for (const view of upserts) {
        const previous = (jobs ?? current).get(view.id);
        if (!previous) {
          added.push(view.id);
          statesChanged = true;
        } else if (previous.state !== view.state || previous.waitingForFile !== view.waitingForFile) {
          statesChanged = true;
          if (previous.state !== view.state) moved.push(view.id);
        }
        const next = entry(view, previous);
        writable().set(view.id, next);
        changes.push([previous, next]);
      }
      if (added.length > 0) jobOrder = [...jobOrder, ...added];

      for (const update of progress) {
        const job = (jobs ?? current).get(update.id);
        if (!job || (job.bytesDone === update.bytesDone && job.bytesPerSecond === update.bytesPerSecond)) continue;
        const next = { ...job, bytesDone: update.bytesDone, bytesPerSecond: update.bytesPerSecond };
        writable().set(update.id, next);
        changes.push([job, next]);
      }
      if (jobs === null) return;

      // "Pausing…" ends when the job's state changed
      if (state.pending.size > 0 && moved.some((id) => state.pending.has(id))) state.markPending(moved, null);
      const next: Partial<FerryState> = {
        jobs,
        jobOrder,
        jobStatesVersion: statesChanged ? state.jobStatesVersion + 1 : state.jobStatesVersion,
        jobTally: retallyJobs(state.jobTally, changes),
      };
      if (gone.size > 0) {
        const { selected, selectionAnchor } = get();
        if ([...selected].some((id) => gone.has(id))) next.selected = new Set([...selected].filter((id) => !gone.has(id)));
        if (selectionAnchor !== null && gone.has(selectionAnchor)) next.selectionAnchor = null;
      }
      set(next);
    },

    async copyLink(id, expiresInSeconds) {
      try {
        const { url } = await api.shareLink({ jobId: id, expiresInSeconds });
        await navigator.clipboard.writeText(url);
        const days = expiresInSeconds / 86_400;
        get().notify(
          'info',
          'Link copied',
          `Anyone with the link can download the file for ${days >= 1 ? `${days} day${days === 1 ? '' : 's'}` : `${Math.round(expiresInSeconds / 3600)} hours`}.`,
        );
      } catch (error) {
        get().reportError('Could not copy the link', error);
      }
    },

    async pauseJobs(ids) {
      await jobCommand('pause', ids);
    },
    async resumeJobs(ids) {
      await jobCommand('resume', ids);
    },
    async retryJobs(ids) {
      await jobCommand('retry', ids);
    },
    async abortJobs(ids) {
      await jobCommand('abort', ids);
    },
    async answerExists(ids, answer, wholeBatch) {
      if (ids.length === 0) return;
      try {
        await api.answerExists({ ids: [...ids], answer, wholeBatch });
      } catch (error) {
        get().reportError(
          `Could not ${EXISTS_ANSWER_WORDS[answer].toLowerCase()} ${ids.length === 1 ? nameOf(ids[0]!) : count(ids.length, 'upload')}`,
          error,
        );
      }
    },

    async clearJobs(ids) {
      if (ids.length === 0) return;
      try {
        for (const part of chunks(ids, 100_000)) await api.clearJobs({ ids: part });
        get().applyAnswer({ removed: ids });
      } catch (error) {
        get().reportError(`Could not clear ${count(ids.length, 'upload')} from the list`, error);
      }
    },

    async uploadFiles(picked) {
      if (picked.length === 0) return;
      const infos = picked.map((file) => files.register(file));
      let rest: BrowserFileInfo[];
      // a dropped file resumes a job waiting for it only if the job goes where the bar points now
      // (issue #11, defect 10); else it is a new upload to the chosen destination
      const current = get();
      const target = destinationProblem(current)
        ? undefined
        : {
            endpointId: current.destination.endpointId,
            bucket: current.destination.bucket.trim(),
            prefix: normalizePrefix(current.destination.prefix),
          };
      try {
        const resumed = new Set<string>();
        for (const part of chunks(infos, 100_000)) {
          const { attached } = await api.attachBrowserFiles({ files: part, destination: target });
          for (const match of attached) {
            resumed.add(match.fileId);
            files.bind(match.fileId, match.jobId);
          }
        }
        rest = infos.filter((info) => !resumed.has(info.fileId));
        if (resumed.size > 0)
          get().notify('info', `${count(resumed.size, 'upload')} resumed with the dropped ${resumed.size === 1 ? 'file' : 'files'}`);
      } catch (error) {
        files.forget(infos.map((info) => info.fileId));
        get().reportError('The dropped files were not added', error);
        return;
      }
      if (rest.length === 0) return;
      const destination = readyDestination(count(rest.length, 'file'));
      if (!destination) {
        files.forget(rest.map((info) => info.fileId));
        return;
      }
      for (const part of chunks(rest, 100_000)) {
        try {
          const { jobs } = await api.addBrowserFiles({ ...destination, files: part });
          // the host answers the jobs in the order of the files
          jobs.forEach((job, index) => files.bind(part[index]!.fileId, job.id));
          get().applyAnswer({ upserts: jobs });
          showNewJobs();
        } catch (error) {
          files.forget(part.map((info) => info.fileId));
          get().reportError(`${count(part.length, 'file')} not added`, error);
          return;
        }
      }
    },

    async uploadPaths(paths) {
      if (paths.length === 0) return;
      const destination = readyDestination(count(paths.length, 'item'));
      if (!destination) return;
      for (const part of chunks(paths, 10_000)) {
        try {
          const { jobs, skipped } = await api.addPaths({ ...destination, paths: part });
          get().applyAnswer({ upserts: jobs });
          showNewJobs();
          // the browser host leaves out files in protected places (a link into ~/.ssh, say)
          if (skipped && skipped.length > 0) {
            const first = skipped[0]!;
            const more = skipped.length > 1 ? ` (and ${count(skipped.length - 1, 'more file')})` : '';
            get().notify('error', `${count(skipped.length, 'file')} skipped`, `${first.path}: ${first.reason}${more}.`);
          }
        } catch (error) {
          get().reportError(`${count(part.length, 'item')} not added`, error);
          return;
        }
      }
    },

    async uploadTransfer(transfer) {
      const list = transfer instanceof FileList ? transfer : transfer.files;
      if (get().host?.canReadPaths) {
        if (!desktop) {
          get().notify('error', 'The files were not added', 'This window cannot see the paths of dropped files. Use “Add files…” instead.');
          return;
        }
        const paths = pathsOf(list, desktop);
        if (paths.length === 0 && list.length > 0)
          get().notify('error', 'The files were not added', 'The dropped items have no path on this computer.');
        await get().uploadPaths(paths);
        return;
      }
      // Taken before the first await: a DataTransfer is emptied once its event has been handled.
      const reading =
        transfer instanceof FileList ? Promise.resolve({ files: pickedFromInput(transfer), problems: [] }) : readDroppedFiles(transfer);
      const { files: picked, problems } = await reading;
      if (problems.length > 0)
        get().notify(
          'error',
          `${count(problems.length, 'item')} could not be read`,
          problems.slice(0, 3).join(' ') + (problems.length > 3 ? ' …' : ''),
        );
      await get().uploadFiles(picked);
    },

    async reattachBrowserFiles() {
      const state = get();
      if (state.host === null || state.host.canReadPaths) return;
      const offer: BrowserFileInfo[] = [];
      const done: string[] = [];
      /** Files of jobs the list does not show (cleared, or in a page not read): offered, kept if the host takes them. */
      const unknown = new Set<string>();
      for (const { info, jobId } of files.bound()) {
        const job = state.jobs.get(jobId);
        if (job && isFinal(job.state)) done.push(info.fileId);
        else if (!job) {
          unknown.add(info.fileId);
          offer.push(info);
        } else if (job.waitingForFile) offer.push(info);
      }
      files.forget(done);
      if (offer.length === 0) return;
      try {
        for (const part of chunks(offer, 100_000)) {
          const { attached } = await api.attachBrowserFiles({ files: part });
          for (const match of attached) files.bind(match.fileId, match.jobId);
          const taken = new Set(attached.map((match) => match.fileId));
          files.forget(part.filter((info) => unknown.has(info.fileId) && !taken.has(info.fileId)).map((info) => info.fileId));
          // the host has their files again: they wait no more (its jobsChanged says so a moment
          // later; until then a window that saw them waiting could take the batch for finished)
          get().applyAnswer({}); // the events that came before the answer first: the views below build on them
          const jobs = get().jobs;
          const upserts = attached.flatMap((match) => {
            const job = jobs.get(match.jobId);
            return job?.waitingForFile ? [{ ...job, waitingForFile: false }] : [];
          });
          if (upserts.length > 0) get().applyAnswer({ upserts });
        }
      } catch (error) {
        // the link dropped again before the host answered: the next reconnect offers the files itself
        if (errorInfo(error).code === 'HOST_DISCONNECTED') return;
        get().reportError('After the reconnect, uploads wait for their files: drop them again', error);
      }
    },

    async chooseFileFor(jobId, file) {
      const [picked] = pickedFromInput([file]);
      if (!picked) return;
      const info = files.register(picked);
      try {
        const { attached } = await api.attachBrowserFiles({ files: [info] });
        for (const match of attached) files.bind(match.fileId, match.jobId);
        if (attached.some((match) => match.jobId === jobId)) return;
        if (attached.length === 0) files.forget([info.fileId]);
        get().notify(
          'error',
          `${file.name} is not the file this upload waits for`,
          'Choose the same file: its name, size and modification time must match.',
        );
      } catch (error) {
        files.forget([info.fileId]);
        get().reportError(`Could not resume with ${file.name}`, error);
      }
    },

    async browseHostFiles(path, showHidden = false) {
      try {
        return { ok: true, value: await api.browseFiles({ path, showHidden }) };
      } catch (error) {
        return { ok: false, error: errorInfo(error) };
      }
    },
  };
};
