/**
 * Issue #15 in the window: "Resume, sending only what changed" and "Upload changes only" on a row,
 * a completed row's receipt (shown readable, copied as text or JSON), and "Resume with a local
 * file…" for an orphaned upload.
 */
import type { CommandRequest } from '../../shared/contract.ts';
import type { SliceCreator } from './store.ts';

export interface ShownReceipt {
  jobId: string;
  name: string;
  /** The receipt as a person reads it. */
  text: string;
  /** The receipt as a document (receiptVersion 1). */
  json: string;
}

export interface ChangesSlice {
  /** The receipt open in the window, or null. */
  receiptShown: ShownReceipt | null;
  /** A job whose file changed: send only what changed (a completed one: upload changes only). */
  sendChangesOnly(id: string): Promise<void>;
  /** Opens a completed job's receipt. */
  showReceipt(id: string): Promise<void>;
  closeReceipt(): void;
  /** Copies `text` to the clipboard and says so ("Receipt copied"). */
  copyToClipboard(text: string, what: string): Promise<void>;
  /** Finishes an orphaned upload with a file on the host's disk; true when its job was added. */
  adoptOrphan(request: CommandRequest<'adoptOrphan'>): Promise<boolean>;
}

export const createChangesSlice: SliceCreator<ChangesSlice> = (deps) => (set, get) => ({
  receiptShown: null,

  async sendChangesOnly(id) {
    try {
      const { message } = await deps.api.sendChangesOnly({ id });
      get().notify('info', 'Sending only what changed', message);
    } catch (error) {
      get().reportError('Could not send only what changed', error);
    }
  },

  async showReceipt(id) {
    try {
      const { receipt, text } = await deps.api.jobReceipt({ id });
      const name = get().jobs.get(id)?.name ?? receipt.file.path;
      set({ receiptShown: { jobId: id, name, text, json: JSON.stringify(receipt, null, 2) } });
    } catch (error) {
      get().reportError('Could not make the receipt', error);
    }
  },

  closeReceipt() {
    set({ receiptShown: null });
  },

  async copyToClipboard(text, what) {
    try {
      await navigator.clipboard.writeText(text);
      get().notify('info', `${what} copied`);
    } catch {
      get().notify('error', `Could not copy the ${what.toLowerCase()}`, 'Select its text and copy it instead.');
    }
  },

  async adoptOrphan(request) {
    try {
      const { message } = await deps.api.adoptOrphan(request);
      get().notify('info', 'Finishing the incomplete upload', message);
      const orphans = get().orphans;
      if (orphans.status !== 'idle') await get().listOrphans(orphans.query);
      return true;
    } catch (error) {
      get().reportError('Could not finish the incomplete upload', error);
      return false;
    }
  },
});
