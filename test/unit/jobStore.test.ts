import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { JobStore } from '../../main/store/jobStore.ts';
import { SCHEMA_VERSION } from '../../main/store/migrations.ts';
import { acquireDataDirLock } from '../../main/store/lock.ts';
import type { Job } from '../../shared/job.ts';
import { EngineLockedError } from '../../shared/errors.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function job(id: string, overrides: Partial<Job> = {}): Job {
  return {
    id,
    state: 'queued',
    source: 'disk',
    path: `/tmp/${id}`,
    endpointId: 'e1',
    bucket: 'bucket',
    key: `k/${id}`,
    size: 100 * 1024 * 1024,
    fingerprint: { size: 100 * 1024 * 1024, mtimeMs: 1234.567, ino: '18446744073709551615' },
    multipart: true,
    partSize: 16 * 1024 * 1024,
    partCount: 7,
    concurrency: 4,
    uploadId: null,
    bytesDone: 0,
    etag: null,
    error: null,
    createdAt: 1,
    updatedAt: 1,
    completedAt: null,
    batchId: null,
    batchName: null,
    ...overrides,
  };
}

describe('JobStore', () => {
  it('keeps jobs, UploadIds, errors and parts across a reopen, in insertion order', () => {
    const store = JobStore.open(dir);
    store.insertJobs([job('b'), job('a', { batchId: 'B1', batchName: 'photos' })]);
    store.saveJob(
      job('a', {
        batchId: 'B1',
        batchName: 'photos',
        state: 'failed',
        uploadId: 'U1',
        error: { code: 'NO_SUCH_BUCKET', message: 'gone', retryable: false },
      }),
    );
    store.recordPart('a', { partNumber: 2, etag: '"e2"', md5: 'm2', size: 16 * 1024 * 1024 });
    store.recordPart('a', { partNumber: 1, etag: '"e1"', md5: 'm1', size: 16 * 1024 * 1024 });
    store.close();

    const reopened = JobStore.open(dir);
    const jobs = reopened.loadJobs();
    expect(jobs.map((j) => j.id)).toEqual(['b', 'a']);
    expect(jobs[1]).toMatchObject({
      state: 'failed',
      uploadId: 'U1',
      bytesDone: 32 * 1024 * 1024,
      error: { code: 'NO_SUCH_BUCKET', message: 'gone' },
      batchId: 'B1',
      batchName: 'photos',
    });
    expect(jobs[0]).toMatchObject({ batchId: null, batchName: null });
    expect(jobs[1]!.fingerprint).toEqual({ size: 100 * 1024 * 1024, mtimeMs: 1234.567, ino: '18446744073709551615' });
    expect(reopened.loadParts('a').map((p) => p.partNumber)).toEqual([1, 2]);
    reopened.close();
  });

  it('loads every field as it was saved; jobs with the same options share one frozen copy', () => {
    const options = { contentType: 'image/png', metadata: { owner: 'ana' }, tags: { project: 'x' }, ifExists: 'skip' as const };
    const full = job('full', {
      state: 'completed',
      fingerprint: { size: 100 * 1024 * 1024, mtimeMs: 1234.567, ino: '42', ctimeMs: 99.5 },
      uploadId: 'U9',
      etag: '"abc-7"',
      completedAt: 5,
      options,
      skipped: true,
      batchId: 'B2',
      batchName: 'photos',
      error: null,
    });
    const store = JobStore.open(dir);
    store.insertJobs([full, job('same-options', { options }), job('plain')]);
    store.close();

    const reopened = JobStore.open(dir);
    const [loaded, sameOptions, plain] = reopened.loadJobs();
    reopened.close();
    // a completed job counts its whole size as done
    expect(loaded).toEqual({ ...full, bytesDone: full.size });
    expect(plain).toEqual(job('plain'));
    expect(plain!.options).toBeUndefined();
    expect(plain!.skipped).toBeUndefined();
    expect(sameOptions!.options).toBe(loaded!.options);
    expect(Object.isFrozen(loaded!.options)).toBe(true);
    expect(Object.isFrozen(loaded!.options!.metadata)).toBe(true);
  });

  it('writes part acknowledgements in batches, and a state change flushes them first', () => {
    const store = JobStore.open(dir);
    store.insertJobs([job('a')]);
    store.recordPart('a', { partNumber: 1, etag: 'e', md5: 'm', size: 1 });
    const peek = new DatabaseSync(join(dir, 'ferry.db'));
    const count = () => (peek.prepare('SELECT COUNT(*) AS n FROM parts').get() as { n: number }).n;
    expect(count()).toBe(0);
    store.saveJob(job('a', { state: 'uploading' }));
    expect(count()).toBe(1);
    peek.close();
    store.close();
  });

  it('inserts 10,000 jobs in one transaction quickly', () => {
    const store = JobStore.open(dir);
    const started = performance.now();
    store.insertJobs(Array.from({ length: 10_000 }, (_, i) => job(`j${i}`)));
    const elapsed = performance.now() - started;
    expect(store.loadJobs()).toHaveLength(10_000);
    // generous bound: ~50 ms here; one fsync per job would take seconds
    expect(elapsed).toBeLessThan(3000);
    store.close();
  });

  it('records its schema version and refuses a store from a newer Ferry', () => {
    JobStore.open(dir).close();
    const db = new DatabaseSync(join(dir, 'ferry.db'));
    expect((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version).toBe(SCHEMA_VERSION);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => JobStore.open(dir)).toThrow(/newer Ferry/);
  });
});

describe('data directory lock', () => {
  it('refuses a second owner, naming the first, and frees on release', () => {
    const lock = acquireDataDirLock(dir);
    expect(() => acquireDataDirLock(dir)).toThrow(EngineLockedError);
    expect(() => acquireDataDirLock(dir)).toThrow(new RegExp(`in use by Ferry process ${process.pid}`));
    lock.release();
    acquireDataDirLock(dir).release();
  });
});
