// A folder walk that meets things it cannot upload (issue #11, defect 12): named pipes, links to
// folders and dangling links are skipped and said, the summary does not hide them; an unreadable
// sub-folder is refused in one line with exit 2, not a raw `EACCES ... scandir`.
import { describe, expect, inject, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { FerryCli, cliSuite, lines, stackLines } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { makeFile } from '../harness/s3.ts';

const suite = cliSuite('walk');

describe('a folder with entries that are not files', () => {
  it('uploads the files, names each skipped entry and why, and the summary says so', async () => {
    const ferry = await suite.cli();
    const tree = join(tempDir('walk'), 'tree');
    await makeFile(tree, 'a.bin', 100, 501);
    await makeFile(join(tree, 'sub'), 'b.bin', 100, 502);
    await makeFile(tree, 'c.bin', 100, 503);
    execFileSync('mkfifo', [join(tree, 'pipe')]);
    const elsewhere = tempDir('walk-elsewhere');
    await makeFile(elsewhere, 'outside.bin', 100, 504);
    symlinkSync(elsewhere, join(tree, 'linked-folder'));
    symlinkSync(join(tree, 'gone.bin'), join(tree, 'dangling'));

    const result = await ferry.run(['upload', tree, `s3://${suite.bucket}/walk/`, '--endpoint', 'rgw']);
    expect(result.code, result.stderr).toBe(0);
    const err = lines(result.stderr);
    expect(err).toContain(`Skipped ${join(tree, 'pipe')}: a named pipe (FIFO), not a regular file.`);
    expect(err).toContain(`Skipped ${join(tree, 'linked-folder')}: a link to a folder (not followed).`);
    expect(err).toContain(`Skipped ${join(tree, 'dangling')}: a link whose target does not exist.`);
    const summary = err.findIndex((line) => line.startsWith('Uploaded 3 of 3 files'));
    expect(summary).toBeGreaterThan(-1);
    expect(err[summary + 1]).toBe('Skipped 3 entries that are not a file (listed above).');
  });
});

describe('a folder with a sub-folder that cannot be read', () => {
  it('is refused in one line with exit 2, nothing queued', async () => {
    // without the privilege to read any file (root reads a chmod 000 folder)
    const ferry = suite.track(new FerryCli({ unprivileged: true }));
    expect((await ferry.addEndpoint('rgw', inject('s3'))).code).toBe(0);
    const tree = join(tempDir('walk-locked'), 'tree');
    await makeFile(tree, 'a.bin', 100, 511);
    const locked = join(tree, 'private');
    mkdirSync(locked);
    await makeFile(locked, 'b.bin', 100, 512);
    chmodSync(locked, 0o000);

    const result = await ferry.run(['upload', tree, `s3://${suite.bucket}/locked/`, '--endpoint', 'rgw']);
    chmodSync(locked, 0o755);
    expect(result.code, result.stderr).toBe(2);
    expect(stackLines(result.stderr)).toEqual([]);
    expect(lines(result.stderr)).toEqual([`ferry: Cannot read the folder ${locked}: permission denied.`]);
    expect(await ferry.jobs()).toEqual([]);
  });
});
