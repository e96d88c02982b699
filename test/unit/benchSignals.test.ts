// A benchmark stopped by Ctrl-C or kill (bench/lib/signals.ts) removes what it made and exits as a shell
// expects of a process ended by the signal: the next run is not refused for lack of space.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const SIGNALS = new URL('../../bench/lib/signals.ts', import.meta.url).href;

// a stand-in benchmark: work in a directory, cleaned up on a signal (or not, once it is done)
const CHILD = `
import { rmSync } from 'node:fs';
import { cleanUpOnSignal, stopping } from ${JSON.stringify(SIGNALS)};
const off = cleanUpOnSignal('removing the work directory', async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  if (process.env.FAIL) throw new Error('the disk is gone');
  console.log('stopping: ' + stopping());
  rmSync(process.env.WORK, { recursive: true, force: true });
}, (msg) => console.log(msg));
if (process.env.DONE) off();
console.log('ready');
setInterval(() => {}, 1000);
`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the stand-in, sends `signal` once it is ready, and returns how it ended and what it printed. */
async function stopped(signal: NodeJS.Signals, env: Record<string, string> = {}) {
  const work = mkdtempSync(path.join(tmpdir(), 'ferry-bench-signals-'));
  dirs.push(work);
  mkdirSync(path.join(work, 'data'));
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    env: { PATH: process.env.PATH ?? '', WORK: work, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  for await (const line of createInterface({ input: child.stdout! })) {
    lines.push(line);
    if (line === 'ready') child.kill(signal);
  }
  return { ...(await ended), lines, workLeft: existsSync(work) };
}

describe('cleanUpOnSignal', () => {
  it('on SIGTERM removes the work directory and exits 143', async () => {
    const run = await stopped('SIGTERM');
    expect(run).toMatchObject({ code: 143, workLeft: false });
    expect(run.lines).toEqual(['ready', 'SIGTERM: removing the work directory', 'stopping: true']);
  });

  it('on Ctrl-C (SIGINT) removes the work directory and exits 130', async () => {
    expect(await stopped('SIGINT')).toMatchObject({ code: 130, workLeft: false });
  });

  it('says so when the clean-up fails, and still exits as stopped by the signal', async () => {
    const run = await stopped('SIGTERM', { FAIL: '1' });
    expect(run.code).toBe(143);
    expect(run.lines).toContain('SIGTERM: the clean-up failed: the disk is gone');
  });

  it('once the run has cleaned up by itself, a signal ends the process as usual', async () => {
    const run = await stopped('SIGTERM', { DONE: '1' });
    expect(run).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(run.lines).toEqual(['ready']);
  });
});
