/**
 * Opens Ferry's SQLite store (`ferry.db` in the data directory) in WAL mode and migrates it.
 * Several connections (the job store, the endpoint registry, a CLI reading jobs while an engine
 * runs) share it safely: WAL lets readers and one writer work at once.
 */
import { DatabaseSync } from 'node:sqlite';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../../shared/errors.ts';
import { SCHEMA_VERSION, migrate } from './migrations.ts';

export const DATABASE_FILE = 'ferry.db';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * Refuses a `ferry.db` that is not a Ferry store instead of treating it as new (and so hiding every
 * job): an empty file (a truncated store), a file that is not SQLite, or a SQLite file of another
 * program. A missing file is a new store.
 */
function assertFerryStore(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return;
    throw error;
  }
  const refuse = (what: string) =>
    new FerryError(
      'STORE_ERROR',
      `${path} ${what}, so it is not a Ferry job store. Ferry leaves it untouched: move it away to start an empty store, or put a backup of it in its place.`,
    );
  if (size === 0) {
    // a store whose pages are all still in its write-ahead log is not empty
    const walSize = existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0;
    if (walSize === 0) throw refuse('is empty (0 bytes)');
    return;
  }
  const head = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) throw refuse('is not an SQLite database');
}

/** A SQLite database of another program: it has tables, but not Ferry's. */
function assertFerrySchema(db: DatabaseSync, path: string): void {
  const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
  if (tables.length === 0) return; // a new store
  if (version === 0 || !tables.includes('jobs')) {
    throw new FerryError(
      'STORE_ERROR',
      `${path} is a database of another program (tables: ${tables.slice(0, 5).join(', ')}), not a Ferry job store. Ferry leaves it untouched: move it away to start an empty store.`,
    );
  }
}

/**
 * Copies the store, consistent and complete (its write-ahead log included), before a migration
 * changes it: `ferry.db.backup-schema-N` beside it, N the schema it had.
 */
function backupBeforeMigrating(db: DatabaseSync, path: string): void {
  const version = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  if (version === 0 || version >= SCHEMA_VERSION) return;
  const backup = `${path}.backup-schema-${version}`;
  rmSync(backup, { force: true });
  db.prepare('VACUUM INTO ?').run(backup);
  chmodSync(backup, 0o600);
}

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
  const path = join(dataDir, DATABASE_FILE);
  assertFerryStore(path);
  // SQLite creates a new store with the umask's mode inside the 0700 directory: owner-only at once
  const db = new DatabaseSync(path, { timeout: 5000 });
  try {
    ownerOnly(path, `${path}-wal`, `${path}-shm`);
    assertFerrySchema(db, path); // before anything is written to another program's database
    db.exec('PRAGMA journal_mode = WAL');
    // NORMAL in WAL mode: a process crash loses nothing committed; a power cut may lose the last
    // transactions but never corrupts the store (https://www.sqlite.org/pragma.html#pragma_synchronous).
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    backupBeforeMigrating(db, path);
    migrate(db);
    ownerOnly(`${path}-wal`, `${path}-shm`);
  } catch (error) {
    db.close();
    throw error;
  }
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
