/**
 * The store's schema, as an ordered list of migrations. `PRAGMA user_version` records how many have
 * run; opening a store applies the missing ones in one transaction each. Never edit a shipped
 * migration: append a new one.
 */
import type { DatabaseSync } from 'node:sqlite';

export const MIGRATIONS: readonly ((db: DatabaseSync) => void)[] = [
  // 1: jobs and their acknowledged parts
  (db) => {
    db.exec(`
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        state TEXT NOT NULL,
        path TEXT NOT NULL,
        endpoint_id TEXT NOT NULL,
        bucket TEXT NOT NULL,
        object_key TEXT NOT NULL,
        size INTEGER NOT NULL,
        fp_size INTEGER NOT NULL,
        fp_mtime_ms REAL NOT NULL,
        fp_ino TEXT NOT NULL,
        multipart INTEGER NOT NULL,
        part_size INTEGER NOT NULL,
        part_count INTEGER NOT NULL,
        concurrency INTEGER NOT NULL,
        upload_id TEXT,
        bytes_done INTEGER NOT NULL DEFAULT 0,
        etag TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        completed_at INTEGER
      );
      CREATE INDEX jobs_by_seq ON jobs (seq);
      CREATE TABLE parts (
        job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        part_number INTEGER NOT NULL,
        etag TEXT NOT NULL,
        md5 TEXT NOT NULL,
        size INTEGER NOT NULL,
        PRIMARY KEY (job_id, part_number)
      ) WITHOUT ROWID;
    `);
  },
  // 2: endpoints (profile as JSON; the secret sealed by the vault, never in plain text)
  (db) => {
    db.exec(`
      CREATE TABLE endpoints (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        profile TEXT NOT NULL,
        credential TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `);
  },
  // 3: browser-sourced jobs; settings
  (db) => {
    db.exec(`
      ALTER TABLE jobs ADD COLUMN source TEXT NOT NULL DEFAULT 'disk';
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  },
  // 4 (filesafety): the file's change time in the fingerprint (null for jobs stored before it)
  (db) => {
    db.exec('ALTER TABLE jobs ADD COLUMN fp_ctime_ms REAL');
  },
  // 5 (issue #12): per-upload options (JSON, no secret); an SSE-C key sealed by the vault for the
  // job's life; whether a completed job was skipped because the key existed
  (db) => {
    db.exec(`
      ALTER TABLE jobs ADD COLUMN options TEXT;
      ALTER TABLE jobs ADD COLUMN sse_c_key TEXT;
      ALTER TABLE jobs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;
    `);
  },
  // 6 (issue #11): the retry a running job waits for, so that `ferry jobs --json` in another process sees it
  (db) => {
    db.exec(`CREATE TABLE job_retries (job_id TEXT PRIMARY KEY, info TEXT NOT NULL);`);
  },
  // 7 (issue #13): the batch a job came with (a dropped folder, a drop, one `ferry upload`)
  (db) => {
    db.exec(`
      ALTER TABLE jobs ADD COLUMN batch_id TEXT;
      ALTER TABLE jobs ADD COLUMN batch_name TEXT;
    `);
  },
  // 8 (issue #15): the version id a completed upload created in a versioned bucket, for its receipt
  (db) => {
    db.exec(`CREATE TABLE job_versions (job_id TEXT PRIMARY KEY, version_id TEXT NOT NULL);`);
  },
  // 9 (issue #14): a part's check when it was not Content-MD5 (md5 is then ''): signed SHA-256 or CRC32
  (db) => {
    db.exec(`
      ALTER TABLE parts ADD COLUMN sha256 TEXT;
      ALTER TABLE parts ADD COLUMN crc32 TEXT;
    `);
  },
  // 10 (issue #15): the object an "upload changes only" job copies its unchanged parts from (JSON),
  // so that a restart before or during the copies still copies them
  (db) => {
    db.exec(`CREATE TABLE job_copy_sources (job_id TEXT PRIMARY KEY, source TEXT NOT NULL);`);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings `db` to the current schema. Throws if the store was written by a newer Ferry. */
export function migrate(db: DatabaseSync): void {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  const current = row.user_version;
  if (current > SCHEMA_VERSION) {
    throw new Error(`The job store was written by a newer Ferry (schema ${current}, this one knows ${SCHEMA_VERSION}). Update Ferry.`);
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      MIGRATIONS[version]!(db);
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}
