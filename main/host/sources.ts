/**
 * From what the user named to (file, key) pairs, for every host.
 *   CLI (expandSources): a directory uploads its whole tree with keys = prefix + path relative to the
 *     directory; a target ending in '/' is a prefix; one file with a target not ending in '/' goes
 *     to that exact key.
 *   Window (expandDropped): a dropped folder keeps its own name under the prefix, as in a file manager.
 */
import { access, constants, readdir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { FerryError } from '../../shared/errors.ts';
import type { S3Target } from '../../shared/s3Url.ts';
import { fileError } from '../engine/fileSource.ts';
import { refusal, shapeRefusal, type ProtectedPlace } from './pathPolicy.ts';

export interface FileToUpload {
  path: string;
  key: string;
  /** The dropped folder this file is in (its name), or null for a file dropped as itself. */
  folder?: string | null;
}

function joinKey(prefix: string, rest: string): string {
  return prefix === '' ? rest : `${prefix.replace(/\/?$/, '/')}${rest}`;
}

/** Something a folder walk left out, and why (said to the user, never silently dropped). */
export interface SkippedEntry {
  path: string;
  reason: string;
}

/** Why an entry that is neither a file nor a folder is left out. */
function specialReason(entry: { isFIFO(): boolean; isSocket(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean }): string {
  if (entry.isFIFO()) return 'a named pipe (FIFO), not a regular file';
  if (entry.isSocket()) return 'a socket, not a regular file';
  if (entry.isBlockDevice() || entry.isCharacterDevice()) return 'a device, not a regular file';
  return 'not a regular file';
}

/**
 * The regular files under `dir` (sorted), and what was skipped and why: named pipes, sockets,
 * devices, links to folders (not followed: no loops) and links whose target is gone. A link to a
 * file is uploaded as that file. A sub-folder that cannot be read is an error in words.
 */
export async function walk(dir: string): Promise<{ files: string[]; skipped: SkippedEntry[] }> {
  const files: string[] = [];
  const skipped: SkippedEntry[] = [];
  const folders = [dir];
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'EACCES' || code === 'EPERM') {
        throw new FerryError('FILE_UNREADABLE', `Cannot read the folder ${folder}: permission denied.`, { cause: error });
      }
      throw new FerryError('FILE_UNREADABLE', `Cannot read the folder ${folder}: ${(error as Error).message}`, { cause: error });
    }
    for (const entry of entries) {
      const full = join(folder, entry.name);
      if (entry.isFile()) files.push(full);
      else if (entry.isDirectory()) folders.push(full);
      else if (entry.isSymbolicLink()) {
        const target = await stat(full).catch((error: unknown) => error as { code?: string });
        if ('isFile' in target && target.isFile()) files.push(full);
        else if ('isDirectory' in target && target.isDirectory()) skipped.push({ path: full, reason: 'a link to a folder (not followed)' });
        else if ('isFile' in target) skipped.push({ path: full, reason: `a link to ${specialReason(target)}` });
        else if (target.code === 'ENOENT') skipped.push({ path: full, reason: 'a link whose target does not exist' });
        else skipped.push({ path: full, reason: `a link that cannot be followed (${target.code ?? 'error'})` });
      } else skipped.push({ path: full, reason: specialReason(entry) });
    }
  }
  files.sort();
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, skipped };
}

/** What a named path is: a folder (with its files and what it skipped), or a file; FerryError in words otherwise. */
async function examine(given: string): Promise<{ path: string; files: string[] | null; skipped: SkippedEntry[] }> {
  const path = resolve(given);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw fileError(error, given);
  }
  if (info.isDirectory()) return { path, ...(await walk(path)) };
  if (info.isFile()) return { path, files: null, skipped: [] };
  throw new FerryError('NOT_A_FILE', `${given} is neither a file nor a folder.`);
}

const relativeKey = (folder: string, file: string) => relative(folder, file).split(sep).join('/');

/** The files to upload and what the folder walks skipped (the CLI says both). */
export async function expandSources(
  paths: readonly string[],
  target: S3Target,
): Promise<{ files: FileToUpload[]; skipped: SkippedEntry[] }> {
  if (paths.length === 0) throw new FerryError('INVALID_INPUT', 'Name at least one file or folder to upload.');
  const single = paths.length === 1;
  const result: FileToUpload[] = [];
  const skipped: SkippedEntry[] = [];
  for (const given of paths) {
    const { path, files, skipped: left } = await examine(given);
    skipped.push(...left);
    if (files) {
      const prefix = target.isPrefix ? target.key : `${target.key}/`;
      for (const file of files) result.push({ path: file, key: joinKey(prefix, relativeKey(path, file)) });
    } else {
      const key = target.isPrefix ? joinKey(target.key, basename(path)) : single ? target.key : null;
      if (key === null) {
        throw new FerryError('INVALID_INPUT', 'With several files, the target must be a prefix ending in "/": s3://BUCKET/PREFIX/.');
      }
      result.push({ path, key });
    }
  }
  for (const file of result) {
    try {
      await access(file.path, constants.R_OK);
    } catch (error) {
      throw fileError(error, file.path);
    }
  }
  const seen = new Map<string, string>();
  for (const file of result) {
    const other = seen.get(file.key);
    if (other) throw new FerryError('INVALID_INPUT', `Two files would go to the same key "${file.key}": ${other} and ${file.path}.`);
    seen.set(file.key, file.path);
  }
  return { files: result, skipped };
}

