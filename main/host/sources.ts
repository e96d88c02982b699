/**
 * From what the user named to (file, key) pairs, for every host.
 *   CLI (expandSources): a directory uploads its whole tree with keys = prefix + path relative to the
 *     directory; a target ending in '/' is a prefix; one file with a target not ending in '/' goes
 *     to that exact key.
 *   Window (expandDropped): a dropped folder keeps its own name under the prefix, as in a file manager.
 */
import { access, constants, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { FerryError } from '../../shared/errors.ts';
import type { S3Target } from '../../shared/s3Url.ts';
import { fileError } from '../engine/fileSource.ts';

export interface FileToUpload {
  path: string;
  key: string;
}

function joinKey(prefix: string, rest: string): string {
  return prefix === '' ? rest : `${prefix.replace(/\/?$/, '/')}${rest}`;
}

export async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(entry.parentPath, entry.name);
    if (entry.isFile()) files.push(full);
    else if (entry.isSymbolicLink()) {
      // a link to a file is uploaded as that file; links to directories are not followed (no loops)
      const target = await stat(full).catch(() => null);
      if (target?.isFile()) files.push(full);
    }
  }
  return files.sort();
}

/** What a named path is: a folder (with its files), or a file; FerryError in words otherwise. */
async function examine(given: string): Promise<{ path: string; files: string[] | null }> {
  const path = resolve(given);
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw fileError(error, given);
  }
  if (info.isDirectory()) return { path, files: await walk(path) };
  if (info.isFile()) return { path, files: null };
  throw new FerryError('NOT_A_FILE', `${given} is neither a file nor a folder.`);
}

const relativeKey = (folder: string, file: string) => relative(folder, file).split(sep).join('/');

export async function expandSources(paths: readonly string[], target: S3Target): Promise<FileToUpload[]> {
  if (paths.length === 0) throw new FerryError('INVALID_INPUT', 'Name at least one file or folder to upload.');
  const single = paths.length === 1;
  const result: FileToUpload[] = [];
  for (const given of paths) {
    const { path, files } = await examine(given);
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
  return result;
}

/** Dropped files and folders under `prefix` ('' or ending in '/'): a folder keeps its name. */
export async function expandDropped(paths: readonly string[], prefix: string): Promise<FileToUpload[]> {
  const result: FileToUpload[] = [];
  for (const given of paths) {
    const { path, files } = await examine(given);
    if (files) for (const file of files) result.push({ path: file, key: `${prefix}${basename(path)}/${relativeKey(path, file)}` });
    else result.push({ path, key: `${prefix}${basename(path)}` });
  }
  if (result.length === 0) throw new FerryError('INVALID_INPUT', 'Nothing to upload: the folders are empty.');
  return result;
}
