// A real S3 server for tests and benchmarks: a single-node Ceph RGW started from nothing by rgw-start.sh
// (see the reference notes in shared/s3-test-server/NOTES.md for why RGW and why these settings).
//
//   const rgw = await startRgw();            // ~2 s with memstore (RAM only); backend: 'bluestore' ~6 s
//   ... new S3Client({ endpoint: rgw.endpoint, region: rgw.region, forcePathStyle: true, credentials: rgw }) ...
//   await gcProcess(rgw);                    // reclaim deleted/aborted data now instead of in ~10 s
//   await rgw.stop();                        // SIGKILL of the recorded daemons, then the directory is removed
//
// Process model: rgw-start.sh runs with RGW_SUPERVISE=1 and stays alive as the parent of the three daemons
// (ceph-mon, ceph-osd, radosgw). It reaps them when they die (no zombies even under an init that never
// reaps), and it kills them within a second if this Node process dies without calling stop().
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants, readFileSync } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RgwServer {
  /** http://127.0.0.1:PORT (path-style addressing) */
  endpoint: string;
  region: 'us-east-1';
  accessKeyId: string;
  secretAccessKey: string;
  /** the cluster's directory: ceph.conf, log/*.log, pids, admin.sh */
  dir: string;
  /**
   * Runs `radosgw-admin ...args` against this cluster and returns its stdout. If args[0] is `ceph`, `rados`
   * or `radosgw-admin`, that program runs with the remaining arguments instead (e.g. ['ceph', '-s']).
   */
  admin(args: string[]): Promise<string>;
  /** Kills the recorded daemons (SIGKILL) and removes the directory. Idempotent. */
  stop(): Promise<void>;
}

export interface StartRgwOptions {
  /** Cluster directory. Default: a fresh os.tmpdir()/ferry-rgw-XXXXXX. A given directory is not removed by
   *  stop(), only the files the harness created in it (use a directory on disk for bluestore benchmarks). */
  dir?: string;
  /** memstore (default; RAM only, never gives memory back: tests) | bluestore (sparse 16 GiB file: benchmarks) */
  backend?: 'memstore' | 'bluestore';
  signal?: AbortSignal;
}

export const RGW_ACCESS_KEY_ID = 'TESTACCESSKEY0000001';
export const RGW_SECRET_ACCESS_KEY = 'testsecretkey00000000000000000000000001';
export const RGW_APT_PACKAGES = ['radosgw', 'ceph-mon', 'ceph-osd', 'ceph-common', 'uuid-runtime', 'curl'];
export const RGW_APT_INSTALL = `apt-get update && apt-get install -y --no-install-recommends ${RGW_APT_PACKAGES.join(' ')}`;
const REQUIRED_BINARIES = ['ceph-mon', 'ceph-osd', 'radosgw', 'radosgw-admin', 'ceph', 'monmaptool', 'uuidgen', 'curl'];

const HERE = path.dirname(fileURLToPath(import.meta.url));
const START_SCRIPT = path.join(HERE, 'rgw-start.sh');
const DIR_PREFIX = 'ferry-rgw-';
/** Everything rgw-start.sh and startRgw() create inside the directory. */
const CREATED_ENTRIES = ['ceph.conf', 'mon', 'osd', 'osd.block', 'log', 'run', 'pids', 'env', 'admin.sh', 'owner', 'start.out'];
const PORT_MIN = 20000; // below the kernel's ephemeral range (32768-60999): see NOTES
const PORT_MAX = 29998; // S3 port P, mon port P + 1
const START_ATTEMPTS = 5;
const START_TIMEOUT_MS = 120_000;
/** rgw-start.sh exit codes meaning "a port was taken: try other ports" */
const EXIT_PORT_BUSY = 3;
const EXIT_BIND_FAILED = 7;

/** PATH plus the sbin directories (non-root PATHs often lack them). */
function searchPath(): string {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const d of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!dirs.includes(d)) dirs.push(d);
  }
  return dirs.join(path.delimiter);
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, fsConstants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The Ceph/helper binaries that are not installed. */
export async function missingRgwBinaries(): Promise<string[]> {
  const dirs = searchPath().split(path.delimiter);
  const missing: string[] = [];
  for (const bin of REQUIRED_BINARIES) {
    let found = false;
    for (const d of dirs) {
      if (await isExecutable(path.join(d, bin))) {
        found = true;
        break;
      }
    }
    if (!found) missing.push(bin);
  }
  return missing;
}

/** True when 127.0.0.1:port can be bound right now (a real bind, not a connect probe). */
export function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function pickPorts(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN + 1));
    if ((await canBind(port)) && (await canBind(port + 1))) return port;
  }
  throw new Error(`no free pair of ports (P, P+1) found in ${PORT_MIN}-${PORT_MAX + 1} on 127.0.0.1`);
}