/** Dropped files and folders under `prefix` ('' or ending in '/'): a folder keeps its name. */
export async function expandDropped(paths: readonly string[], prefix: string): Promise<FileToUpload[]> {
  const result: FileToUpload[] = [];
  for (const given of paths) {
    const { path, files } = await examine(given);
    if (files)
      for (const file of files)
        result.push({ path: file, key: `${prefix}${basename(path)}/${relativeKey(path, file)}`, folder: basename(path) });
    else result.push({ path, key: `${prefix}${basename(path)}`, folder: null });
  }
  if (result.length === 0) throw new FerryError('INVALID_INPUT', 'Nothing to upload: the folders are empty.');
  return result;
}

/** A file a page named that the browser host leaves out, and why (shown to the person). */
export interface SkippedPath {
  path: string;
  reason: string;
}

/**
 * The protected places with their real paths as well (a data directory reached through a symlink
 * is refused under either name).
 */
export async function realPlaces(places: readonly ProtectedPlace[]): Promise<ProtectedPlace[]> {
  const result = [...places];
  for (const place of places) {
    const real = await realpath(place.path).catch(() => null);
    if (real !== null && real !== place.path) result.push({ path: real, what: place.what });
  }
  return result;
}

/** `given`'s real path, refused in words when the page may not read it (pathPolicy.ts). */
export async function allowedRealPath(given: string, places: readonly ProtectedPlace[]): Promise<string> {
  const shape = shapeRefusal(given);
  if (shape) throw new FerryError('PATH_REFUSED', `Ferry does not read ${given.slice(0, 256)} from a browser page: ${shape}.`);
  let real: string;
  try {
    real = await realpath(given);
  } catch (error) {
    throw fileError(error, given);
  }
  const why = refusal(real, places);
  if (why) throw new FerryError('PATH_REFUSED', `Ferry does not upload ${given} from a browser page: ${why}.`);
  return real;
}

/**
 * expandDropped for the browser host: `paths` must be ones browseFiles showed this session
 * (`browsed`); each is resolved to its real path and checked, and so is every file met while walking
 * a folder: a file in a protected place (a symlink into ~/.ssh, say) is skipped and reported.
 */
export async function expandForBrowser(
  paths: readonly string[],
  prefix: string,
  places: readonly ProtectedPlace[],
  browsed: ReadonlySet<string>,
): Promise<{ files: FileToUpload[]; skipped: SkippedPath[] }> {
  const files: FileToUpload[] = [];
  const skipped: SkippedPath[] = [];
  for (const given of paths) {
    if (!browsed.has(given)) {
      throw new FerryError(
        'PATH_REFUSED',
        `Ferry does not upload ${given.slice(0, 256)} from a browser page: choose files and folders with "Add files…" (it was not shown there).`,
      );
    }
    const real = await allowedRealPath(given, places);
    const { path, files: inside } = await examine(real);
    const name = basename(given);
    if (!inside) {
      files.push({ path, key: `${prefix}${name}`, folder: null });
      continue;
    }
    for (const file of inside) {
      const fileReal = await realpath(file).catch(() => null);
      const shown = join(given, relative(path, file));
      if (fileReal === null) {
        skipped.push({ path: shown, reason: 'it could not be resolved' });
        continue;
      }
      const why = refusal(fileReal, places);
      if (why) skipped.push({ path: shown, reason: why });
      else files.push({ path: fileReal, key: `${prefix}${name}/${relativeKey(path, file)}`, folder: name });
    }
  }
  if (files.length === 0) {
    if (skipped.length > 0)
      throw new FerryError(
        'PATH_REFUSED',
        `Nothing to upload: ${skipped[0]!.path} is skipped (${skipped[0]!.reason})${skipped.length > 1 ? ` and ${skipped.length - 1} more` : ''}.`,
      );
    throw new FerryError('INVALID_INPUT', 'Nothing to upload: the folders are empty.');
  }
  return { files, skipped };
}
