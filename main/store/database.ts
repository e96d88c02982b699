/**
 * Opens Ferry's SQLite store (`ferry.db` in the data directory) in WAL mode and migrates it.
 * Several connections (the job store, the endpoint registry, a CLI reading jobs while an engine
 * runs) share it safely: WAL lets readers and one writer work at once.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrate } from './migrations.ts';

export const DATABASE_FILE = 'ferry.db';

export function openDatabase(dataDir: string): DatabaseSync {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(join(dataDir, DATABASE_FILE), { timeout: 5000 });
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
