// `ferry jobs --json` writes its array a thousand jobs at a time (issue #14, 100,000-job stores): the text
// must still be exactly the pretty JSON of the whole array, at every chunk boundary, in the store's order.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobStore } from '../../main/store/jobStore.ts';
import { acquireDataDirLock } from '../../main/store/lock.ts';
import { job } from './jobFixture.ts';

const FERRY = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-jobs-json-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function jobsJson(): string {
  const result = spawnSync(process.execPath, [FERRY, '--data-dir', dir, 'jobs', '--json'], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dir },
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(result.stderr).not.toMatch(/Error|at /);
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('ferry jobs --json', () => {
  it.each([0, 1, 1000, 2001])('prints %i jobs as the pretty JSON of one array, in order', (count) => {
    const store = JobStore.open(dir);
    store.insertJobs(
      Array.from({ length: count }, (_, i) => job({ id: `job-${i}`, key: `k/${i}`, options: { metadata: { n: String(i) } } })),
    );
    store.close();
    const text = jobsJson();
    const parsed = JSON.parse(text) as { id: string; options: { metadata: Record<string, string> } }[];
    expect(text).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
    expect(parsed.map((j) => j.id)).toEqual(Array.from({ length: count }, (_, i) => `job-${i}`));
    expect(parsed.at(-1)?.options.metadata).toEqual(count === 0 ? undefined : { n: String(count - 1) });
  });

  it("shows a job a dead process left 'uploading' as queued, and as uploading while an engine owns the directory", () => {
    const store = JobStore.open(dir);
    store.insertJobs([
      job({ id: 'job-0', key: 'k/0' }),
      job({ id: 'job-1', key: 'k/1', state: 'uploading' }),
      job({ id: 'job-2', key: 'k/2' }),
    ]);
    store.close();
    const states = () => (JSON.parse(jobsJson()) as { state: string }[]).map((j) => j.state);
    expect(states()).toEqual(['queued', 'queued', 'queued']);
    const lock = acquireDataDirLock(dir);
    try {
      expect(states()).toEqual(['queued', 'uploading', 'queued']);
    } finally {
      lock.release();
    }
  });
});
