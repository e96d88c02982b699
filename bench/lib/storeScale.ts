// The store-scale and start-up scenarios: how Ferry copes with a job store of 100,000 jobs (`ferry jobs --json`,
// the engine's open, the window's first paint of the list through `ferry serve` in headless Chromium, the memory
// of `ferry serve` with those jobs queued against it idle), and how fast the `ferry` command starts.
// The jobs are queued against an endpoint that accepts connections and never answers (a black hole), so that
// they stay queued (the few the engine starts wait for their first answer) while everything is measured.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { runMeasured, runPlain } from './measure.ts';
import type { StartupResult, StoreResult, Timing } from './results.ts';
import { cleanEnv, ferryCliOptions, REPO, withFerryCli } from './tools.ts';

const ENGINE_OPEN_CHILD = path.join(REPO, 'bench', 'children', 'engine-open.ts');
const SEED_CHILD = path.join(REPO, 'bench', 'children', 'seed-store.ts');
/** How long after the list's last page `ferry serve`'s memory is read (windowFirstPaint). */
const SETTLE_MS = 8_000;
export const CHROMIUM = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';

/** A TCP server that accepts connections and never answers: jobs sent to it stay in their first request. */
export async function startBlackHole(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const ferryArgs = (dataDir: string, args: string[]) => [ferryCliOptions.path, '--data-dir', dataDir, ...args];

/** A data directory with the endpoint `far` (the black hole) and `jobs` queued jobs of one small file. */
export async function seedStore(dataDir: string, jobs: number, endpointUrl: string, file: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const env = cleanEnv();
  await runPlain(
    process.execPath,
    ferryArgs(dataDir, [
      'endpoint',
      'add',
      'far',
      '--url',
      endpointUrl,
      '--region',
      'us-east-1',
      '--path-style',
      '--checksums',
      'when-required',
      '--access-key-id',
      'BENCHSTOREKEY',
      '--secret-stdin',
    ]),
    { env, stdin: 'bench-store-secret\n', cwd: REPO, timeoutMs: 60_000 },
  );
  const listed = JSON.parse(await runPlain(process.execPath, ferryArgs(dataDir, ['endpoint', 'list', '--json']), { env, cwd: REPO })) as {
    id: string;
  }[];
  if (jobs === 0) return;
  await writeFile(file, Buffer.alloc(1024, 7));
  await runPlain(process.execPath, [SEED_CHILD], {
    env: cleanEnv({ FERRY_BENCH_SEED: JSON.stringify({ dataDir, jobs, file, endpointId: listed[0]!.id, bucket: 'bench-store' }) }),
    cwd: REPO,
    timeoutMs: 600_000,
  });
}

/** `ferry jobs --json` on the store, `rounds` times: wall and CPU of the whole command, peak RSS. */
export async function timeJobsJson(dataDir: string, jobs: number, rounds: number): Promise<Timing[]> {
  const out: Timing[] = [];
  for (let i = 0; i < rounds; i++) {
    const m = await runMeasured(process.execPath, ferryArgs(dataDir, ['jobs', '--json']), {
      env: cleanEnv(),
      cwd: REPO,
      timeoutMs: 300_000,
    });
    if (m.code !== 0) throw new Error(`ferry jobs --json exited ${m.code ?? m.signal}: ${m.stderr.slice(-400)}`);
    // the output is kept in its last 64 KiB only: its end says how many jobs it listed
    if (jobs > 0 && !m.stdout.trimEnd().endsWith(']')) throw new Error('ferry jobs --json did not end its array');
    out.push({ wallMs: m.wallS * 1000, cpuMs: (m.userS + m.sysS) * 1000, rssKiB: m.maxRssKiB });
  }
  return out;
}

/** Engine.open on the store (bench/children/engine-open.ts), in a fresh process each round. */
export async function timeEngineOpen(dataDir: string, jobs: number, rounds: number, child = ENGINE_OPEN_CHILD): Promise<Timing[]> {
  const out: Timing[] = [];
  for (let i = 0; i < rounds; i++) {
    const text = await runPlain(process.execPath, [child], {
      env: cleanEnv({ FERRY_BENCH_OPEN: JSON.stringify({ dataDir }) }),
      cwd: REPO,
      timeoutMs: 300_000,
    });
    const r = JSON.parse(text.trim().split('\n').at(-1)!) as {
      openMs: number;
      openCpuMs: number;
      jobs: number;
      rssBefore: number;
      rssAfter: number;
    };
    if (r.jobs !== jobs) throw new Error(`the engine opened ${r.jobs} jobs, expected ${jobs}`);
    out.push({ wallMs: r.openMs, cpuMs: r.openCpuMs, rssKiB: r.rssAfter / 1024 });
  }
  return out;
}

function rssKiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/**
 * Starts `ferry serve` on the data directory, opens its link in headless Chromium and measures the first paint
 * of the list (navigation start → the first row of the list, or the window's "no uploads" message, in the DOM: a
 * MutationObserver in the page timestamps it), and the RSS of the `ferry serve` process then and once settled
 * (SETTLE_MS after the window has read the whole list, the window left open).
 */
export async function windowFirstPaint(
  dataDir: string,
  expectRows: boolean,
): Promise<{ firstPaintMs: number; rssKiB: number; rssAtFirstRowKiB: number; peakRssKiB: number }> {
  if (!existsSync(path.join(REPO, 'dist', 'renderer', 'index.html'))) throw new Error('the window is not built: run npm run build first');
  const serve = spawn(process.execPath, ferryArgs(dataDir, ['serve']), { env: cleanEnv(), cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  serve.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: serve.stdout! }).on('line', (line) => {
        const match = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(line);
        if (match) resolve(match[1]!);
      });
      serve.once('exit', (code) => reject(new Error(`ferry serve exited (${code}): ${stderr}`)));
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.addInitScript(() => {
        const w = window as unknown as { __ferryFirstPaint?: number };
        // a row of the list, or (no jobs) the window's "no uploads" message
        const found = () => document.querySelector('[data-testid="job-scroller"] .job-row, [aria-labelledby="no-uploads-title"]');
        const observer = new MutationObserver(() => {
          if (w.__ferryFirstPaint === undefined && found()) {
            w.__ferryFirstPaint = performance.now();
            observer.disconnect();
          }
        });
        observer.observe(document, { childList: true, subtree: true });
      });
      await page.goto(url);
      await page
        .locator(expectRows ? '[data-testid="job-scroller"] .job-row' : '[aria-labelledby="no-uploads-title"]')
        .first()
        .waitFor({ timeout: 300_000 });
      const firstPaintMs = await page.evaluate(() => (window as unknown as { __ferryFirstPaint?: number }).__ferryFirstPaint ?? NaN);
      const atFirstRow = rssKiB(serve.pid!);
      // The memory a person's machine gives the host, not a moment of it: at the first row the page has yet
      // to read the rest of the list (100,000 jobs, in pages), and that reading took ferry serve from 147 to
      // 182 MiB within a second (2026-12-02). So the figure is read once the window is loaded and quiet.
      // every page read ("Loading uploads… N of M" gone), then the host's quiet second and its collection
      await page.locator('.jobs-loading').waitFor({ state: 'detached', timeout: 300_000 });
      await page.waitForTimeout(SETTLE_MS);
      const settled = rssKiB(serve.pid!);
      return { firstPaintMs, rssKiB: settled.rss, rssAtFirstRowKiB: atFirstRow.rss, peakRssKiB: settled.peak };
    } finally {
      await browser.close();
    }
  } finally {
    serve.kill('SIGINT');
    await new Promise((resolve) => (serve.exitCode !== null ? resolve(null) : serve.once('exit', resolve)));
  }
}

