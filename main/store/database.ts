/**
 * Opens Ferry's SQLite store (`ferry.db` in the data directory) in WAL mode and migrates it.
 * Several connections (the job store, the endpoint registry, a CLI reading jobs while an engine
 * runs) share it safely: WAL lets readers and one writer work at once.
 */
import { DatabaseSync } from 'node:sqlite';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrations.ts';

export const DATABASE_FILE = 'ferry.db';

/**
 * Creates the data directory if needed and makes it 0700 at every open, whatever it was before: it
 * holds the store (access key ids, URLs, file paths), the sealed secrets and the control token, so
 * no other local user may enter it. (On Windows the profile directory's ACL does this.)
 */
export function secureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dataDir, 0o700);
}

/** Makes files of the data directory owner-only (SQLite creates them with the umask's mode). */
export function ownerOnly(...paths: string[]): void {
  if (process.platform === 'win32') return;
  for (const path of paths) if (existsSync(path)) chmodSync(path, 0o600);
}

export function openDatabase(dataDir: string): DatabaseSync {
  secureDataDir(dataDir);
  const file = join(dataDir, DATABASE_FILE);
  // created owner-only before SQLite opens it (its -wal and -shm files take the same mode)
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  ownerOnly(file, `${file}-wal`, `${file}-shm`);
  const db = new DatabaseSync(file, { timeout: 5000 });
  db.exec('PRAGMA journal_mode = WAL');
  // NORMAL in WAL mode: a process crash loses nothing committed; a power cut may lose the last
  // transactions but never corrupts the store (https://www.sqlite.org/pragma.html#pragma_synchronous).
  db.exec('PRAGMA synchronous = NORMAL');
  db.exec('PRAGMA foreign_keys = ON');
  migrate(db);
  return db;
}

/** Runs `work` in one immediate transaction. */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}
