/**
 * Tells the user when a batch of uploads finishes (browser host; the desktop app notifies from its
 * main process). A batch (shared/uploadBatch.ts, the desktop's rule too) is of jobs queued or
 * uploading with their file at hand; its end is worth a notification when something in it completed.
 *
 * Only the whole list says that nothing is active: while a snapshot's pages arrive (a reconnect's
 * too) the store holds part of it, and a batch's uploads may be in the pages still to come, so the
 * watcher looks only while the store's `jobsLive` holds.
 *
 * Only a change of some job's state is looked at (the store's jobStatesVersion), never progress.
 */
import { formatBytes } from '../../shared/partPlan.ts';
import { UploadBatch, isActiveJob, type BatchResult } from '../../shared/uploadBatch.ts';
import type { JobEntry } from '../store/jobsSlice.ts';
import type { FerryState, FerryStore } from '../store/store.ts';
import type { PageNotifications } from './notifications.ts';

/** The words of a finished batch's notification. */
export function batchFinishedText(result: BatchResult): { title: string; body: string } {
  const files = `${result.completed} file${result.completed === 1 ? '' : 's'} (${formatBytes(result.bytes)})`;
  return result.failed > 0
    ? { title: 'Uploads finished, some failed', body: `${files} uploaded; ${result.failed} failed.` }
    : { title: 'Uploads finished', body: `${files} uploaded.` };
}

/** Follows the batches of `store`; calls `onFinished` at the end of each one in which something completed. */
export function watchBatches(store: FerryStore, onFinished: (result: BatchResult, state: FerryState) => void): () => void {
  const batch = new UploadBatch<JobEntry>();
  let version = -1;
  const look = (state: FerryState) => {
    if (!state.jobsLive) {
      version = -1; // look again once it is whole, even if no state changed since
      return;
    }
    if (state.jobStatesVersion === version) return;
    version = state.jobStatesVersion;
    const ended = batch.observe(state.jobs.values(), (job) => isActiveJob(job.state, job.waitingForFile));
    if (ended !== null && ended.completed > 0) onFinished(ended, state);
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
