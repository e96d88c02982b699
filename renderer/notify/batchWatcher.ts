/**
 * Tells the user when a batch of uploads finishes (browser host; the desktop app notifies from its
 * main process). A batch starts when a job becomes active (queued or uploading, with its file at
 * hand) while none was, takes in every job that becomes active before it ends, and ends when no job
 * is active; its end is worth a notification when something in it completed. The same rule as the
 * desktop's (main/electron/activity.ts), over the window's store.
 *
 * Only the whole list says that nothing is active: while a snapshot's pages arrive (a reconnect's
 * too) the store holds part of it, and a batch's uploads may be in the pages still to come, so the
 * watcher looks only while the store's `jobsLive` holds. A job of the batch cleared from the list
 * before the batch ends counts as it was last seen.
 *
 * Only a change of some job's state is looked at (the store's jobStatesVersion), never progress.
 */
import { formatBytes } from '../../shared/partPlan.ts';
import type { JobEntry } from '../store/jobsSlice.ts';
import type { FerryState, FerryStore } from '../store/store.ts';
import type { PageNotifications } from './notifications.ts';

export interface BatchResult {
  completed: number;
  failed: number;
  bytes: number;
}

/** The words of a finished batch's notification. */
export function batchFinishedText(result: BatchResult): { title: string; body: string } {
  const files = `${result.completed} file${result.completed === 1 ? '' : 's'} (${formatBytes(result.bytes)})`;
  return result.failed > 0
    ? { title: 'Uploads finished, some failed', body: `${files} uploaded; ${result.failed} failed.` }
    : { title: 'Uploads finished', body: `${files} uploaded.` };
}

/** Follows the batches of `store`; calls `onFinished` at the end of each one in which something completed. */
export function watchBatches(store: FerryStore, onFinished: (result: BatchResult, state: FerryState) => void): () => void {
  /** The batch's jobs, each as last seen (one removed from the list keeps what it was). */
  const batch = new Map<string, JobEntry>();
  let version = -1;
  const look = (state: FerryState) => {
    if (!state.jobsLive) {
      version = -1; // look again once it is whole, even if no state changed since
      return;
    }
    if (state.jobStatesVersion === version) return;
    version = state.jobStatesVersion;
    let active = 0;
    for (const job of state.jobs.values()) {
      if ((job.state === 'queued' || job.state === 'uploading') && !job.waitingForFile) {
        active += 1;
        batch.set(job.id, job);
      } else if (batch.has(job.id)) batch.set(job.id, job);
    }
    if (active > 0 || batch.size === 0) return;
    const result: BatchResult = { completed: 0, failed: 0, bytes: 0 };
    for (const job of batch.values()) {
      if (job.state === 'completed') {
        result.completed += 1;
        result.bytes += job.size;
      } else if (job.state === 'failed') result.failed += 1;
    }
    batch.clear();
    if (result.completed > 0) onFinished(result, state);
  };
  look(store.getState());
  return store.subscribe(look);
}

/** The browser host's notification of a finished batch, when Settings allows it and the browser permits it. */
export function notifyFinishedBatches(store: FerryStore, notifications: PageNotifications): () => void {
  return watchBatches(store, (result, state) => {
    if (state.host?.kind !== 'browser' || state.settings.notifyOnFinish === false) return;
    const { title, body } = batchFinishedText(result);
    notifications.show(title, body);
  });
}
