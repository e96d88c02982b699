// Running one client command under GNU time: wall time (our own clock), user + sys CPU-seconds and peak RSS
// of the client's process tree (wait4 rusage, which includes every descendant the client waited for).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface Measured {
  /** exit code of the client (null when it died by a signal) */
  code: number | null;
  signal: string | null;
  /** seconds from spawn to exit, our clock (includes the client's own start-up) */
  wallS: number;
  /** performance.now() just before the spawn */
  startedAt: number;
  userS: number;
  sysS: number;
  /** peak resident set of the largest process in the client's tree, KiB (GNU time %M) */
  maxRssKiB: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdin?: string;
  timeoutMs?: number;
  /**
   * Called with the spawned child (GNU time itself) and performance.now() just before the spawn. With `group`
   * the child leads its own process group: `process.kill(-child.pid, 'SIGKILL')` kills the client's whole tree.
   */
  onSpawn?: (child: ChildProcess, startedAt: number) => void;
  group?: boolean;
}

/** Keeps the last `max` characters of a stream's text. */
class Tail {
  text = '';
  readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > this.max * 2) this.text = this.text.slice(-this.max);
  }
  value(): string {
    return this.text.slice(-this.max);
  }
}

/** SIGKILL to the child, or to its whole process group when it was started with `group`. */
export function killTree(child: ChildProcess, group: boolean): void {
  try {
    if (group && child.pid) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch {
    // already gone
  }
}

export function assertGnuTime(): void {
  if (!existsSync(GNU_TIME)) {
    throw new Error(`GNU time is needed to measure the clients' CPU and memory: apt-get install -y time (${GNU_TIME} not found)`);
  }
}

/**
 * Runs `cmd args` under GNU time and returns its figures. Never throws for a failing client: the caller
 * looks at `code`. Throws only if the command cannot be run at all.
 */
export async function runMeasured(cmd: string, args: string[], options: RunOptions = {}): Promise<Measured> {
  const statsDir = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-time-'));
  const statsFile = path.join(statsDir, 'time.txt');
  try {
    const stdout = new Tail(64 * 1024);
    const stderr = new Tail(64 * 1024);
    const started = performance.now();
    const child = spawn(GNU_TIME, ['-f', 'FERRYBENCH %U %S %M %x', '-o', statsFile, '--', cmd, ...args], {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: options.group === true,
    });
    options.onSpawn?.(child, started);
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    child.stdout!.on('data', (c: Buffer) => stdout.push(c));
    child.stderr!.on('data', (c: Buffer) => stderr.push(c));
    let timer: NodeJS.Timeout | undefined;
    if (options.timeoutMs) {
      timer = setTimeout(() => {
        stderr.push(`\n[bench] killed after ${options.timeoutMs} ms\n`);
        killTree(child, options.group === true);
      }, options.timeoutMs);
    }
    const exit = await new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    clearTimeout(timer);
    const wallS = (performance.now() - started) / 1000;
    let userS = NaN;
    let sysS = NaN;
    let maxRssKiB = NaN;
    let code = exit.code;
    let signal = exit.signal;
    try {
      const text = await readFile(statsFile, 'utf8');
      // "Command terminated by signal 9" / "Command exited with non-zero status 1" may come first
      const line = text.split('\n').find((l) => l.startsWith('FERRYBENCH '));
      if (line) {
        const [u, s, m, x] = line.slice('FERRYBENCH '.length).trim().split(/\s+/).map(Number);
        userS = u!;
        sysS = s!;
        maxRssKiB = m!;
        if (Number.isFinite(x) && code !== null) code = x!;
      }
      const killed = /terminated by signal (\d+)/.exec(text);
      if (killed) {
        signal = os.constants.signals
          ? (Object.entries(os.constants.signals).find(([, n]) => n === Number(killed[1]))?.[0] ?? killed[1]!)
          : killed[1]!;
        code = null;
      }
    } catch {
      // GNU time itself was killed: no figures
    }
    return { code, signal, wallS, startedAt: started, userS, sysS, maxRssKiB, stdout: stdout.value(), stderr: stderr.value() };
  } finally {
    await rm(statsDir, { recursive: true, force: true });
  }
}

/** Runs a command to completion (not measured) and returns its stdout; rejects on a non-zero exit. */
export function runPlain(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
    let out = '';
    const err = new Tail(16 * 1024);
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code ?? signal}: ${err.value().trim()}`));
    });
  });
}
