/**
 * The page's registry of files it offered to the browser host: `fileId -> File`. The host cannot
 * read a dropped file's path, so it asks the page for byte ranges (`fileReadRequested`) and the
 * page answers with `sendFileData`. A File is a handle, not its bytes: keeping many is cheap.
 */
import type { BrowserFileInfo, Events, FerryApi } from '../../shared/contract.ts';

/** A file the user dropped or chose, with its folder inside the drop ('' or 'dir/sub/'). */
export interface PickedFile {
  file: File;
  relativePath: string;
}

interface Entry {
  file: File;
  info: BrowserFileInfo;
  /** The job the host reads this file for, once known. */
  jobId: string | null;
}

export class BrowserFileRegistry {
  readonly #files = new Map<string, Entry>();
  readonly #newId: () => string;

  constructor(newId: () => string = () => crypto.randomUUID()) {
    this.#newId = newId;
  }

  /** Gives the file an id and returns what the host is told about it. */
  register(picked: PickedFile): BrowserFileInfo {
    const fileId = this.#newId();
    const info: BrowserFileInfo = {
      fileId,
      name: picked.file.name,
      relativePath: picked.relativePath,
      size: picked.file.size,
      lastModified: Math.max(0, Math.trunc(picked.file.lastModified)),
    };
    this.#files.set(fileId, { file: picked.file, info, jobId: null });
    return info;
  }

  /** Records which job reads the file (from addBrowserFiles' answer or an attach). */
  bind(fileId: string, jobId: string): void {
    const entry = this.#files.get(fileId);
    if (entry) entry.jobId = jobId;
  }

  /** The files bound to jobs, as the host was told about them (to attach them again after a reconnect). */
  bound(): { info: BrowserFileInfo; jobId: string }[] {
    const out: { info: BrowserFileInfo; jobId: string }[] = [];
    for (const entry of this.#files.values()) if (entry.jobId !== null) out.push({ info: entry.info, jobId: entry.jobId });
    return out;
  }

  forget(fileIds: Iterable<string>): void {
    for (const fileId of fileIds) this.#files.delete(fileId);
  }

  has(fileId: string): boolean {
    return this.#files.has(fileId);
  }

  get size(): number {
    return this.#files.size;
  }

  /** Answers one read request; an unknown id or an unreadable file is answered with an error in words. */
  async answer(api: Pick<FerryApi, 'sendFileData'>, request: Events['fileReadRequested']): Promise<void> {
    const file = this.#files.get(request.fileId)?.file;
    if (!file) {
      api.sendFileData(request.requestId, null, 'This page no longer has the file: drop it again to resume.');
      return;
    }
    if (!(request.start >= 0 && request.end >= request.start && request.end <= file.size)) {
      api.sendFileData(
        request.requestId,
        null,
        `Bytes ${request.start}–${request.end} are outside the file (${file.size} bytes): it changed since it was added.`,
      );
      return;
    }
    let data: ArrayBuffer;
    try {
      data = await file.slice(request.start, request.end).arrayBuffer();
    } catch (error) {
      // The host prefixes "The browser could not read the file:"; the DOMException's own text is long and vague.
      const kind = error instanceof Error && error.name && error.name !== 'Error' ? ` (${error.name})` : '';
      api.sendFileData(request.requestId, null, `${file.name}${kind}: it may have been moved, changed or deleted since it was dropped.`);
      return;
    }
    api.sendFileData(request.requestId, data);
  }
}
