// Ferry's benchmark: `npm run bench` (full, writes docs/benchmarks.md) or `npm run bench:quick` (small sizes,
// one round, report to a temp file and stdout; for CI, to prove the benchmark works, never asserting speed).
//
// Starts its own Ceph RGW (bluestore), makes its data, uploads the same data with Ferry, the AWS CLI, rclone
// and @aws-sdk/lib-storage in alternation, verifies every upload, and reports medians, ratios, client
// CPU-seconds and peak RSS (GNU time). See docs/benchmarks.md, section Method.
//
//   node bench/run.ts [--quick] [--rounds N] [--scenarios big,small,huge,resume,far,store,startup,far-big,far-small]
//                     [--tools ferry,aws,rclone,lib-storage] [--ferry both|cli|engine|auto] [--out FILE] [--no-profile] [--keep]
//                     [--ferry-cli-b OTHER/bin/ferry.js]
//                     [--far-rtt-ms 50] [--far-mbit 200] [--store-jobs 100000]
//   node bench/run.ts --render RESULTS.json [--out FILE]    (render a saved run's report again)
// far: the big file and the small files again, every client through a proxy adding 50 ms per request and capping
// the link at 200 Mbit/s (bench/lib/farProxy.ts); store: a store of 100,000 queued jobs (ferry jobs --json, engine
// open, the window's first paint, memory; bench/lib/storeScale.ts); startup: ferry --version, ferry jobs (empty).
// Experiments: --engine-workers N (the stand-in's maxActiveJobs); --engine-requests N (its maxRequests); --ferry-cli FILE (another build of the CLI, e.g. a
// bundle); --ferry-cli-b FILE (a second build of the CLI as its own row, alternated with the first: an A/B in one
// run); FERRY_BENCH_MEMLOG=FILE (the stand-in logs its memory every 250 ms)
// --ferry both (default): the CLI (the Ferry row the ratios use) and the engine stand-in; engine only while
// bin/ferry.js does not exist. auto: the CLI if it exists, else the stand-in.
import type { S3Client } from '@aws-sdk/client-s3';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, open, rm, statfs, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startRgw, type RgwServer } from '../test/harness/rgw.ts';
import { createTestBucket, listPartNumbers, listUploads, makeFile, testClient } from '../test/harness/s3.ts';
import type { TestS3 } from '../test/harness/s3env.ts';
import { assertGnuTime, killTree, runMeasured } from './lib/measure.ts';
import { serverCpuSeconds } from './lib/servercpu.ts';
import { cleanUpOnSignal, stopping } from './lib/signals.ts';
import { microBenchmarks, readProfileDir, summarizeProfile } from './lib/profile.ts';
import { startProxy, type ProxyEvent } from './lib/proxy.ts';
import { startFarProxy, type FarProxy } from './lib/farProxy.ts';
import { CHROMIUM, runStartup, runStoreScale } from './lib/storeScale.ts';
import { renderReport } from './lib/report.ts';
import type { Environment, ProfileResult, ResumeResult, ResumeRound, Results, RunRecord, ScenarioResult } from './lib/results.ts';
import { deleteBucket, expectedEtag, repeatedPartEtag, testS3Of, verifyDirectory, verifyObject, verifySha256 } from './lib/s3.ts';
import { fmt, formatBytes, GiB, KiB, median, MiB, rotate } from './lib/stats.ts';
import {
  awsCli,
  AWS_CLI,
  engineOptions,
  ferryCli,
  ferryCliBuild,
  ferryCliBundled,
  ferryCliExists,
  ferryCliOptions,
  ferryDataDir,
  ferryEngine,
  libStorage,
  rclone,
  RCLONE,
  REPO,
  type RunContext,
  type Target,
  type Tool,
} from './lib/tools.ts';

// ---- options ----

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    scenarios: { type: 'string' },
    tools: { type: 'string' },
    ferry: { type: 'string', default: 'both' },
    out: { type: 'string' },
    'no-profile': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    render: { type: 'string' },
    'engine-workers': { type: 'string' },
    'engine-requests': { type: 'string' },
    'ferry-cli': { type: 'string' },
    'ferry-cli-b': { type: 'string' },
    'far-rtt-ms': { type: 'string' },
    'far-mbit': { type: 'string' },
    'store-jobs': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});