interface Recorded {
  name: string;
  pid: number;
}

function readPids(dir: string): Recorded[] {
  let text: string;
  try {
    text = readFileSync(path.join(dir, 'pids'), 'utf8');
  } catch {
    return [];
  }
  const out: Recorded[] = [];
  for (const line of text.split('\n')) {
    const [name, pid] = line.trim().split(/\s+/);
    const n = Number(pid);
    if (name && Number.isInteger(n) && n > 1) out.push({ name, pid: n });
  }
  return out;
}

/** /proc/PID/cmdline still names the daemon we recorded (so a recycled PID is never killed). */
function isStillDaemon(r: Recorded): boolean {
  try {
    const cmdline = readFileSync(`/proc/${r.pid}/cmdline`, 'utf8').split('\0').join(' ');
    return cmdline.includes(r.name);
  } catch {
    return false;
  }
}

/** Synchronous on purpose: also used from a process 'exit' handler. Returns the PIDs it killed. */
function killRecorded(recorded: Recorded[]): number[] {
  const killed: number[] = [];
  for (const r of recorded) {
    if (!isStillDaemon(r)) continue;
    try {
      process.kill(r.pid, 'SIGKILL');
      killed.push(r.pid);
    } catch {
      // already gone
    }
  }
  return killed;
}

function isGoneOrZombie(pid: number): boolean {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ..." -- comm may contain spaces/parens: take the field after the last ')'
    return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitGone(pids: number[], timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (pids.some((p) => !isGoneOrZombie(p)) && Date.now() < until) await sleep(25);
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// ---- servers of this process: killed synchronously if the process exits without stop() ----
const live = new Map<string, { recorded: Recorded[]; child: ChildProcess }>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const { recorded, child } of live.values()) {
      killRecorded(recorded);
      try {
        child.kill('SIGTERM');
      } catch {
        // ignore
      }
    }
  });
}

/** Removes what the harness created in dir; dir itself too when the harness created it or it is now empty. */
async function removeDir(dir: string, ownDir: boolean): Promise<void> {
  if (ownDir) {
    await rm(dir, { recursive: true, force: true });
    return;
  }
  for (const e of CREATED_ENTRIES) await rm(path.join(dir, e), { recursive: true, force: true });
  try {
    if ((await readdir(dir)).length === 0) await rm(dir, { recursive: true, force: true });
  } catch {
    // ignore
  }
}

/**
 * Clusters left behind in os.tmpdir() by a test process that died without stop(): their supervisor normally
 * kills the daemons within a second, this removes the directories (and kills any survivor by recorded PID).
 */
async function sweepStale(): Promise<void> {
  const tmp = os.tmpdir();
  let entries: string[];
  try {
    entries = await readdir(tmp);
  } catch {
    return;
  }
  for (const e of entries) {
    if (!e.startsWith(DIR_PREFIX)) continue;
    const dir = path.join(tmp, e);
    try {
      const owner = Number((await readFile(path.join(dir, 'owner'), 'utf8')).trim());
      if (!Number.isInteger(owner) || owner <= 1 || processAlive(owner)) continue;
      await waitGone(killRecorded(readPids(dir)), 5000);
      await rm(dir, { recursive: true, force: true });
    } catch {
      // no owner file (being created right now, or not ours): leave it
    }
  }
}

