// The clients under comparison and how each is invoked. Every invocation is a command line run under GNU
// time by the caller; anything done before it (config files, `ferry endpoint add`) is set-up, not measured.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshBundle } from '../../bin/bundleFresh.js';
import type { TestS3 } from '../../test/harness/s3env.ts';
import { CHILD_CONFIG_ENV, type ChildConfig } from './files.ts';
import { runPlain } from './measure.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const FERRY_CLI = path.join(REPO, 'bin', 'ferry.js');
/** The CLI the Ferry row runs: bin/ferry.js, or another build of it (run.ts --ferry-cli, e.g. a bundle). */
export const ferryCliOptions = { path: FERRY_CLI };
const LIB_STORAGE_CHILD = path.join(REPO, 'bench', 'children', 'lib-storage.ts');
export const FERRY_ENGINE_CHILD = path.join(REPO, 'bench', 'children', 'ferry-engine.ts');
export const AWS_CLI = '/usr/bin/aws';
export const RCLONE = '/usr/bin/rclone';

export type Target = { kind: 'file'; path: string; key: string } | { kind: 'dir'; dir: string; prefix: string };

export interface RunContext {
  s3: TestS3;
  bucket: string;
  /** a fresh scratch directory for this run (configs, data directories) */
  work: string;
  partSize: number;
  concurrency: number;
  /** file-level workers for directory uploads (where the tool has such a setting) */
  fileWorkers: number;
  /** when set, the endpoint URL the client must use instead of s3.endpoint (the resume proxy) */
  endpointOverride?: string;
}

export interface Invocation {
  cmd: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  stdin?: string;
}

export interface Tool {
  id: 'ferry' | 'ferry-b' | 'ferry-engine' | 'aws' | 'rclone' | 'lib-storage';
  /** the row's name in the report */
  label: string;
  /** how it was configured, for the report */
  settings: string;
  version(): Promise<string>;
  /** Untimed set-up, then the command line to measure. */
  prepare(ctx: RunContext, target: Target): Promise<Invocation>;
  /**
   * Ferry only: the command that continues an interrupted upload of `target` from the data directory that
   * prepare() set up (no set-up of its own: the data directory is restored from a snapshot before each run).
   */
  resume?(ctx: RunContext, target: Target): Promise<Invocation>;
}

/** Where a Ferry tool keeps its data directory in a run's scratch directory. */
export const ferryDataDir = (ctx: RunContext) => path.join(ctx.work, 'ferry-data');