/** bench/analysis.md, the hand-written analysis appended to a full run's report (if it exists). */
function readAnalysis(): string | undefined {
  try {
    return readFileSync(new URL('./analysis.md', import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * What a full run keeps of the docs it rewrites: the window's figures (`npm run bench:ui` writes them between
 * its markers), and a pointer to the dated A/B runs kept in docs/benchmark-history.md.
 */
function keptFromDocs(file: string): string {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // no report yet
  }
  const ui = /<!-- bench:ui start -->[\s\S]*<!-- bench:ui end -->/.exec(current)?.[0];
  const history = 'A/B runs of single changes against the build before them: [benchmark-history.md](benchmark-history.md).';
  return `\n${ui ? `${ui}\n\n` : ''}${history}\n`;
}

// --render RESULTS.json [--out FILE]: render a saved run again (after a change to the report's wording)
if (opts.render) {
  const saved = JSON.parse(readFileSync(opts.render, 'utf8')) as Results;
  // into docs/benchmarks.md: with the window's figures and the history link, as a full run writes it
  const intoDocs = opts.out !== undefined && path.resolve(opts.out) === path.join(REPO, 'docs', 'benchmarks.md');
  const markdown = renderReport(saved, readAnalysis()) + (intoDocs ? keptFromDocs(path.resolve(opts.out!)) : '');
  if (opts.out) writeFileSync(opts.out, markdown);
  else process.stdout.write(markdown);
  process.exit(0);
}
if (opts.help) {
  process.stdout.write(
    readFileSync(new URL(import.meta.url), 'utf8')
      .split('\n')
      .slice(0, 21)
      .join('\n') + '\n',
  );
  process.exit(0);
}

const QUICK = opts.quick === true;
const ROUNDS = opts.rounds ? Number(opts.rounds) : QUICK ? 1 : 3;
const PART_SIZE = 16 * MiB;
const CONCURRENCY = 8;
const FILE_WORKERS = 8;
const SIZES = QUICK
  ? {
      big: 64 * MiB,
      huge: 0,
      smallCount: 200,
      smallSize: 64 * KiB,
      resumeParts: 16,
      resumeExtra: 8,
      resumeHoldRounds: 1,
      farBig: 48 * MiB,
      farSmallCount: 50,
      storeJobs: 2000,
      startupRounds: 3,
    }
  : {
      big: 1 * GiB,
      huge: 4 * GiB,
      smallCount: 2000,
      smallSize: 64 * KiB,
      resumeParts: 5000,
      resumeExtra: 16,
      resumeHoldRounds: Math.max(5, ROUNDS),
      farBig: 1 * GiB,
      farSmallCount: 2000,
      storeJobs: 100_000,
      startupRounds: 10,
    };
if (opts['store-jobs']) SIZES.storeJobs = Number(opts['store-jobs']);
/** The far endpoint: 50 ms more per request, 200 Mbit/s each way (issue #14). */
const FAR_LINK = {
  rttMs: opts['far-rtt-ms'] ? Number(opts['far-rtt-ms']) : 50,
  bitsPerSecond: (opts['far-mbit'] ? Number(opts['far-mbit']) : 200) * 1e6,
};
const RESUME_PART_SIZE = 5 * MiB;
const KNOWN_SCENARIOS = ['big', 'small', 'huge', 'resume', 'far', 'store', 'startup', 'far-big', 'far-small'];
// far-big, far-small: one half of `far` (experiments); `far` runs both
const ALL_SCENARIOS = KNOWN_SCENARIOS.filter((s) => !(QUICK && s === 'huge') && s !== 'far-big' && s !== 'far-small');
const scenarios = new Set(opts.scenarios ? opts.scenarios.split(',').map((s) => s.trim()) : ALL_SCENARIOS);
for (const s of scenarios) if (!KNOWN_SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}`);
if (!Number.isInteger(SIZES.storeJobs) || SIZES.storeJobs < 1) throw new Error('--store-jobs must be a positive integer');
if (!(FAR_LINK.rttMs >= 0 && FAR_LINK.bitsPerSecond > 0)) throw new Error('--far-rtt-ms and --far-mbit must be positive numbers');
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`--rounds must be a positive integer`);

const say = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
/**
 * After SIGINT or SIGTERM (main's handler stops Ceph RGW) what was running fails for want of the server
 * (ECONNREFUSED), and none of it is the benchmark's failure: from then on nothing is logged but the
 * handler's own lines, no run starts, and no report is written.
 */
const log = (msg: string) => {
  if (!stopping()) say(msg);
};

/** Where a run would start, or the report be written, after SIGINT or SIGTERM. */
class BenchStopped extends Error {
  constructor() {
    super('the benchmark was stopped by a signal');
    this.name = 'BenchStopped';
  }
}

function throwIfStopping(): void {
  if (stopping()) throw new BenchStopped();
}

// ---- the clients ----

function ferryTools(): Tool[] {
  const mode = opts.ferry ?? 'auto';
  const cli = ferryCliExists();
  if (mode === 'cli' && !cli) throw new Error('--ferry cli: bin/ferry.js does not exist');
  if (mode === 'cli') return [ferryCli];
  if (mode === 'engine') return [ferryEngine];
  if (mode === 'both') return cli ? [ferryCli, ferryEngine] : [ferryEngine];
  if (mode === 'auto') return [cli ? ferryCli : ferryEngine];
  throw new Error(`--ferry must be auto, cli, engine or both, not ${mode}`);
}

if (opts['ferry-cli']) {
  ferryCliOptions.path = path.resolve(opts['ferry-cli']);
  ferryCli.label = 'Ferry (CLI, --ferry-cli build)';
  ferryCli.settings += `; the CLI run is \`${ferryCliOptions.path}\` (--ferry-cli), not bin/ferry.js`;
}
const FERRY = ferryTools();
// --ferry-cli-b FILE: another build of the CLI as a second row, alternated with the first (an A/B in one run)
if (opts['ferry-cli-b']) FERRY.push(ferryCliBuild(path.resolve(opts['ferry-cli-b']), 'Ferry (CLI, --ferry-cli-b build)'));
// an experiment knob: the stand-in's maxActiveJobs (files uploading at once); default: the engine's, as the CLI
if (opts['engine-workers']) {
  engineOptions.maxActiveJobs = Number(opts['engine-workers']);
  ferryEngine.settings = ferryEngine.settings.replace(
    'default maxActiveJobs',
    `maxActiveJobs ${engineOptions.maxActiveJobs} (--engine-workers)`,
  );
}
if (opts['engine-requests']) {
  engineOptions.maxRequests = Number(opts['engine-requests']);
  ferryEngine.settings = ferryEngine.settings.replace('maxRequests 8', `maxRequests ${engineOptions.maxRequests} (--engine-requests)`);
}
const PEERS: Record<string, Tool> = { aws: awsCli, rclone, 'lib-storage': libStorage };
const peerIds = opts.tools
  ? opts.tools
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== 'ferry')
  : Object.keys(PEERS);
