// Running the `ferry` command (bin/ferry.js) as a child process in integration tests: one data directory
// per FerryCli, an environment without the parent's FERRY_* variables, every byte of output kept so a test
// can check that no secret ever appears, and waits on output lines and server state (never on sleeps).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { createTestBucket, listPartNumbers, listUploads, testClient } from './s3.ts';
import type { TestS3 } from './s3env.ts';
import { endpointAddArgs } from './endpointArgs.ts';
import { tempDir } from './engine.ts';
import type { OptionsJson } from '../../main/cli/commands/jobs.ts';

/** The repository root: the children run with it as their working directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FERRY = join(ROOT, 'bin', 'ferry.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the child's standard input, which is then closed (closed at once without it). */
  input?: string;
  /** Extra environment variables (the parent's FERRY_* variables are never passed on). */
  env?: Record<string, string>;
  /** Run as this user and group (tests run as root; a non-root child cannot read a chmod 000 file). */
  uid?: number;
  gid?: number;
  /**
   * Run without the privilege to read every file: as root, the child loses CAP_DAC_OVERRIDE and
   * CAP_DAC_READ_SEARCH (setpriv) and so cannot read a chmod 000 file, yet still reaches the checkout
   * and node wherever they are (another user cannot when a parent directory is not traversable).
   */
  unprivileged?: boolean;
  /** false: no `--data-dir` argument (to test FERRY_DATA_DIR). Default true. */
  dataDirFlag?: boolean;
}

/** The `--json` shape of `ferry jobs` (the CLI contract). */
export interface JobJson {
  id: string;
  state: 'queued' | 'uploading' | 'paused' | 'failed' | 'completed' | 'aborted';
  path: string;
  endpoint: string;
  bucket: string;
  key: string;
  size: number;
  bytesDone: number;
  partSize: number;
  uploadId: string | null;
  error: { code: string; message: string } | null;
  /** Issue #12: what the object is sent with; never a secret. */
  options: OptionsJson;
  skipped: boolean;
  /** An uploading job waiting to retry a request, or null. */
  retry: { attempt: number; maxAttempts: number | null; nextRetryAt: number; error: { code: string; message: string } } | null;
  batchId: string | null;
}

/**
 * The process environment minus every FERRY_* variable and the session bus (so that no test stores
 * secrets in the keychain of whoever runs them; test/security starts a keychain of its own), plus `extra`.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('FERRY_') && name !== 'DBUS_SESSION_BUS_ADDRESS' && value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

/** A `ferry` process started by FerryCli.start. */
export class RunningFerry {
  readonly child: ChildProcess;
  readonly exited: Promise<CliResult>;
  #stdout = '';
  #stderr = '';
  #done = false;
  readonly #waiters: Array<{ test: RegExp; resolve: (line: string) => void }> = [];
  #partial = '';

  constructor(child: ChildProcess, onOutput: (text: string) => void) {
    this.child = child;
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      this.#stdout += text;
      onOutput(text);
    });
    child.stderr!.on('data', (text: string) => {
      this.#stderr += text;
      onOutput(text);
      this.#partial += text;
      const lines = this.#partial.split('\n');
      this.#partial = lines.pop()!;
      for (const line of lines) this.#offer(line);
    });
    this.exited = new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        this.#done = true;
        if (this.#partial) this.#offer(this.#partial);
        resolve({ code, signal, stdout: this.#stdout, stderr: this.#stderr });
      });
    });
  }

  #offer(line: string): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.test.test(line)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  }

  get stderr(): string {
    return this.#stderr;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Resolves with the first stderr line (seen so far or later) matching `test`; rejects if the process ends first. */
  stderrLine(test: RegExp): Promise<string> {
    const seen = this.#stderr.split('\n').find((line) => test.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      this.#waiters.push({ test, resolve });
      void this.exited.then((result) =>
        reject(new Error(`ferry exited (${result.code ?? result.signal}) before a stderr line matching ${test}:\n${result.stderr}`)),
      );
    });
  }
}

/** The `ferry` command with its own data directory; remembers everything every run printed. */
/**
 * `ferry upload FILE… s3://BUCKET/PREFIX --endpoint rgw --part-size 5MiB --concurrency N`: an upload in
 * small parts to the harness's endpoint "rgw", for tests that act on it while it runs (signals,
 * pause and abort from another process, orphans).
 */
export function uploadArgs(paths: readonly string[], target: string, concurrency: number, extra: readonly string[] = []): string[] {
  return ['upload', ...paths, target, '--endpoint', 'rgw', '--part-size', '5MiB', '--concurrency', String(concurrency), ...extra];
}

export class FerryCli {
  readonly dataDir: string;
  /** Everything every command printed, stdout and stderr. */
  output = '';
  readonly #defaults: RunOptions;

  constructor(options: { dataDir?: string } & RunOptions = {}) {
    const { dataDir, ...defaults } = options;
    this.dataDir = dataDir ?? tempDir('cli');
    this.#defaults = defaults;
  }

