// What a directory upload sends: every regular file under `dir`, keyed `prefix` + its path relative to dir.
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export interface Source {
  path: string;
  key: string;
}

export async function filesUnder(dir: string, prefix: string): Promise<Source[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const out: Source[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.push({ path: full, key: prefix + path.relative(dir, full).split(path.sep).join('/') });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** How a child process is told what to upload (JSON in an environment variable). */
export interface ChildConfig {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  partSize: number;
  concurrency: number;
  /** one file to one key */
  file?: Source;
  /** a directory to keys under a prefix */
  dir?: { path: string; prefix: string };
  /** file-level workers for a directory upload */
  workers?: number;
  /** Ferry stand-in: the engine's maxRequests (default: concurrency) */
  maxRequests?: number;
  /** Ferry stand-in: the engine's data directory */
  dataDir?: string;
  /** Ferry stand-in: only reopen the data directory (the engine resumes interrupted jobs) */
  resume?: boolean;
}

export const CHILD_CONFIG_ENV = 'FERRY_BENCH_CHILD';

export function readChildConfig(): ChildConfig {
  const text = process.env[CHILD_CONFIG_ENV];
  if (!text) throw new Error(`${CHILD_CONFIG_ENV} is not set: this program is started by bench/run.ts`);
  return JSON.parse(text) as ChildConfig;
}