function runAdminIn(dir: string, args: string[]): Promise<string> {
  const tools = ['ceph', 'rados', 'radosgw-admin'];
  const [program, rest] = args[0] && tools.includes(args[0]) ? [args[0], args.slice(1)] : ['radosgw-admin', args];
  return new Promise((resolve, reject) => {
    execFile(
      program,
      rest,
      {
        env: { ...process.env, PATH: searchPath(), CEPH_CONF: path.join(dir, 'ceph.conf') },
        maxBuffer: 256 * 1024 * 1024,
        timeout: 120_000,
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${program} ${rest.join(' ')} failed: ${err.message}\n${stderr}`.trim(), { cause: err }));
        else resolve(stdout);
      },
    );
  });
}

/** Runs an admin command against the cluster in dir (see RgwServer.admin); usable from test workers too. */
export function rgwAdmin(dir: string, args: string[]): Promise<string> {
  return runAdminIn(dir, args);
}

/** `radosgw-admin gc process --include-all`: reclaims deleted, overwritten and aborted data now. */
export async function gcProcess(server: Pick<RgwServer, 'dir'>): Promise<void> {
  await runAdminIn(server.dir, ['gc', 'process', '--include-all']);
}

interface Attempt {
  code: number | null;
  output: string;
  child?: ChildProcess;
}

/** Runs rgw-start.sh once; resolves when it prints "S3 READY" (child stays as supervisor) or exits. */
function runStartScript(dir: string, port: number, backend: string, signal?: AbortSignal): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn('bash', [START_SCRIPT, dir, String(port)], {
      cwd: dir,
      // own process group: a Ctrl-C in the terminal reaches vitest, not the daemons (they would shut down
      // gracefully, which is slow); the supervisor notices this process dying and kills them instead
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PATH: searchPath(),
        MON_PORT: String(port + 1),
        OSD_BACKEND: backend,
        S3_ACCESS_KEY: RGW_ACCESS_KEY_ID,
        S3_SECRET_KEY: RGW_SECRET_ACCESS_KEY,
        RGW_SUPERVISE: '1',
        RGW_OWNER_PID: String(process.pid),
      },
    });
    let output = '';
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const abortChild = async () => {
      const killed = killRecorded(readPids(dir));
      // TERM to the script's own process group (detached above: only the script and what it started), so a
      // `ceph ...` call it is waiting for ends now; its trap then kills and reaps the daemons
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      if (!(await waitExit(child, 5000))) child.kill('SIGKILL');
      await waitGone(killed, 5000);
    };
    const onAbort = () => {
      finish(() => {
        void abortChild().then(
          () => reject(signal?.reason ?? new Error('startRgw aborted')),
          () => reject(signal?.reason ?? new Error('startRgw aborted')),
        );
      });
    };
    const timer = setTimeout(() => {
      finish(() => {
        void abortChild().finally(() =>
          reject(new Error(`Ceph RGW did not become ready within ${START_TIMEOUT_MS / 1000} s (logs: ${dir}/log)\n${output}`)),
        );
      });
    }, START_TIMEOUT_MS);
    signal?.addEventListener('abort', onAbort, { once: true });
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/^S3 READY /m.test(output)) {
        finish(() => {
          // the supervisor redirects its own output after READY; let it live without holding the event loop
          child.stdout?.destroy();
          child.stderr?.destroy();
          child.unref();
          resolve({ code: 0, output, child });
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => finish(() => reject(err)));
    // 'close', not 'exit': all of the script's output has been read by then
    child.once('close', (code) => finish(() => resolve({ code: code ?? -1, output })));
  });
}

/** Starts a fresh single-node Ceph RGW on 127.0.0.1. See the header of this file. */
export async function startRgw(opts: StartRgwOptions = {}): Promise<RgwServer> {
  const backend = opts.backend ?? 'memstore';
  opts.signal?.throwIfAborted();
  const missing = await missingRgwBinaries();
  if (missing.length > 0) {
    throw new Error(
      `Ceph RGW (the S3 server the tests run against) is not installed: missing ${missing.join(', ')}.\n` +
        `Install it (Debian/Ubuntu, as root): ${RGW_APT_INSTALL}`,
    );
  }
  await sweepStale();

  const ownDir = !opts.dir;
  const dir = opts.dir ? path.resolve(opts.dir) : await mkdtemp(path.join(os.tmpdir(), DIR_PREFIX));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'owner'), `${process.pid}\n`);

  let lastOutput = '';
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    let port: number;
    let result: Attempt;
    try {
      port = await pickPorts();
      result = await runStartScript(dir, port, backend, opts.signal);
    } catch (err) {
      if (ownDir) await removeDir(dir, true);
      throw err;
    }
    if (result.code === 0 && result.child) {
      return makeServer(dir, ownDir, port, result.child);
    }
    lastOutput = result.output;
    // the script kills what it started when it fails; make sure by PID, then retry or give up
    await waitGone(killRecorded(readPids(dir)), 5000);
    await rm(path.join(dir, 'pids'), { force: true });
    if (result.code === EXIT_PORT_BUSY || result.code === EXIT_BIND_FAILED) continue;
    break;
  }
  // keep the directory for its logs (a later startRgw() removes it once this process is gone)
  throw new Error(`Ceph RGW failed to start (logs: ${dir}/log):\n${lastOutput.trim()}`);
}

function makeServer(dir: string, ownDir: boolean, port: number, child: ChildProcess): RgwServer {
  const recorded = readPids(dir);
  live.set(dir, { recorded, child });
  installExitHook();
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    accessKeyId: RGW_ACCESS_KEY_ID,
    secretAccessKey: RGW_SECRET_ACCESS_KEY,
    dir,
    admin: (args) => runAdminIn(dir, args),
    stop: () =>
      (stopping ??= (async () => {
        const killed = killRecorded(recorded);
        // the supervisor reaps the killed daemons and exits; TERM makes it do so at once
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        if (!(await waitExit(child, 5000))) child.kill('SIGKILL');
        await waitGone(killed, 5000);
        live.delete(dir);
        await removeDir(dir, ownDir);
      })()),
  };
}