/**
 * The whole store-scale scenario; `other`: another build of the CLI (run.ts --ferry-cli-b) measured on the
 * same stores in alternation (its engine open by the engine-open child of its own checkout, beside its bin/).
 */
export async function runStoreScale(
  work: string,
  jobs: number,
  rounds: number,
  log: (msg: string) => void,
  other?: { label: string; cli: string },
): Promise<StoreResult> {
  const result: StoreResult = { jobs, jobsJson: [], engineOpen: [], window: [], idle: [] };
  const hole = await startBlackHole();
  try {
    const dataDir = path.join(work, 'store-data');
    const idleDir = path.join(work, 'store-idle');
    log(`store: seeding ${jobs.toLocaleString('en-US')} queued jobs`);
    await seedStore(dataDir, jobs, hole.url, path.join(work, 'store-file.bin'));
    await seedStore(idleDir, 0, hole.url, path.join(work, 'store-file.bin'));
    const b: StoreResult['other'] = other ? { label: other.label, jobsJson: [], engineOpen: [], window: [], idle: [] } : undefined;
    if (b) result.other = b;
    const otherChild = other ? path.resolve(path.dirname(other.cli), '..', 'bench', 'children', 'engine-open.ts') : '';
    const ms = (timings: readonly Timing[]) => timings.map((t) => `${Math.round(t.wallMs)} ms (CPU ${Math.round(t.cpuMs)})`).join(', ');
    for (let i = 0; i < rounds; i++) {
      result.jobsJson.push(...(await timeJobsJson(dataDir, jobs, 1)));
      if (b) b.jobsJson.push(...(await withFerryCli(other!.cli, () => timeJobsJson(dataDir, jobs, 1))));
    }
    log(`store: ferry jobs --json ${ms(result.jobsJson)}${b ? `; ${b.label}: ${ms(b.jobsJson)}` : ''}`);
    for (let i = 0; i < rounds; i++) {
      result.engineOpen.push(...(await timeEngineOpen(dataDir, jobs, 1)));
      if (b) b.engineOpen.push(...(await timeEngineOpen(dataDir, jobs, 1, otherChild)));
    }
    log(`store: engine open ${ms(result.engineOpen)}${b ? `; ${b.label}: ${ms(b.engineOpen)}` : ''}`);
    for (let i = 0; i < rounds; i++) {
      // idle and loaded alternate, so that both see the same machine (and so do the builds)
      const measure = async (into: Pick<StoreResult, 'idle' | 'window'>, label: string) => {
        into.idle.push(await windowFirstPaint(idleDir, false));
        into.window.push(await windowFirstPaint(dataDir, true));
        log(
          `store${label}: window first paint ${Math.round(into.window.at(-1)!.firstPaintMs)} ms, ferry serve RSS ${Math.round(into.window.at(-1)!.rssKiB / 1024)} MiB settled, ${Math.round((into.window.at(-1)!.rssAtFirstRowKiB ?? 0) / 1024)} at the first row ` +
            `(idle: ${Math.round(into.idle.at(-1)!.firstPaintMs)} ms, ${Math.round(into.idle.at(-1)!.rssKiB / 1024)} MiB)`,
        );
      };
      const runs = [() => measure(result, ''), ...(b ? [() => withFerryCli(other!.cli, () => measure(b, ` (${b.label})`))] : [])];
      for (let k = 0; k < runs.length; k++) await runs[(i + k) % runs.length]!();
    }
  } catch (error) {
    result.error = (error as Error).message;
    log(`store FAILED: ${result.error}`);
  } finally {
    await hole.close();
  }
  return result;
}

