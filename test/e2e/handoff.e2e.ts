// Issue #13, "the CLI and the window together", end to end: `ferry upload` in a terminal while
// `ferry serve` owns the data directory hands its jobs to it; the window shows them (a folder as one
// group) and the command follows them there. Chromium against `ferry serve` and RGW; waits for what
// the window shows and for the command's exit, never for time.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect, testClient } from './fixtures.ts';
import { makeFile, objectSha256 } from '../harness/s3.ts';
import { tempDir } from '../harness/tempDirs.ts';

const MiB = 1024 * 1024;
const FERRY = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));

interface Running {
  /** Sends a signal to the command, as Ctrl-C in its terminal does. */
  kill(signal: NodeJS.Signals): void;
  /** Everything it wrote on stderr so far. */
  stderr(): string;
  exited: Promise<number | null>;
}

/** `ferry upload ARGS...` on the data directory, as a person types it in another terminal. */
function upload(dataDir: string, args: string[]): Running {
  const child = spawn(process.execPath, [FERRY, '--data-dir', dataDir, 'upload', ...args], {
    env: { ...process.env, FERRY_DATA_DIR: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.resume();
  return {
    kill: (signal) => child.kill(signal),
    stderr: () => stderr,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
}

test('ferry upload while the window is open: the folder appears as one group and completes; the command exits 0', async ({
  app,
  ferry,
}) => {
  await expect(app.getByRole('combobox', { name: 'Endpoint' })).toHaveValue(/.+/);
  const parent = tempDir('e2e-handoff');
  const folder = join(parent, 'from-terminal');
  mkdirSync(folder);
  for (let i = 0; i < 6; i++) writeFileSync(join(folder, `file-${i}.txt`), `file ${i}\n`.repeat(100));

  const command = upload(ferry.dataDir, [folder, `s3://${ferry.bucket}/cli/`, '--endpoint', 'Test RGW']);
  const group = app.getByRole('row', { name: 'from-terminal', exact: true });
  await expect(group).toContainText('6 of 6 files');
  await expect(group).toContainText('Completed');
  expect(await command.exited, command.stderr()).toBe(0);
  expect(command.stderr()).toMatch(/through ferry serve \(process \d+\), which owns the data directory/);
  expect(command.stderr()).toMatch(/^Uploaded 6 of 6 files/m);
  expect(command.stderr()).not.toMatch(/^\s+at /m);
});

test('Ctrl-C in the terminal pauses the upload in the window; the window resumes it to the end', async ({ app, ferry }) => {
  await expect(app.getByRole('combobox', { name: 'Endpoint' })).toHaveValue(/.+/);
  const dir = tempDir('e2e-handoff');
  const file = await makeFile(dir, 'terminal-big.bin', 24 * MiB, 41);
  ferry.network.limit(1 * MiB); // a slow uplink: still uploading when the command is interrupted, on any machine

  const command = upload(ferry.dataDir, [file.path, `s3://${ferry.bucket}/cli/terminal-big.bin`, '--endpoint', 'Test RGW']);
  const row = app.getByRole('row', { name: 'terminal-big.bin', exact: true });
  await expect(row.getByText('Uploading', { exact: true })).toBeVisible();
  await expect.poll(() => command.stderr()).toMatch(/which owns the data directory/);
  command.kill('SIGINT');
  await expect(row.getByText('Paused', { exact: true })).toBeVisible();
  expect(await command.exited, command.stderr()).toBe(130);
  expect(command.stderr()).toMatch(/^Paused 1 upload in ferry serve \(process \d+\); parts already sent are kept\./m);

  ferry.network.limit(null);
  await row.getByRole('button', { name: 'Resume' }).click();
  await expect(row.getByText('Completed', { exact: true })).toBeVisible({ timeout: 120_000 });
  expect(await objectSha256(testClient(ferry.s3), ferry.bucket, 'cli/terminal-big.bin')).toBe(file.sha256);
});
