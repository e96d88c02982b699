// Temporary directories of the tests, removed after each Vitest file (test/harness/cleanup.ts) and when a
// Playwright worker ends (test/e2e/fixtures.ts):
// a full `npm test` left about 10 GiB in the system's temporary directory, 677 MiB per cli-interrupt run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/** A new directory under the system's temporary directory, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ferry-${prefix}-`));
  made.push(dir);
  return dir;
}

/** Removes every directory tempDir made so far in this test file; returns how many it removed. */
export function removeTempDirs(): number {
  let removed = 0;
  for (const dir of made.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      removed++;
    } catch {
      // a process the test started may still hold it: the system's cleaner will have it
    }
  }
  return removed;
}