  /** Starts `ferry --data-dir DIR ...args` in the repository root. */
  start(args: readonly string[], options: RunOptions = {}): RunningFerry {
    const uid = options.uid ?? this.#defaults.uid;
    const gid = options.gid ?? this.#defaults.gid;
    const dataDir = options.dataDirFlag === false ? [] : ['--data-dir', this.dataDir];
    const unprivileged = (options.unprivileged ?? this.#defaults.unprivileged) === true && process.getuid?.() === 0;
    const command = [process.execPath, FERRY, ...dataDir, ...args];
    if (unprivileged) command.unshift('setpriv', '--bounding-set=-dac_override,-dac_read_search', '--');
    const child = spawn(command[0]!, command.slice(1), {
      cwd: ROOT,
      env: cleanEnv({ ...this.#defaults.env, ...options.env }),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(uid !== undefined ? { uid } : {}),
      ...(gid !== undefined ? { gid } : {}),
    });
    child.stdin!.on('error', () => undefined); // a child that exits without reading its input
    child.stdin!.end(options.input ?? '');
    return new RunningFerry(child, (text) => (this.output += text));
  }

  /** Runs `ferry ...args` to its end. */
  run(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
    return this.start(args, options).exited;
  }

  /** Runs a command that must succeed (exit 0) and print JSON on stdout; returns it parsed. */
  async json<T>(args: readonly string[]): Promise<T> {
    const result = await this.run(args);
    if (result.code !== 0) throw new Error(`ferry ${args.join(' ')} exited ${result.code ?? result.signal}:\n${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  jobs(): Promise<JobJson[]> {
    return this.json<JobJson[]>(['jobs', '--json']);
  }

  /** `ferry endpoint add NAME` for the test server, the secret piped on standard input. */
  addEndpoint(name: string, s3: TestS3, secret = s3.secretAccessKey): Promise<CliResult> {
    return this.run(endpointAddArgs(name, s3), { input: secret });
  }

  /** Every file under the data directory (ferry.db, its -wal and -shm, the key file, the lock...). */
  dataFiles(): string[] {
    return readdirSync(this.dataDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
  }

  /** Where `secret` appears: in the output of a command, or in a file of the data directory (as bytes). */
  secretLeaks(secret: string): string[] {
    const leaks: string[] = [];
    if (this.output.includes(secret)) leaks.push('command output');
    const needle = Buffer.from(secret, 'utf8');
    for (const file of this.dataFiles()) if (readFileSync(file).includes(needle)) leaks.push(file);
    return leaks;
  }
}

/** The lines of a stream's text, without the empty ones. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** Lines that look like a stack trace. */
export function stackLines(text: string): string[] {
  return text.split('\n').filter((line) => /^\s+at /.test(line));
}

/**
 * Resolves once the server holds an incomplete upload of `key` with at least `parts` parts, polling the
 * server request after request (each poll waits on the server's answer, not on a timer). Rejects if
 * `running` exits first, e.g. because it finished the upload already.
 */
export async function serverParts(
  client: S3Client,
  bucket: string,
  key: string,
  parts: number,
  running?: RunningFerry,
): Promise<{ uploadId: string; parts: number[] }> {
  for (;;) {
    if (running?.done) throw new Error(`ferry exited before the server held ${parts} parts of ${key}:\n${running.stderr}`);
    const uploads = (await listUploads(client, bucket, key)).filter((u) => u.key === key);
    if (uploads.length === 1) {
      const numbers = await listPartNumbers(client, bucket, key, uploads[0]!.uploadId);
      if (numbers.length >= parts) return { uploadId: uploads[0]!.uploadId, parts: numbers };
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The set-up every CLI test file shares: a client and a bucket of its own on the test server, and
 * `cli()`, a FerryCli with the server as endpoint "rgw". After each test, no CLI the file made (or
 * `track`ed) may show the secret in its output or its data directory.
 */
export interface CliSuite {
  readonly client: S3Client;
  readonly bucket: string;
  /** A FerryCli with endpoint "rgw": the test server, or `via` (a test proxy in front of it). */
  cli(via?: string): Promise<FerryCli>;
  track(ferry: FerryCli): FerryCli;
}

export function cliSuite(name: string): CliSuite {
  const s3 = inject('s3');
  let client: S3Client | undefined;
  let bucket = '';
  let clis: FerryCli[] = [];
  beforeAll(async () => {
    client = testClient(s3);
    bucket = await createTestBucket(s3, name);
  });
  afterAll(() => client?.destroy());
  afterEach(() => {
    for (const ferry of clis) expect(ferry.secretLeaks(s3.secretAccessKey)).toEqual([]);
    clis = [];
  });
  const track = (ferry: FerryCli): FerryCli => {
    clis.push(ferry);
    return ferry;
  };
  return {
    get client() {
      if (!client) throw new Error('cliSuite: the client exists from beforeAll on');
      return client;
    },
    get bucket() {
      return bucket;
    },
    track,
    async cli(via) {
      const ferry = track(new FerryCli());
      const added = await ferry.addEndpoint('rgw', via === undefined ? s3 : { ...s3, endpoint: via });
      expect(added.code, added.stderr).toBe(0);
      return ferry;
    },
  };
}
