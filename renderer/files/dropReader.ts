/**
 * Turns what the user dropped or chose into files the window can upload.
 *   - Browser host: folders are walked in the page (DataTransferItem.webkitGetAsEntry), each file
 *     keeps its folder inside the drop as `relativePath` ('photos/2024/').
 *   - Electron: the preload gives each dropped item's path (folders included); main walks folders.
 */
import type { FerryDesktop } from '../bridge/desktop.ts';
import type { PickedFile } from './browserFiles.ts';

export interface DropReadResult {
  files: PickedFile[];
  /** Entries that could not be read (e.g. a folder without permission), in words. */
  problems: string[];
}

/** True while a drag carries files (not text or a link). */
export function dragHasFiles(dataTransfer: DataTransfer | null): boolean {
  if (!dataTransfer) return false;
  return Array.from(dataTransfer.types).includes('Files');
}

/**
 * Reads a drop in the browser. The entries must be taken while the drop event is being handled
 * (the DataTransfer is emptied afterwards), so call this synchronously from the handler.
 */
export function readDroppedFiles(dataTransfer: DataTransfer): Promise<DropReadResult> {
  const entries: FileSystemEntry[] = [];
  const plain: File[] = [];
  const items = Array.from(dataTransfer.items ?? []).filter((item) => item.kind === 'file');
  if (items.length > 0 && typeof items[0]!.webkitGetAsEntry === 'function') {
    for (const item of items) {
      const entry = item.webkitGetAsEntry();
      if (entry) entries.push(entry);
      else {
        const file = item.getAsFile();
        if (file) plain.push(file);
      }
    }
  } else {
    plain.push(...Array.from(dataTransfer.files));
  }
  return walkEntries(entries, plain);
}

async function walkEntries(entries: FileSystemEntry[], plain: File[]): Promise<DropReadResult> {
  const result: DropReadResult = { files: plain.map((file) => ({ file, relativePath: '' })), problems: [] };
  for (const entry of entries) await walk(entry, '', result);
  return result;
}

async function walk(entry: FileSystemEntry, folder: string, result: DropReadResult): Promise<void> {
  if (entry.isFile) {
    try {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      result.files.push({ file, relativePath: folder });
    } catch {
      result.problems.push(`${folder}${entry.name} cannot be read.`);
    }
    return;
  }
  if (!entry.isDirectory) return;
  const inside = `${folder}${entry.name}/`;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  try {
    // readEntries answers in batches (100 in Chromium) until an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, inside, result);
    }
  } catch {
    result.problems.push(`The folder ${inside} cannot be read.`);
  }
}

/** Files chosen with an <input type=file> (webkitRelativePath is set for a chosen folder). */
export function pickedFromInput(files: FileList | readonly File[]): PickedFile[] {
  return Array.from(files).map((file) => {
    const relative = file.webkitRelativePath ?? '';
    const cut = relative.lastIndexOf('/');
    return { file, relativePath: cut >= 0 ? relative.slice(0, cut + 1) : '' };
  });
}

/** Electron: the paths of dropped or chosen files and folders (items without a path are left out). */
export function pathsOf(files: FileList | readonly File[], desktop: FerryDesktop): string[] {
  const paths: string[] = [];
  for (const file of Array.from(files)) {
    const path = desktop.getPathForFile(file);
    if (path) paths.push(path);
  }
  return paths;
}
