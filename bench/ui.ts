// The window under load: `npm run bench:ui`. Starts a Ceph RGW, queues 10,000 small files as one
// folder with `ferry upload --detach`, opens `ferry serve` in Chromium (Playwright), and measures
// the cold load (time to the first row, on the page's clock and as Playwright sees it), then scrolls
// the list of 10,000 rows while the files upload, twice: the scroll bar dragged down and back up, and a
// steady wheel scroll, recording long tasks (PerformanceObserver 'longtask'). Figures go into
// docs/benchmarks.md between the bench:ui markers. It reports; it never asserts.
//
// FERRY_BENCH_UI_FERRY=path/to/bin/ferry.js measures another build (an A/B against the one before);
// its figures are printed, not written into docs/benchmarks.md. FERRY_BENCH_UI_PROFILE=DIR also
// records the page's CPU profile of the cold load and of the scroll into DIR and prints where the
// time went (build the renderer with `npx vite build --minify false` first, for readable names);
// FERRY_BENCH_UI_TRACE=DIR keeps the Chromium performance trace of the scroll (taken in every run, for
// the main thread's CPU per task) and prints the main thread's time by event (style, layout, paint, script);
// it also keeps the trace of the cold load. FERRY_BENCH_UI_SERVE_PROFILE=DIR records `ferry serve`'s own
// CPU profile (node --cpu-prof) into DIR.
import { chromium, type Browser, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startRgw } from '../test/harness/rgw.ts';
import { formatPageProfile, summarizePageProfile, summarizeTrace, taskCpu, type PageCpuProfile } from './lib/pageProfile.ts';
import { createTestBucket } from '../test/harness/s3.ts';
import { cleanUpOnSignal, stopping } from './lib/signals.ts';
import { median } from './lib/stats.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const FERRY = process.env.FERRY_BENCH_UI_FERRY ? path.resolve(process.env.FERRY_BENCH_UI_FERRY) : path.join(REPO, 'bin/ferry.js');
const WRITE_DOCS = !process.env.FERRY_BENCH_UI_FERRY;
const PROFILE_DIR = process.env.FERRY_BENCH_UI_PROFILE ? path.resolve(process.env.FERRY_BENCH_UI_PROFILE) : null;
const TRACE_DIR = process.env.FERRY_BENCH_UI_TRACE ? path.resolve(process.env.FERRY_BENCH_UI_TRACE) : null;
const SERVE_PROFILE_DIR = process.env.FERRY_BENCH_UI_SERVE_PROFILE ? path.resolve(process.env.FERRY_BENCH_UI_SERVE_PROFILE) : null;
/** Cold loads measured (FERRY_BENCH_UI_LOADS), each a new window while the files upload; the first is the one scrolled. */
const LOADS = Math.max(1, Number(process.env.FERRY_BENCH_UI_LOADS ?? 5));
/** FERRY_BENCH_UI_QUIET=1: the uploads are paused before the scrolling, for an A/B of the page's own work without the machine's load. */
const QUIET = process.env.FERRY_BENCH_UI_QUIET === '1';
const FILES = Number(process.env.FERRY_BENCH_UI_FILES ?? 10_000);
const SCROLL_MS = 8000;
const WHEEL_MS = 4000;
/** A steady wheel or trackpad scroll: about 60 rows a second. */
const WHEEL_PX_PER_S = 3000;

