// The job store refuses a ferry.db that is not a Ferry store (issue #11, defect 12), keeps a backup
// before migrating, and a job stored before the fingerprint had the change time keeps working.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { JobStore } from '../../main/store/jobStore.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../main/store/migrations.ts';
import { fingerprintDifference } from '../../shared/job.ts';

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-store-safety-'));
  db = join(dir, 'ferry.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('a ferry.db that is not a Ferry store', () => {
  it.each([
    ['an empty file', () => writeFileSync(db, ''), /is empty \(0 bytes\)/],
    ['a text file', () => writeFileSync(db, 'not a database\n'), /is not an SQLite database/],
    [
      'another program’s SQLite database',
      () => new DatabaseSync(db).exec('CREATE TABLE photos (id INTEGER)'),
      /another program \(tables: photos\)/,
    ],
  ])('%s is refused in words and left untouched', (_label, make, message) => {
    make();
    const before = readFileSync(db);
    expect(() => JobStore.open(dir)).toThrow(message);
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(existsSync(`${db}-wal`)).toBe(false);
  });
});

describe('migrating a store', () => {
  /** A store as the previous Ferry (schema 3) left it, with one job. */
  function oldStore(): void {
    const old = new DatabaseSync(db);
    old.exec('PRAGMA journal_mode = WAL');
    for (const [index, migration] of MIGRATIONS.slice(0, 3).entries()) {
      migration(old);
      old.exec(`PRAGMA user_version = ${index + 1}`);
    }
    old.exec(`INSERT INTO jobs (id, seq, state, path, endpoint_id, bucket, object_key, size, fp_size, fp_mtime_ms, fp_ino,
      multipart, part_size, part_count, concurrency, created_at, updated_at)
      VALUES ('j1', 1, 'paused', '/tmp/f', 'e', 'b', 'k', 10, 10, 1234.5, '42', 0, 10, 1, 1, 1, 1)`);
    old.close();
  }

  it('keeps a backup of the old store beside it, and old jobs keep working without a change time', () => {
    oldStore();
    const store = JobStore.open(dir);
    const [job] = store.loadJobs();
    store.close();
    expect(job?.fingerprint).toEqual({ size: 10, mtimeMs: 1234.5, ino: '42' });
    // no change time stored: the other fields still decide
    expect(fingerprintDifference(job!.fingerprint, { size: 10, mtimeMs: 1234.5, ino: '42', ctimeMs: 99 })).toBeNull();
    // with one on both sides, a moved change time is a changed file
    expect(fingerprintDifference({ ...job!.fingerprint, ctimeMs: 98 }, { size: 10, mtimeMs: 1234.5, ino: '42', ctimeMs: 99 })).toMatch(
      /written to/,
    );

    const backup = `${db}.backup-schema-3`;
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    const copy = new DatabaseSync(backup, { readOnly: true });
    expect((copy.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(3);
    expect(copy.prepare('SELECT id FROM jobs').all()).toEqual([{ id: 'j1' }]);
    copy.close();
    const migrated = new DatabaseSync(db, { readOnly: true });
    expect((migrated.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(SCHEMA_VERSION);
    migrated.close();
  });

  it('a new store has no backup', () => {
    JobStore.open(dir).close();
    expect(existsSync(`${db}.backup-schema-0`)).toBe(false);
  });
});
