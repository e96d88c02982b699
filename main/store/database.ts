/**
 * Opens Ferry's SQLite store (`ferry.db` in the data directory) in WAL mode and migrates it.
 * Several connections (the job store, the endpoint registry, a CLI reading jobs while an engine
 * runs) share it safely: WAL lets readers and one writer work at once.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../../shared/errors.ts';
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

/** True for SQLite's "database or disk is full" (SQLITE_FULL), or a write refused for lack of space. */
export function isDiskFull(error: unknown): boolean {
  if (error instanceof FerryError) return error.code === 'DISK_FULL';
  const e = error as { errcode?: number; code?: string; message?: string } | null;
  return (e?.errcode !== undefined && (e.errcode & 0xff) === 13) || e?.code === 'ENOSPC' || /disk is full/i.test(e?.message ?? '');
}

/** The error a write to a full disk surfaces as, in words. */
export function diskFullError(cause?: unknown): FerryError {
  return new FerryError('DISK_FULL', "The disk holding Ferry's data is full. Free some space, then resume the uploads.", { cause });
}

/**
 * Runs `work` in one immediate transaction. A failed transaction is rolled back only if SQLite has
 * not already done so itself (it does on a full disk: a second ROLLBACK would fail with "no
 * transaction is active" and hide the real error). A full disk surfaces as DISK_FULL.
 */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  } catch (error) {
    throw isDiskFull(error) && !(error instanceof FerryError) ? diskFullError(error) : error;
  }
}