/** `ferry --version` and `ferry jobs` on an empty store, `rounds` times each, alternated. */
export async function runStartup(work: string, rounds: number, log: (msg: string) => void): Promise<StartupResult> {
  const result: StartupResult = { version: [], jobsEmpty: [] };
  try {
    const dataDir = path.join(work, 'startup-data');
    await mkdir(dataDir, { recursive: true });
    const env = cleanEnv();
    // one untimed run of each first: the compile cache is warm, as at any start but the very first
    await runPlain(process.execPath, [ferryCliOptions.path, '--version'], { env, cwd: REPO });
    await runPlain(process.execPath, ferryArgs(dataDir, ['jobs']), { env, cwd: REPO });
    for (let i = 0; i < rounds; i++) {
      for (const [list, args] of [
        [result.version, [ferryCliOptions.path, '--version']],
        [result.jobsEmpty, ferryArgs(dataDir, ['jobs'])],
      ] as const) {
        const m = await runMeasured(process.execPath, [...args], { env, cwd: REPO, timeoutMs: 60_000 });
        if (m.code !== 0) throw new Error(`ferry ${args.slice(1).join(' ')} exited ${m.code ?? m.signal}: ${m.stderr.slice(-400)}`);
        list.push({ wallMs: m.wallS * 1000, cpuMs: (m.userS + m.sysS) * 1000, rssKiB: m.maxRssKiB });
      }
    }
    const node = await runMeasured(process.execPath, ['-e', ''], { env, cwd: REPO });
    result.bareNode = { wallMs: node.wallS * 1000, cpuMs: (node.userS + node.sysS) * 1000, rssKiB: node.maxRssKiB };
    log(
      `startup: ferry --version ${result.version.map((t) => Math.round(t.wallMs)).join(', ')} ms; ferry jobs (empty) ${result.jobsEmpty.map((t) => Math.round(t.wallMs)).join(', ')} ms`,
    );
  } catch (error) {
    result.error = (error as Error).message;
    log(`startup FAILED: ${result.error}`);
  }
  return result;
}