for (const id of peerIds) if (!PEERS[id]) throw new Error(`unknown tool ${id} (ferry, aws, rclone, lib-storage)`);
const includeFerry =
  !opts.tools ||
  opts.tools
    .split(',')
    .map((s) => s.trim())
    .includes('ferry');
const TOOLS: Tool[] = [...(includeFerry ? FERRY : []), ...peerIds.map((id) => PEERS[id]!)];

// ---- checks before anything starts ----

function preflight(): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) throw new Error(`Node ${process.versions.node}: run the benchmark with the project's Node 22 (npm run bench)`);
  assertGnuTime();
  const missing: string[] = [];
  if (TOOLS.includes(awsCli)) {
    try {
      execFileSync(AWS_CLI, ['--version'], { stdio: 'ignore' });
    } catch {
      missing.push(`${AWS_CLI} (apt-get install -y awscli)`);
    }
  }
  if (TOOLS.includes(rclone)) {
    try {
      execFileSync(RCLONE, ['version'], { stdio: 'ignore' });
    } catch {
      missing.push(`${RCLONE} (apt-get install -y rclone)`);
    }
  }
  if (scenarios.has('store') && !existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (apt-get install -y chromium; or FERRY_CHROMIUM=PATH)`);
  if ((scenarios.has('store') || scenarios.has('startup')) && !ferryCliExists()) missing.push('bin/ferry.js');
  if (missing.length > 0) throw new Error(`missing peers: ${missing.join(', ')}; or leave them out with --tools`);
}

// ---- throughput scenarios ----

interface Scenario {
  id: ScenarioResult['id'];
  title: string;
  target: Target;
  bytes: number;
  files: number;
  timeoutMs: number;
  /** every client goes through the far endpoint's proxy */
  far?: boolean;
  /** checks what the client stored; `content` = compare a content SHA-256 too */
  verify(client: S3Client, bucket: string, content: boolean): Promise<void>;
}

interface Bench {
  server: RgwServer;
  s3: TestS3;
  client: S3Client;
  work: string;
  /** the far endpoint, while the far scenarios run */
  far?: FarProxy;
}

async function gc(b: Bench): Promise<void> {
  await b.server.admin(['gc', 'process', '--include-all']);
}

async function runOnce(b: Bench, sc: Scenario, tool: Tool, round: number): Promise<RunRecord> {
  throwIfStopping();
  const record: RunRecord = {
    scenario: sc.id,
    toolId: tool.id,
    label: tool.label,
    round,
    ok: false,
    wallS: NaN,
    userS: NaN,
    sysS: NaN,
    maxRssKiB: NaN,
    bytes: sc.bytes,
    files: sc.files,
    contentChecked: false,
  };
  const bucket = await createTestBucket(b.s3, `bench-${sc.id}-${tool.id}`);
  const work = await mkdtemp(path.join(b.work, `run-${sc.id}-${tool.id}-`));
  try {
    const ctx: RunContext = { s3: b.s3, bucket, work, partSize: PART_SIZE, concurrency: CONCURRENCY, fileWorkers: FILE_WORKERS };
    if (sc.far) {
      if (!b.far) throw new Error('the far endpoint is not running');
      ctx.endpointOverride = b.far.url;
    }
    const inv = await tool.prepare(ctx, sc.target);
    b.far?.reset();
    const server0 = serverCpuSeconds(b.server.dir);
    const m = await runMeasured(inv.cmd, inv.args, { env: inv.env, stdin: inv.stdin, cwd: REPO, timeoutMs: sc.timeoutMs });
    const serverCpuS = serverCpuSeconds(b.server.dir) - server0;
    Object.assign(record, { wallS: m.wallS, userS: m.userS, sysS: m.sysS, maxRssKiB: m.maxRssKiB, serverCpuS });
    if (sc.far && b.far) {
      const { connections, requests, byOp } = b.far.counts;
      record.proxy = { connections, requests, byOp: { ...byOp } as Record<string, number> };
    }
    if (m.code !== 0) {
      record.error = `exit ${m.code ?? m.signal}: ${(m.stderr || m.stdout).trim().slice(-800)}`;
    } else {
      const content = round === 0;
      await sc.verify(b.client, bucket, content);
      record.ok = true;
      record.contentChecked = content;
    }
  } catch (error) {
    record.error = (error as Error).message;
  } finally {
    try {
      await deleteBucket(b.client, bucket);
      await gc(b);
    } catch (error) {
      log(`cleanup of ${bucket} failed: ${(error as Error).message}`);
    }
    await rm(work, { recursive: true, force: true });
  }
  const cpu = record.userS + record.sysS;
  log(
    `${sc.id} round ${round + 1} ${tool.label}: ` +
      (record.ok
        ? `${fmt(record.wallS, 2)} s, ${fmt(sc.bytes / MiB / record.wallS)} MiB/s, ${fmt(sc.files / record.wallS, 0)} files/s, CPU ${fmt(cpu, 2)} s (${fmt(cpu / (sc.bytes / GiB), 2)} s/GiB), RSS ${fmt(record.maxRssKiB / 1024, 0)} MiB, server CPU ${fmt(record.serverCpuS ?? NaN, 2)} s${record.contentChecked ? ', content verified' : ''}`
        : `FAILED: ${record.error}`) +
      (record.proxy
        ? ` [${record.proxy.requests} requests on ${record.proxy.connections} connections: ${JSON.stringify(record.proxy.byOp)}]`
        : ''),
  );
  return record;
}

async function runScenario(b: Bench, sc: Scenario, tools: Tool[]): Promise<ScenarioResult> {
  log(`scenario ${sc.id}: ${sc.title}`);
  const records: RunRecord[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const tool of rotate(tools, round)) records.push(await runOnce(b, sc, tool, round));
  }
  return { id: sc.id, title: sc.title, bytes: sc.bytes, files: sc.files, records, ...(sc.far && b.far ? { link: b.far.link } : {}) };
}

async function bigFileScenario(b: Bench, id: 'big' | 'huge' | 'far-big', size: number, seed: number): Promise<Scenario> {
  const dataDir = path.join(b.work, 'data');
  log(`making a ${formatBytes(size)} file`);
  const file = await makeFile(dataDir, `${id}.bin`, size, seed);
  // multipart with 16 MiB parts, as every client is set up; a single PUT's MD5 is accepted too
  const etag = [await expectedEtag(file.path, size, PART_SIZE), await expectedEtag(file.path, size, size)];
  const key = `${id}.bin`;
  return {
    id,
    title:
      id === 'big'
        ? `One ${formatBytes(size)} file`
        : id === 'far-big'
          ? `A far endpoint: one ${formatBytes(size)} file (${farTitle()})`
          : `One ${formatBytes(size)} file (memory must not grow with the file)`,
    far: id === 'far-big',
    target: { kind: 'file', path: file.path, key },
    bytes: size,
    files: 1,
    timeoutMs: 120_000 + (size / (id === 'far-big' ? 1 * MiB : 4 * MiB)) * 1000,
    async verify(client, bucket, content) {
      await verifyObject(client, bucket, key, { size, etag });
      if (content) await verifySha256(client, bucket, key, file.sha256);
    },
  };
}

function farTitle(): string {
  return `every client through a proxy adding ${FAR_LINK.rttMs} ms per request, the link capped at ${FAR_LINK.bitsPerSecond / 1e6} Mbit/s`;
}

async function smallFilesScenario(b: Bench, id: 'small' | 'far-small' = 'small'): Promise<Scenario> {
  const far = id === 'far-small';
  const count = far ? SIZES.farSmallCount : SIZES.smallCount;
  const dir = path.join(b.work, 'data', id);
  log(`making ${count} files of ${formatBytes(SIZES.smallSize)}`);
  const files = new Map<string, { size: number; md5: string }>();
  const sha = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const name = `f${String(i).padStart(5, '0')}.bin`;
    const f = await makeFile(dir, name, SIZES.smallSize, 100_000 + i);
    files.set(name, { size: SIZES.smallSize, md5: await expectedEtag(f.path, SIZES.smallSize, PART_SIZE) });
    sha.set(name, f.sha256);
  }
  return {
    id,
    title: far
      ? `A far endpoint: ${count.toLocaleString('en-US')} files of ${formatBytes(SIZES.smallSize)} (${farTitle()})`
      : `${count.toLocaleString('en-US')} files of ${formatBytes(SIZES.smallSize)} (a directory upload)`,
    target: { kind: 'dir', dir, prefix: 'small/' },
    far,
    bytes: count * SIZES.smallSize,
    files: count,
    timeoutMs: 120_000 + count * (far ? 1000 : 200),
    async verify(client, bucket, content) {
      const firstKey = await verifyDirectory(client, bucket, files);
      if (content) await verifySha256(client, bucket, firstKey, sha.get(firstKey.slice(firstKey.lastIndexOf('/') + 1))!);
    },
  };
}

// ---- resume ----

async function runResume(b: Bench, tool: Tool, others: readonly Tool[] = []): Promise<ResumeResult> {
  const partsTotal = SIZES.resumeParts + SIZES.resumeExtra;
  const size = partsTotal * RESUME_PART_SIZE;
  const result: ResumeResult = {
    toolLabel: tool.label,
    partSize: RESUME_PART_SIZE,
    partsTotal,
    partsTarget: SIZES.resumeParts,
    partsAcknowledged: 0,
    partsHeld: 0,
    createS: NaN,
    rounds: [],
    notes: [],
  };
  log(
    `scenario resume: ${partsTotal} parts of ${formatBytes(RESUME_PART_SIZE)} (${formatBytes(size)}, sparse), kill after ${SIZES.resumeParts} parts`,
  );
  const file = path.join(b.work, 'data', 'resume.bin');
  await mkdir(path.dirname(file), { recursive: true });
  const fh = await open(file, 'w');
  await fh.truncate(size);
  await fh.close();
  const zeroMd5 = (await import('node:crypto')).createHash('md5').update(Buffer.alloc(RESUME_PART_SIZE)).digest();
  const etag = repeatedPartEtag(zeroMd5, partsTotal);
  const key = 'resume.bin';
  const target: Target = { kind: 'file', path: file, key };

  const proxy = await startProxy(b.server.endpoint);
  const bucket = await createTestBucket(b.s3, 'bench-resume');
  const work = await mkdtemp(path.join(b.work, 'run-resume-'));
  const snapshot = path.join(work, 'ferry-data-snapshot');
  const ctx: RunContext = {
    s3: b.s3,
    bucket,
    work,
    partSize: RESUME_PART_SIZE,
    concurrency: CONCURRENCY,
    fileWorkers: FILE_WORKERS,
    endpointOverride: proxy.url,
  };
  try {
    // 1. a real upload, killed (SIGKILL) once the server has acknowledged resumeParts parts
    const inv = await tool.prepare(ctx, target);
    let acknowledged = 0;
    let killed = false;
    let child: Parameters<typeof killTree>[0] | undefined;
    // the resumed object's requests only: a Ferry with a fresh data directory also probes the endpoint's
    // checks with a multipart upload of its own (a `.ferry-probe-` key, aborted at once)
    proxy.holdKey = key;
    proxy.onEvent = (event, phase) => {
      if (phase !== 'response' || event.op !== 'UploadPart' || event.status !== 200 || event.key !== key) return;
      acknowledged++;
      if (acknowledged >= SIZES.resumeParts && !killed && child) {
        killed = true;
        killTree(child, true);
      }
    };
    const created = await runMeasured(inv.cmd, inv.args, {
      env: inv.env,
      stdin: inv.stdin,
      cwd: REPO,
      group: true,
      timeoutMs: 120_000 + (size / (2 * MiB)) * 1000,
      onSpawn: (c) => (child = c),
    });
    proxy.onEvent = null;
    result.createS = created.wallS;
    result.partsAcknowledged = acknowledged;
    if (!killed)
      throw new Error(
        `the first upload ended (exit ${created.code ?? created.signal}) before ${SIZES.resumeParts} parts: ${created.stderr.slice(-800)}`,
      );
    const uploads = await listUploads(b.client, bucket, key);
    if (uploads.length !== 1) throw new Error(`after the kill the server has ${uploads.length} multipart uploads of ${key}, expected 1`);
    result.partsHeld = (await listPartNumbers(b.client, bucket, key, uploads[0]!.uploadId)).length;
    log(`resume: killed after ${acknowledged} acknowledged parts (${fmt(created.wallS, 0)} s); the server holds ${result.partsHeld} parts`);
    await cp(ferryDataDir(ctx), snapshot, { recursive: true });

    const resumeInv = await tool.resume!(ctx, target);
    // other builds (--ferry-cli-b) resume the same crashed upload from the same snapshot, alternated with the first
    const otherInvs = await Promise.all(others.map(async (other) => ({ tool: other, inv: await other.resume!(ctx, target) })));
    result.others = others.map((other) => ({ toolLabel: other.label, rounds: [] }));
    const restore = async () => {
      await rm(ferryDataDir(ctx), { recursive: true, force: true });
      await cp(snapshot, ferryDataDir(ctx), { recursive: true });
    };
    const analyze = (all: ProxyEvent[], startedAt: number): ResumeRound | null => {
      const events = all.filter((e) => e.key === key);
      if (events.length === 0) return null;
      const firstPart = events.find((e) => e.op === 'UploadPart');
      if (!firstPart) return null;
      const lists = events.filter((e) => e.op === 'ListParts' && e.at <= firstPart.at);
      const lastListAnswer = Math.max(...lists.map((e) => e.answeredAt ?? e.at));
      return {
        firstRequestMs: all[0]!.at - startedAt,
        firstPartMs: firstPart.at - startedAt,
        listPartsRequests: lists.length,
        listPartsMs: lists.length > 0 ? lastListAnswer - lists[0]!.at : 0,
        afterListMs: lists.length > 0 ? firstPart.at - lastListAnswer : NaN,
        firstPartNumber: firstPart.partNumber ?? 0,
        startedNewUpload: events.some((e) => e.op === 'CreateMultipartUpload' && e.at <= firstPart.at),
      };
    };

    // 2. measurements: UploadPart requests are held back, the client is killed at the first one
    const measureOnce = async (inv: typeof resumeInv, label: string, i: number): Promise<ResumeRound> => {
      await restore();
      proxy.reset();
      proxy.mode = 'hold';
      let resumed: Parameters<typeof killTree>[0] | undefined;
      proxy.onEvent = (event, phase) => {
        if (phase === 'request' && event.op === 'UploadPart' && event.key === key && resumed) killTree(resumed, true);
      };
      const m = await runMeasured(inv.cmd, inv.args, {
        env: inv.env,
        cwd: REPO,
        group: true,
        timeoutMs: 300_000,
        onSpawn: (c) => (resumed = c),
      });
      proxy.onEvent = null;
      const round = analyze(proxy.events, m.startedAt);
      if (!round)
        throw new Error(
          `resume run ${i + 1} (${label}) sent no UploadPart (exit ${m.code ?? m.signal}): ${(m.stderr || m.stdout).slice(-800)}`,
        );
      log(
        `resume ${i + 1} (${label}): first part (${round.firstPartNumber}) after ${fmt(round.firstPartMs, 0)} ms ` +
          `(first request ${fmt(round.firstRequestMs, 0)} ms, ${round.listPartsRequests} ListParts in ${fmt(round.listPartsMs, 0)} ms, then ${fmt(round.afterListMs, 0)} ms)` +
          (round.startedNewUpload ? ' -- STARTED A NEW UPLOAD' : ''),
      );
      return round;
    };
    for (let i = 0; i < SIZES.resumeHoldRounds; i++) {
      const order = [{ tool, inv: resumeInv }, ...otherInvs];
      // each round in a rotated order, as the other scenarios
      for (let k = 0; k < order.length; k++) {
        const { tool: t, inv } = order[(i + k) % order.length]!;
        const round = await measureOnce(inv, t.label, i);
        if (t === tool) result.rounds.push(round);
        else result.others!.find((o) => o.toolLabel === t.label)!.rounds.push(round);
      }
    }
    for (const other of result.others) {
      const firstPart = (rounds: readonly ResumeRound[]) => median(rounds.map((r) => r.firstPartMs));
      result.notes.push(
        `${other.toolLabel}, the same crashed upload in alternation: first part after ${fmt(firstPart(other.rounds), 0)} ms ` +
          `(median of ${other.rounds.length}), against ${fmt(firstPart(result.rounds), 0)} ms for ${tool.label}.`,
      );
    }

    // 3. the same resume let through to the end: it must complete and verify
    await restore();
    proxy.reset();
    proxy.mode = 'forward';
    const m = await runMeasured(resumeInv.cmd, resumeInv.args, { env: resumeInv.env, cwd: REPO, timeoutMs: 600_000 });
    const round = analyze(proxy.events, m.startedAt);
    const final: NonNullable<ResumeResult['final']> = {
      ok: false,
      firstPartMs: round?.firstPartMs ?? NaN,
      wallS: m.wallS,
      userS: m.userS,
      sysS: m.sysS,
      maxRssKiB: m.maxRssKiB,
      partsSent: proxy.events.filter((e) => e.op === 'UploadPart' && e.key === key).length,
      contentChecked: false,
    };
    result.final = final;
    if (m.code !== 0) {
      final.error = `exit ${m.code ?? m.signal}: ${(m.stderr || m.stdout).trim().slice(-800)}`;
    } else {
      try {
        await verifyObject(b.client, bucket, key, { size, etag });
        // the content of the whole object (zeros): its SHA-256 against the local file's
        const { createHash } = await import('node:crypto');
        const hash = createHash('sha256');
        const zeros = Buffer.alloc(8 * MiB);
        for (let done = 0; done < size; done += zeros.length) hash.update(zeros.subarray(0, Math.min(zeros.length, size - done)));
        log(`resume: completed in ${fmt(m.wallS, 1)} s; checking the content of ${formatBytes(size)}`);
        await verifySha256(b.client, bucket, key, hash.digest('hex'));
        final.contentChecked = true;
        final.ok = true;
      } catch (error) {
        final.error = (error as Error).message;
      }
    }
    log(`resume: final run ${final.ok ? 'completed and verified' : `FAILED: ${final.error}`}, ${final.partsSent} parts sent`);
    if (tool.id === 'ferry-engine') {
      result.notes.push(
        'Measured with the engine stand-in: reopening its data directory is how the engine resumes interrupted jobs (the CLI had no resume to measure yet).',
      );
    } else {
      result.notes.push(
        'Measured through the CLI: after the crash, `ferry --data-dir DIR run` on the same data directory (the interrupted job is back in the queue).',
      );
    }
  } catch (error) {
    result.error = (error as Error).message;
    log(`resume FAILED: ${result.error}`);
  } finally {
    proxy.onEvent = null;
    await proxy.close();
    try {
      await deleteBucket(b.client, bucket);
      await gc(b);
    } catch (error) {
      log(`cleanup of ${bucket} failed: ${(error as Error).message}`);
    }
    await rm(work, { recursive: true, force: true });
    await rm(file, { force: true });
  }
  return result;
}

// ---- profile ----

async function runProfile(b: Bench, sc: Scenario): Promise<ProfileResult> {
  const tool = ferryEngine;
  const result: ProfileResult = {
    scenario: sc.id === 'small' ? 'small' : 'big',
    toolLabel: tool.label,
    bytes: sc.bytes,
    files: sc.files,
    wallS: NaN,
    cpuS: NaN,
    summary: { busyMs: 0, categories: [], top: [] },
    micro: [],
  };
  const bucket = await createTestBucket(b.s3, 'bench-profile');
  const work = await mkdtemp(path.join(b.work, 'run-profile-'));
  try {
    const ctx: RunContext = { s3: b.s3, bucket, work, partSize: PART_SIZE, concurrency: CONCURRENCY, fileWorkers: FILE_WORKERS };
    const inv = await tool.prepare(ctx, sc.target);
    const profDir = path.join(work, 'prof');
    const m = await runMeasured(inv.cmd, ['--cpu-prof', '--cpu-prof-dir', profDir, ...inv.args], {
      env: inv.env,
      cwd: REPO,
      timeoutMs: sc.timeoutMs,
    });
    if (m.code !== 0) throw new Error(`exit ${m.code ?? m.signal}: ${m.stderr.slice(-800)}`);
    await sc.verify(b.client, bucket, false);
    result.wallS = m.wallS;
    result.cpuS = m.userS + m.sysS;
    result.summary = summarizeProfile(await readProfileDir(profDir));
    if (sc.target.kind === 'file') result.micro = await microBenchmarks(sc.target.path, sc.bytes);
    log(
      `profile: ${fmt(result.cpuS, 2)} s CPU; main thread busy ${fmt(result.summary.busyMs / 1000, 2)} s: ` +
        result.summary.categories
          .slice(0, 5)
          .map((c) => `${c.name} ${fmt(c.ms / 1000, 2)} s`)
          .join('; '),
    );
  } catch (error) {
    result.error = (error as Error).message;
    log(`profile FAILED: ${result.error}`);
  } finally {
    try {
      await deleteBucket(b.client, bucket);
      await gc(b);
    } catch (error) {
      log(`cleanup of ${bucket} failed: ${(error as Error).message}`);
    }
    await rm(work, { recursive: true, force: true });
  }
  return result;
}

// ---- environment ----

async function environment(b: Bench): Promise<Environment> {
  const cpus = os.cpus();
  let debian = '';
  try {
    debian = `Debian ${readFileSync('/etc/debian_version', 'utf8').trim()}, `;
  } catch {
    // not Debian
  }
  let server = 'Ceph RGW';
  try {
    server = `${(await b.server.admin(['ceph', 'version'])).trim()}, radosgw (beast), one bluestore OSD on a sparse file, 127.0.0.1, path-style`;
  } catch (error) {
    log(`ceph version: ${(error as Error).message}`);
  }
  const versions = [];
  for (const tool of TOOLS) {
    let version: string;
    try {
      version = await tool.version();
    } catch (error) {
      version = `unknown (${(error as Error).message.slice(0, 80)})`;
    }
    versions.push({ tool: tool.label, version, settings: tool.settings });
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    quick: QUICK,
    rounds: ROUNDS,
    machine: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryGiB: os.totalmem() / GiB,
    os: `${debian}Linux ${os.release()}`,
    server,
    versions,
    ferryFromCli: TOOLS.includes(ferryCli),
    command: `node bench/run.ts ${process.argv.slice(2).join(' ')}`.trim(),
  };
}

// ---- main ----

async function main(): Promise<number> {
  preflight();
  const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-'));
  const needGiB =
    (scenarios.has('resume') ? (SIZES.resumeParts + SIZES.resumeExtra) * RESUME_PART_SIZE : 0) / GiB +
    ((scenarios.has('huge') ? SIZES.huge : 0) / GiB) * 2 +
    4;
  const free = await statfs(work);
  const freeGiB = (free.bavail * free.bsize) / GiB;
  if (freeGiB < needGiB) throw new Error(`${work}: ${fmt(freeGiB)} GiB free, the benchmark needs about ${fmt(needGiB, 0)} GiB`);
  // the OSD is a sparse file: size it for the largest object the benchmark stores (the resume job)
  process.env.OSD_SIZE_GB ??= String(Math.max(16, Math.ceil(needGiB + 8)));
  log(
    `ferry: ${FERRY.map((t) => t.label).join(', ')}; peers: ${peerIds.join(', ')}; scenarios: ${[...scenarios].join(', ')}; ${ROUNDS} round(s); work dir ${work}`,
  );
  log(`starting Ceph RGW (bluestore, OSD ${process.env.OSD_SIZE_GB} GiB)`);
  const server = await startRgw({ backend: 'bluestore' });
  // on the way out, and on a signal (when the finally below never runs)
  const cleanUp = async () => {
    await server.stop();
    if (!opts.keep) await rm(work, { recursive: true, force: true });
  };
  const signalsOff = cleanUpOnSignal(`stopping Ceph RGW${opts.keep ? '' : ` and removing ${work}`}`, cleanUp, say);
  const s3 = testS3Of(server);
  const b: Bench = { server, s3, client: testClient(s3), work };
  const results: Results = { env: await environment(b), scenarios: [] };
  let failures = 0;
  try {
    if (scenarios.has('big')) {
      const sc = await bigFileScenario(b, 'big', SIZES.big, 1);
      results.scenarios.push(await runScenario(b, sc, TOOLS));
      if (!opts['no-profile'] && includeFerry) (results.profiles ??= []).push(await runProfile(b, sc));
    }
    if (scenarios.has('small')) {
      const sc = await smallFilesScenario(b);
      results.scenarios.push(await runScenario(b, sc, TOOLS));
      if (!opts['no-profile'] && includeFerry) (results.profiles ??= []).push(await runProfile(b, sc));
      if (sc.target.kind === 'dir') await rm(sc.target.dir, { recursive: true, force: true });
    }
    if (scenarios.has('huge') && SIZES.huge > 0) {
      const sc = await bigFileScenario(b, 'huge', SIZES.huge, 2);
      results.scenarios.push(await runScenario(b, sc, TOOLS));
      if (sc.target.kind === 'file') await rm(sc.target.path, { force: true });
    }
    if (scenarios.has('resume') && includeFerry) results.resume = await runResume(b, FERRY[0]!, FERRY.slice(1));
    if (scenarios.has('far') || scenarios.has('far-big') || scenarios.has('far-small')) {
      b.far = await startFarProxy(server.endpoint, FAR_LINK);
      log(`far endpoint: ${farTitle()}, at ${b.far.url}`);
      try {
        if (scenarios.has('far') || scenarios.has('far-big')) {
          const big = await bigFileScenario(b, 'far-big', SIZES.farBig, 3);
          results.scenarios.push(await runScenario(b, big, TOOLS));
          if (big.target.kind === 'file') await rm(big.target.path, { force: true });
        }
        if (scenarios.has('far') || scenarios.has('far-small')) {
          const small = await smallFilesScenario(b, 'far-small');
          results.scenarios.push(await runScenario(b, small, TOOLS));
          if (small.target.kind === 'dir') await rm(small.target.dir, { recursive: true, force: true });
        }
      } finally {
        await b.far.close();
        delete b.far;
      }
    }
    if (scenarios.has('store')) {
      const other = opts['ferry-cli-b'] ? { label: FERRY.at(-1)!.label, cli: path.resolve(opts['ferry-cli-b']) } : undefined;
      results.store = await runStoreScale(work, SIZES.storeJobs, ROUNDS, log, other);
    }
    if (scenarios.has('startup')) results.startup = { ...(await runStartup(work, SIZES.startupRounds, log)), bundled: ferryCliBundled() };
  } finally {
    signalsOff();
    b.client.destroy();
    await cleanUp();
  }
  throwIfStopping();
  failures += results.scenarios.flatMap((s) => s.records).filter((r) => !r.ok).length;
  if (results.resume?.error || (results.resume?.final && !results.resume.final.ok)) failures++;
  failures += (results.profiles ?? []).filter((p) => p.error).length;
  if (results.store?.error) failures++;
  if (results.startup?.error) failures++;

  const docs = path.join(REPO, 'docs', 'benchmarks.md');
  const out = opts.out ?? (QUICK ? path.join(os.tmpdir(), `ferry-benchmarks-quick-${Date.now()}.md`) : docs);
  const markdown = renderReport(results, readAnalysis()) + (out === docs ? keptFromDocs(docs) : '');
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, markdown);
  // raw results beside a temp report; never beside docs/benchmarks.md (the repository keeps only the report)
  const json = opts.out || QUICK ? `${out.replace(/\.md$/, '')}.json` : path.join(os.tmpdir(), `ferry-benchmarks-${Date.now()}.json`);
  await writeFile(json, JSON.stringify(results, null, 2));
  if (QUICK) process.stdout.write(markdown);
  log(`report written to ${out} (raw results: ${json})`);
  if (failures > 0) log(`${failures} run(s) failed: see the report`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (stopping()) return; // the signal's handler exits, 130 or 143
    log(`failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 2;
  },
);