function ferry(dataDir: string, args: string[], input?: string): string {
  const result = spawnSync(process.execPath, [FERRY, '--data-dir', dataDir, ...args], { input, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ferry ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

interface ScrollFigures {
  /** Elements added to the page while scrolling, by tag.class, most first. */
  created: Array<[string, number]>;
  /** Elements moved within the page (re-inserted) while scrolling. */
  moved: number;
  longTasks: number;
  worstMs: number;
  totalMs: number;
  frames: number;
  fps: number;
}

/** Ends `child` with SIGINT (SIGKILL after 5 s) and waits for it: its data directory is about to be removed. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  const rgw = await startRgw();
  const work = mkdtempSync(path.join(os.tmpdir(), 'ferry-bench-ui-'));
  let serve: ChildProcess | undefined;
  let browser: Browser | undefined;
  // Ctrl-C reaches ferry serve (same process group) but not Chromium (Playwright starts it in its own);
  // kill reaches neither. RGW's daemons would die with this process, its directory and `work` would stay.
  // on the way out, and on a signal (when the finally below never runs)
  const cleanUp = async () => {
    await browser?.close();
    if (serve) await stopChild(serve);
    await rgw.stop();
    rmSync(work, { recursive: true, force: true });
  };
  const signalsOff = cleanUpOnSignal(`closing Chromium, stopping ferry serve and Ceph RGW, removing ${work}`, cleanUp, (msg) =>
    console.error(msg),
  );
  try {
    const s3 = {
      endpoint: rgw.endpoint,
      region: rgw.region,
      accessKeyId: rgw.accessKeyId,
      secretAccessKey: rgw.secretAccessKey,
      forcePathStyle: true,
    };
    const bucket = await createTestBucket(s3, 'bench-ui');
    const dataDir = path.join(work, 'data');
    ferry(
      dataDir,
      [
        'endpoint',
        'add',
        'rgw',
        '--url',
        rgw.endpoint,
        '--path-style',
        '--checksums',
        'when-required',
        '--access-key-id',
        rgw.accessKeyId,
        '--secret-stdin',
      ],
      rgw.secretAccessKey,
    );
    const folder = path.join(work, 'many-small');
    for (let i = 0; i < FILES; i++) {
      const dir = path.join(folder, `d${Math.floor(i / 500)}`);
      if (i % 500 === 0) mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `f${String(i).padStart(5, '0')}.bin`), Buffer.alloc(16 * 1024, i % 251));
    }
    ferry(dataDir, ['upload', folder, `s3://${bucket}/ui/`, '--endpoint', 'rgw', '--detach']);

    const serveFlags = SERVE_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${SERVE_PROFILE_DIR}`, '--cpu-prof-interval=500'] : [];
    const served = spawn(process.execPath, [...serveFlags, FERRY, '--data-dir', dataDir, 'serve'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    serve = served;
    // each link opens one window; SIGUSR2 asks ferry serve for another (the cold loads after the first)
    const links: string[] = [];
    let linkWaiter: (() => void) | null = null;
    createInterface({ input: served.stdout! }).on('line', (line) => {
      const match = /(?:running at|New link \(opens one window, once\):) (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(line);
      if (!match) return;
      links.push(match[1]!);
      linkWaiter?.();
    });
    const exited = new Promise<never>((_resolve, reject) =>
      served.once('exit', (code) => reject(new Error(`ferry serve exited (${code})`))),
    );
    exited.catch(() => {});
    async function nextLink(): Promise<string> {
      while (links.length === 0) await Promise.race([new Promise<void>((resolve) => (linkWaiter = resolve)), exited]);
      return links.shift()!;
    }
    const url = await nextLink();
    browser = await chromium.launch({
      executablePath: process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
      // the clean-up above closes it: Playwright's own SIGINT handler would exit 130 before RGW is stopped
      handleSIGINT: false,
      handleSIGTERM: false,
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // what the host sends the page: event messages and their bytes, counted during the scroll; and the
    // answers to the commands that load the jobs (`snapshot`, and `jobsPage` where the build pages them)
    const received = { counting: false, messages: 0, bytes: 0, snapshotMs: 0, snapshotBytes: 0, snapshotMessages: 0 };
    const loadCommands = new Set<number>();
    // the cold load step by step, in ms from the navigation (seen from here: the page's requests and
    // its socket's frames as Chromium reports them)
    const steps = { script: 0, socket: 0, asked: 0 };
    page.on('requestfinished', (request) => {
      if (steps.script === 0 && request.resourceType() === 'script') steps.script = Date.now() - started;
    });
    page.on('websocket', (socket) => {
      if (steps.socket === 0) steps.socket = Date.now() - started;
      socket.on('framesent', ({ payload }) => {
        if (typeof payload !== 'string') return;
        const match = /^\{"type":"command","id":(\d+),"command":"(snapshot|jobsPage)"/.exec(payload);
        if (match) loadCommands.add(Number(match[1]));
        if (match && steps.asked === 0) steps.asked = Date.now() - started;
      });
      socket.on('framereceived', ({ payload }) => {
        const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
        const answer = typeof payload === 'string' ? /^\{"type":"result","id":(\d+)/.exec(payload.slice(0, 40)) : null;
        if (answer && loadCommands.has(Number(answer[1]))) {
          if (received.snapshotMs === 0) received.snapshotMs = Date.now() - started;
          received.snapshotBytes += size;
          received.snapshotMessages++;
        }
        if (!received.counting) return;
        received.messages++;
        received.bytes += size;
      });
    });
    const cdp = PROFILE_DIR ? await page.context().newCDPSession(page) : null;
    async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
      if (!cdp || !PROFILE_DIR) return run();
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
      await cdp.send('Profiler.start');
      const result = await run();
      const { profile } = await cdp.send('Profiler.stop');
      mkdirSync(PROFILE_DIR, { recursive: true });
      writeFileSync(path.join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
      console.log(formatPageProfile(name, summarizePageProfile(profile as PageCpuProfile)));
      return result;
    }
    // the first row on the page's own clock (ms from its navigation), as painted: seen inserted, then
    // the frame that draws it (a task after its animation frame). Playwright's wait below polls, and
    // under load its own polls come late.
    const timeFirstRow = () => {
      const seen = new MutationObserver(() => {
        if (!document.querySelector('[role="row"][aria-label="many-small"]')) return;
        seen.disconnect();
        requestAnimationFrame(() =>
          setTimeout(() => {
            (window as unknown as { ferryFirstRowMs: number }).ferryFirstRowMs = Math.round(performance.now());
          }, 0),
        );
      });
      seen.observe(document, { childList: true, subtree: true });
    };
    /** When `on` drew its first row, on its own clock (timeFirstRow, added before its navigation). */
    const firstRowOf = (on: Page, timeoutMs: number): Promise<number> =>
      on
        .waitForFunction(() => (window as unknown as { ferryFirstRowMs?: number }).ferryFirstRowMs, undefined, { timeout: timeoutMs })
        .then((handle) => handle.jsonValue() as Promise<number>);
    await page.addInitScript(timeFirstRow);
    if (TRACE_DIR) await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    const started = Date.now();
    const firstRowMs = await profiled('cold-load', async () => {
      await page.goto(url);
      await page.getByRole('row', { name: 'many-small', exact: true }).waitFor();
      return Date.now() - started;
    });
    const firstRowPageMs = await firstRowOf(page, 10_000);
    if (TRACE_DIR) {
      const coldTrace = await browser.stopTracing();
      mkdirSync(TRACE_DIR, { recursive: true });
      writeFileSync(path.join(TRACE_DIR, 'cold-load.trace.json'), coldTrace);
    }
    // the page's own clock (ms from its navigation): what the host's HTTP answers and the page's start took
    const pageSteps = await page.evaluate(() => {
      const ms = (value: number) => Math.round(value);
      const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const scripts = resources.filter((entry) => entry.initiatorType === 'script' || /\.js$/.test(entry.name));
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      return [
        `document ${ms(navigation?.requestStart ?? 0)}-${ms(navigation?.responseEnd ?? 0)}`,
        ...scripts.map(
          (entry) =>
            `${entry.name.split('/').pop()} ${ms(entry.startTime)}-${ms(entry.responseEnd)} (${Math.round(entry.encodedBodySize / 1024)} KiB)`,
        ),
        `DOMContentLoaded ${ms(navigation?.domContentLoadedEventEnd ?? 0)}`,
        `first paint ${ms(paint?.startTime ?? 0)}`,
      ].join(', ');
    });
    console.log(`cold load, the page's clock: ${pageSteps}`);
    // every job in the window: the group row counts all of its files
    const allFiles = `of ${FILES.toLocaleString('en-US')} files`;
    await page.waitForFunction(
      (text) => document.querySelector('[data-testid="job-scroller"]')?.textContent?.includes(text) ?? false,
      allFiles,
      { timeout: 120_000, polling: 50 },
    );
    const allJobsMs = Date.now() - started;
    // more cold loads, each in a new window of its own link, while the files upload: one is noise
    const firstRows = [firstRowPageMs];
    for (let load = 1; load < LOADS; load++) {
      served.kill('SIGUSR2');
      const link = await nextLink();
      // a context of its own: nothing cached from the loads before
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const other = await context.newPage();
      await other.addInitScript(timeFirstRow);
      await other.goto(link);
      firstRows.push(await firstRowOf(other, 30_000));
      await context.close();
    }
    const medianFirstRow = Math.round(median(firstRows));
    console.log(`cold loads, first row on the page's clock: ${firstRows.join(', ')} ms (median ${medianFirstRow})`);
    await page.getByRole('button', { name: 'Show the files of many-small' }).click();
    await page.locator('.job-row.child').first().waitFor();
    if (QUIET) {
      // the page's own work alone: the uploads paused, RGW and ferry serve idle
      await page.getByRole('row', { name: 'many-small', exact: true }).getByRole('button', { name: 'Pause all', exact: true }).click();
      await page.waitForFunction(
        () => !/uploading|queued/.test(document.querySelector('[role="row"][aria-label="many-small"]')?.textContent ?? ''),
        undefined,
        { timeout: 60_000 },
      );
    }
    const uploading = await page.getByRole('row', { name: 'many-small', exact: true }).innerText();

    /**
     * Scrolls the list for `durationMs` and measures it: `drag` goes down the whole list and back up,
     * as a person drags the scroll bar (thousands of rows a second: the list shows light rows, then
     * its full rows where it stops); `wheel` moves down at `WHEEL_PX_PER_S`, as a steady wheel or
     * trackpad scroll does, with full rows throughout.
     */
    async function measureScroll(mode: 'drag' | 'wheel', durationMs: number) {
      received.counting = true;
      received.messages = 0;
      received.bytes = 0;
      // the trace gives each task's CPU time: comparable between runs at different loads, unlike wall time
      await browser!.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
      const figures = await profiled(`scroll-${mode}`, () =>
        page.evaluate(
          async ({ durationMs, mode, wheelPxPerS }) => {
            const tasks: number[] = [];
            const observer = new PerformanceObserver((list) => {
              for (const entry of list.getEntries()) tasks.push(entry.duration);
            });
            observer.observe({ type: 'longtask', buffered: false });
            // elements the page builds while scrolling, by tag and class (recycled rows build few); an
            // element moved within the page is reported as added too, and counted apart
            const created = new Map<string, number>();
            const known = new WeakSet<Element>(document.querySelectorAll('*'));
            let moved = 0;
            const mutations = new MutationObserver((records) => {
              for (const record of records)
                for (const node of record.addedNodes) {
                  if (!(node instanceof Element)) continue;
                  for (const element of [node, ...node.querySelectorAll('*')]) {
                    if (known.has(element)) {
                      moved++;
                      continue;
                    }
                    known.add(element);
                    const name = `${element.tagName.toLowerCase()}.${String(element.getAttribute('class') ?? '').split(' ')[0]}`;
                    created.set(name, (created.get(name) ?? 0) + 1);
                  }
                }
            });
            mutations.observe(document.body, { childList: true, subtree: true });
            const scroller = document.querySelector<HTMLElement>('[data-testid="job-scroller"]')!;
            const from = scroller.scrollTop;
            let frames = 0;
            const start = performance.now();
            await new Promise<void>((resolve) => {
              function step(now: number) {
                frames++;
                const t = (now - start) / durationMs;
                const max = scroller.scrollHeight - scroller.clientHeight;
                // drag: down and back up; wheel: down at a steady speed
                scroller.scrollTop =
                  mode === 'drag' ? max * (t < 0.5 ? t * 2 : 2 - t * 2) : Math.min(max, from + ((now - start) * wheelPxPerS) / 1000);
                if (now - start < durationMs) requestAnimationFrame(step);
                else resolve();
              }
              requestAnimationFrame(step);
            });
            // the full rows come back where the list stops: measured too
            await new Promise((resolve) => setTimeout(resolve, 300));
            observer.disconnect();
            mutations.disconnect();
            const elapsed = performance.now() - start;
            return {
              created: [...created].sort((a, b) => b[1] - a[1]),
              moved,
              longTasks: tasks.length,
              worstMs: Math.round(Math.max(0, ...tasks)),
              totalMs: Math.round(tasks.reduce((sum, d) => sum + d, 0)),
              frames,
              fps: Math.round((frames * 1000) / elapsed),
            } satisfies ScrollFigures;
          },
          { durationMs, mode, wheelPxPerS: WHEEL_PX_PER_S },
        ),
      );
      received.counting = false;
      const trace = await browser!.stopTracing();
      const cpu = taskCpu(JSON.parse(trace.toString('utf8')));
      if (TRACE_DIR) {
        mkdirSync(TRACE_DIR, { recursive: true });
        writeFileSync(path.join(TRACE_DIR, `scroll-${mode}.trace.json`), trace);
        console.log(`scroll (${mode}), main thread by trace event:`);
        for (const entry of summarizeTrace(JSON.parse(trace.toString('utf8'))))
          console.log(`  ${String(entry.ms).padStart(6)} ms  ${entry.name}`);
      }
      console.log(
        `elements built while scrolling (${mode}): ${figures.created
          .slice(0, 10)
          .map(([name, n]) => `${name} ${n}`)
          .join(', ')}`,
      );
      const seconds = durationMs / 1000;
      return { figures, cpu, messagesPerS: Math.round(received.messages / seconds), kibPerS: Math.round(received.bytes / seconds / 1024) };
    }
    const drag = await measureScroll('drag', SCROLL_MS);
    await page.evaluate(() => {
      document.querySelector<HTMLElement>('[data-testid="job-scroller"]')!.scrollTop = 0;
    });
    await page.waitForTimeout(500);
    const wheel = await measureScroll('wheel', WHEEL_MS);
    const load = os.loadavg()[0]!.toFixed(1);

    const report = [
      '<!-- bench:ui start -->',
      '## The window under load (`npm run bench:ui`)',
      '',
      `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores (shared; load average ${load} at the end), Chromium headless, 1280x800.`,
      QUIET
        ? `${FILES.toLocaleString('en-US')} files of 16 KiB queued as one folder, paused while the scrolling is measured (FERRY_BENCH_UI_QUIET).`
        : `${FILES.toLocaleString('en-US')} files of 16 KiB queued as one folder, uploading to a local Ceph RGW while measured.`,
      '',
      '| Measure | Value |',
      '| --- | --- |',
      `| Cold load: first row painted (the page's clock, from its navigation): median of ${LOADS}, and each | ${medianFirstRow} ms (${firstRows.join(', ')}) |`,
      `| Cold load: first row seen by Playwright (its clock, polling) | ${firstRowMs} ms |`,
      `| Cold load: the first answer with jobs received | ${received.snapshotMs} ms |`,
      `| Cold load, step by step: script loaded, socket opened, snapshot asked, answered, first row | ${steps.script}, ${steps.socket}, ${steps.asked}, ${received.snapshotMs}, ${firstRowMs} ms |`,
      `| Cold load: the jobs' bytes (messages) | ${(received.snapshotBytes / 1024 / 1024).toFixed(2)} MiB (${received.snapshotMessages}) |`,
      `| Cold load: every job in the window | ${allJobsMs} ms |`,
      `| Dragging the scroll bar through ${FILES.toLocaleString('en-US')} rows and back in ${SCROLL_MS / 1000} s: long tasks (> 50 ms) | ${drag.figures.longTasks} |`,
      `| Worst long task (wall time) | ${drag.figures.worstMs} ms |`,
      `| Time in long tasks | ${drag.figures.totalMs} ms |`,
      `| Frames | ${drag.figures.frames} (${drag.figures.fps} fps) |`,
      `| Elements built while scrolling (moved) | ${drag.figures.created.reduce((sum, [, n]) => sum + n, 0).toLocaleString('en-US')} (${drag.figures.moved.toLocaleString('en-US')}) |`,
      `| Main thread CPU while scrolling (trace): tasks over 50 ms of CPU | ${drag.cpu.longTasks} |`,
      `| Worst task's CPU | ${drag.cpu.worstMs} ms |`,
      `| Main thread CPU in ${SCROLL_MS / 1000} s | ${drag.cpu.totalMs} ms (${Math.round(drag.cpu.totalMs / Math.max(1, drag.figures.frames))} ms a frame) |`,
      `| Host to page while scrolling | ${drag.messagesPerS} messages/s, ${drag.kibPerS} KiB/s |`,
      `| Wheel scrolling at ${WHEEL_PX_PER_S.toLocaleString('en-US')} px/s for ${WHEEL_MS / 1000} s: long tasks (> 50 ms) | ${wheel.figures.longTasks} |`,
      `| Worst long task (wall time) | ${wheel.figures.worstMs} ms |`,
      `| Frames | ${wheel.figures.frames} (${wheel.figures.fps} fps) |`,
      `| Elements built while scrolling (moved) | ${wheel.figures.created.reduce((sum, [, n]) => sum + n, 0).toLocaleString('en-US')} (${wheel.figures.moved.toLocaleString('en-US')}) |`,
      `| Main thread CPU: worst task, in all | ${wheel.cpu.worstMs} ms, ${wheel.cpu.totalMs} ms (${Math.round(wheel.cpu.totalMs / Math.max(1, wheel.figures.frames))} ms a frame) |`,
      `| The group row while measured | ${uploading.replace(/\s+/g, ' ').trim()} |`,
      '<!-- bench:ui end -->',
    ].join('\n');
    console.log(report);
    if (!WRITE_DOCS) return;
    const file = path.join(REPO, 'docs', 'benchmarks.md');
    const current = readFileSync(file, 'utf8');
    const marked = /<!-- bench:ui start -->[\s\S]*<!-- bench:ui end -->/;
    writeFileSync(file, marked.test(current) ? current.replace(marked, report) : `${current.trimEnd()}\n\n${report}\n`);
  } finally {
    signalsOff();
    await cleanUp();
  }
}

try {
  await main();
} catch (error) {
  // after a signal, what failed failed because the clean-up closed it: the handler exits, 130 or 143
  if (!stopping()) throw error;
}