/** The environment without anything that could change a client's behaviour (profiles, CA bundles, configs). */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(AWS_|RCLONE_|FERRY_|NODE_OPTIONS$|NODE_V8_COVERAGE$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

const endpointOf = (ctx: RunContext) => ctx.endpointOverride ?? ctx.s3.endpoint;
const mib = (bytes: number) => `${bytes / (1024 * 1024)}`;

function childConfig(ctx: RunContext, target: Target, extra: Partial<ChildConfig> = {}): ChildConfig {
  return {
    endpoint: endpointOf(ctx),
    region: ctx.s3.region,
    accessKeyId: ctx.s3.accessKeyId,
    secretAccessKey: ctx.s3.secretAccessKey,
    bucket: ctx.bucket,
    partSize: ctx.partSize,
    concurrency: ctx.concurrency,
    ...(target.kind === 'file' ? { file: { path: target.path, key: target.key } } : { dir: { path: target.dir, prefix: target.prefix } }),
    ...extra,
  };
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function gitDescribe(): Promise<string> {
  try {
    const rev = (await runPlain('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO })).trim();
    const dirty = (await runPlain('git', ['status', '--porcelain', '--', 'main', 'shared', 'bin'], { cwd: REPO })).trim() !== '';
    return `${rev}${dirty ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

async function ferryVersion(): Promise<string> {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
  return `${pkg.version} (git ${await gitDescribe()}), Node ${process.versions.node}, @aws-sdk/client-s3 ${packageVersion('@aws-sdk/client-s3')}`;
}

/** Ferry through its command line, as a user runs it. A fresh data directory per run. */
export const ferryCli: Tool = {
  id: 'ferry',
  label: 'Ferry (CLI)',
  settings:
    '`ferry upload --part-size 16MiB --concurrency 8`, endpoint added with `--path-style --checksums when-required`, a fresh `--data-dir` per run',
  version: ferryVersion,
  async prepare(ctx, target) {
    // a source edited during a run made every later Ferry row measure the sources, not the build
    if (!ferryCliBundled()) {
      throw new Error(
        `${ferryCliOptions.path} would run the TypeScript sources, not its build: run npm run build (and edit no source while measuring)`,
      );
    }
    const dataDir = ferryDataDir(ctx);
    await mkdir(dataDir, { recursive: true });
    const env = cleanEnv();
    await runPlain(
      process.execPath,
      [
        ferryCliOptions.path,
        '--data-dir',
        dataDir,
        'endpoint',
        'add',
        'bench',
        '--url',
        endpointOf(ctx),
        '--region',
        ctx.s3.region,
        '--path-style',
        '--checksums',
        'when-required',
        '--access-key-id',
        ctx.s3.accessKeyId,
        '--secret-stdin',
      ],
      { env, stdin: `${ctx.s3.secretAccessKey}\n`, cwd: REPO, timeoutMs: 60_000 },
    );
    return ferryUploadCommand(ctx, target);
  },
  // After a crash the job is back in the queue when the data directory is opened again; `ferry run` works
  // through the queue (run.ts checks from the proxy's log that no new multipart upload was started).
  async resume(ctx) {
    return { cmd: process.execPath, args: [ferryCliOptions.path, '--data-dir', ferryDataDir(ctx), 'run'], env: cleanEnv() };
  },
};

/** Runs `work` with `ferryCliOptions.path` set to `cli` (another build's bin/ferry.js), then sets it back. */
export async function withFerryCli<T>(cli: string, work: () => Promise<T>): Promise<T> {
  const saved = ferryCliOptions.path;
  ferryCliOptions.path = cli;
  try {
    return await work();
  } finally {
    ferryCliOptions.path = saved;
  }
}

/**
 * Another build of the CLI as its own row (run.ts --ferry-cli-b FILE), for an A/B of two builds in one run:
 * the same commands as the Ferry (CLI) row, with `file` in place of bin/ferry.js.
 */
export function ferryCliBuild(file: string, label: string): Tool {
  const withPath = <T>(work: () => Promise<T>): Promise<T> => withFerryCli(file, work);
  return {
    ...ferryCli,
    id: 'ferry-b',
    label,
    settings: `${ferryCli.settings}; this row runs \`${file}\` (--ferry-cli-b)`,
    prepare: (ctx, target) => withPath(() => ferryCli.prepare(ctx, target)),
    resume: (ctx, target) => withPath(() => ferryCli.resume!(ctx, target)),
  };
}

function ferryUploadCommand(ctx: RunContext, target: Target): Invocation {
  const source = target.kind === 'file' ? target.path : target.dir;
  const dest = target.kind === 'file' ? `s3://${ctx.bucket}/${target.key}` : `s3://${ctx.bucket}/${target.prefix}`;
  return {
    cmd: process.execPath,
    args: [
      ferryCliOptions.path,
      '--data-dir',
      ferryDataDir(ctx),
      'upload',
      source,
      dest,
      '--endpoint',
      'bench',
      '--part-size',
      `${mib(ctx.partSize)}MiB`,
      '--concurrency',
      String(ctx.concurrency),
    ],
    env: cleanEnv(),
  };
}

/** Ferry's engine driven directly in a child process (bench/children/ferry-engine.ts). */
/** The stand-in's file-level workers (the engine's maxActiveJobs); undefined = the engine's default, as the CLI. */
export const engineOptions: { maxActiveJobs?: number; maxRequests?: number } = {};

export const ferryEngine: Tool = {
  id: 'ferry-engine',
  label: 'Ferry (engine stand-in)',
  settings:
    'the engine in a child process (`bench/children/ferry-engine.ts`): partSize 16 MiB, partConcurrency 8, maxRequests 8, default maxActiveJobs, a fresh data directory per run',
  version: ferryVersion,
  async prepare(ctx, target) {
    return {
      cmd: process.execPath,
      args: [FERRY_ENGINE_CHILD],
      env: cleanEnv({
        [CHILD_CONFIG_ENV]: JSON.stringify(
          childConfig(ctx, target, {
            dataDir: ferryDataDir(ctx),
            ...(engineOptions.maxActiveJobs ? { workers: engineOptions.maxActiveJobs } : {}),
            ...(engineOptions.maxRequests ? { maxRequests: engineOptions.maxRequests } : {}),
          }),
        ),
        ...(process.env.FERRY_BENCH_MEMLOG ? { FERRY_BENCH_MEMLOG: process.env.FERRY_BENCH_MEMLOG } : {}),
      }),
    };
  },
  // reopening the data directory is enough: the engine returns interrupted jobs to the queue and resumes them
  async resume(ctx, target) {
    return {
      cmd: process.execPath,
      args: [FERRY_ENGINE_CHILD],
      env: cleanEnv({ [CHILD_CONFIG_ENV]: JSON.stringify(childConfig(ctx, target, { dataDir: ferryDataDir(ctx), resume: true })) }),
    };
  },
};

/** The AWS CLI (Debian's 2.9), 16 MiB parts, 8 concurrent requests, through a temporary config file. */
export const awsCli: Tool = {
  id: 'aws',
  label: 'AWS CLI',
  settings:
    '`aws s3 cp [--recursive] --no-progress`, config `s3 = max_concurrent_requests = 8, multipart_chunksize = 16MB, addressing_style = path` (over http botocore signs every payload with SHA-256; no checksum setting is needed for RGW 16.2 with CLI 2.9)',
  async version() {
    return (await runPlain(AWS_CLI, ['--version'], { env: cleanEnv() })).trim();
  },
  async prepare(ctx, target) {
    const config = path.join(ctx.work, 'aws-config');
    await writeFile(
      config,
      [
        '[default]',
        `region = ${ctx.s3.region}`,
        's3 =',
        `  max_concurrent_requests = ${ctx.concurrency}`,
        `  multipart_chunksize = ${mib(ctx.partSize)}MB`,
        '  addressing_style = path',
        '',
      ].join('\n'),
    );
    const env = cleanEnv({
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: path.join(ctx.work, 'aws-credentials-none'),
      AWS_ACCESS_KEY_ID: ctx.s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ctx.s3.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
    });
    const common = ['--endpoint-url', endpointOf(ctx), '--no-progress', '--only-show-errors'];
    const args =
      target.kind === 'file'
        ? ['s3', 'cp', target.path, `s3://${ctx.bucket}/${target.key}`, ...common]
        : ['s3', 'cp', '--recursive', target.dir, `s3://${ctx.bucket}/${target.prefix}`, ...common];
    return { cmd: AWS_CLI, args, env };
  },
};

/** rclone (Debian's 1.60), 16M chunks, upload concurrency 8, 8 transfers, an on-the-fly remote. */
export const rclone: Tool = {
  id: 'rclone',
  label: 'rclone',
  settings:
    '`rclone copyto` (a file) or `rclone copy` (a directory) with `--s3-chunk-size 16M --s3-upload-cutoff 16M --s3-upload-concurrency 8 --transfers 8` to an on-the-fly `:s3,provider=Ceph,…:` remote, AWS_CA_BUNDLE unset, otherwise defaults (so rclone reads a multipart file twice: once for its MD5 metadata)',
  async version() {
    return (await runPlain(RCLONE, ['version'], { env: cleanEnv() })).split('\n')[0]!.trim();
  },
  async prepare(ctx, target) {
    const configFile = path.join(ctx.work, 'rclone.conf');
    await writeFile(configFile, '');
    const remote =
      `:s3,provider=Ceph,env_auth=false,access_key_id=${ctx.s3.accessKeyId},secret_access_key=${ctx.s3.secretAccessKey},` +
      `endpoint='${endpointOf(ctx)}',region=${ctx.s3.region}:`;
    const flags = [
      '--config',
      configFile,
      '--s3-chunk-size',
      `${mib(ctx.partSize)}M`,
      // multipart above one part, like the other clients (rclone's default cutoff is 200M: only matters in --quick)
      '--s3-upload-cutoff',
      `${mib(ctx.partSize)}M`,
      '--s3-upload-concurrency',
      String(ctx.concurrency),
      '--transfers',
      String(ctx.fileWorkers),
    ];
    const args =
      target.kind === 'file'
        ? ['copyto', target.path, `${remote}${ctx.bucket}/${target.key}`, ...flags]
        : ['copy', target.dir, `${remote}${ctx.bucket}/${target.prefix.replace(/\/$/, '')}`, ...flags];
    return { cmd: RCLONE, args, env: cleanEnv() };
  },
};

/** @aws-sdk/lib-storage Upload in a child Node process (bench/children/lib-storage.ts). */
export const libStorage: Tool = {
  id: 'lib-storage',
  label: '@aws-sdk/lib-storage',
  settings:
    '`new Upload({ partSize: 16 MiB, queueSize: 8 })`, a read stream as the body, S3Client with `requestChecksumCalculation: WHEN_REQUIRED`; a directory through 8 file workers; in its own Node process',
  async version() {
    return `${packageVersion('@aws-sdk/lib-storage')} (client-s3 ${packageVersion('@aws-sdk/client-s3')}, Node ${process.versions.node})`;
  },
  async prepare(ctx, target) {
    return {
      cmd: process.execPath,
      args: [LIB_STORAGE_CHILD],
      env: cleanEnv({ [CHILD_CONFIG_ENV]: JSON.stringify(childConfig(ctx, target, { workers: ctx.fileWorkers })) }),
    };
  },
};

export function ferryCliExists(): boolean {
  return existsSync(ferryCliOptions.path);
}

/**
 * Whether `cli` (bin/ferry.js of this checkout or of another build) runs its one-file build
 * (dist/cli/main.mjs) rather than the TypeScript sources: the build exists and no file it was made from
 * is newer (bin/bundleFresh.js, the test bin/ferry.js makes). Run from the sources, Ferry starts slower
 * and holds about 50 MiB more (a 4 GiB upload: 160 against 110 MiB peak, 2026-12-02): `npm run build`
 * first.
 */
export function ferryCliBundled(cli: string = ferryCliOptions.path): boolean {
  return freshBundle(pathToFileURL(path.resolve(path.dirname(cli), '..') + path.sep)) !== null;
}
