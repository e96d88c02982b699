// The window under load: `npm run bench:ui`. Starts a Ceph RGW, queues 10,000 small files as one
// folder with `ferry upload --detach`, opens `ferry serve` in Chromium (Playwright), and measures
// the cold load (time to the first row), then scrolls the list of 10,000 rows while the files upload,
// recording long tasks (PerformanceObserver 'longtask'). Figures go into docs/benchmarks.md between
// the bench:ui markers. It reports; it never asserts.
//
// FERRY_BENCH_UI_FERRY=path/to/bin/ferry.js measures another build (an A/B against the one before);
// its figures are printed, not written into docs/benchmarks.md. FERRY_BENCH_UI_PROFILE=DIR also
// records the page's CPU profile of the cold load and of the scroll into DIR and prints where the
// time went (build the renderer with `npx vite build --minify false` first, for readable names).
import { chromium } from '@playwright/test';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startRgw } from '../test/harness/rgw.ts';
import { formatPageProfile, summarizePageProfile, type PageCpuProfile } from './lib/pageProfile.ts';
import { createTestBucket } from '../test/harness/s3.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const FERRY = process.env.FERRY_BENCH_UI_FERRY ? path.resolve(process.env.FERRY_BENCH_UI_FERRY) : path.join(REPO, 'bin/ferry.js');
const WRITE_DOCS = !process.env.FERRY_BENCH_UI_FERRY;
const PROFILE_DIR = process.env.FERRY_BENCH_UI_PROFILE ? path.resolve(process.env.FERRY_BENCH_UI_PROFILE) : null;
const FILES = Number(process.env.FERRY_BENCH_UI_FILES ?? 10_000);
const SCROLL_MS = 8000;

function ferry(dataDir: string, args: string[], input?: string): string {
  const result = spawnSync(process.execPath, [FERRY, '--data-dir', dataDir, ...args], { input, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ferry ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

interface ScrollFigures {
  longTasks: number;
  worstMs: number;
  totalMs: number;
  frames: number;
  fps: number;
}

async function main(): Promise<void> {
  const rgw = await startRgw();
  const work = mkdtempSync(path.join(os.tmpdir(), 'ferry-bench-ui-'));
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

    const serve = spawn(process.execPath, [FERRY, '--data-dir', dataDir, 'serve'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: serve.stdout! }).on('line', (line) => {
        const match = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(line);
        if (match) resolve(match[1]!);
      });
      serve.once('exit', (code) => reject(new Error(`ferry serve exited (${code})`)));
    });
    const browser = await chromium.launch({
      executablePath: process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      // what the host sends the page: event messages and their bytes, counted during the scroll
      const received = { counting: false, messages: 0, bytes: 0 };
      page.on('websocket', (socket) =>
        socket.on('framereceived', ({ payload }) => {
          if (!received.counting) return;
          received.messages++;
          received.bytes += typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
        }),
      );
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
      const started = Date.now();
      const firstRowMs = await profiled('cold-load', async () => {
        await page.goto(url);
        await page.getByRole('row', { name: 'many-small', exact: true }).waitFor();
        return Date.now() - started;
      });
      await page.getByRole('button', { name: 'Show the files of many-small' }).click();
      await page.locator('.job-row.child').first().waitFor();
      const uploading = await page.getByRole('row', { name: 'many-small', exact: true }).innerText();

      received.counting = true;
      const figures = await profiled('scroll', () =>
        page.evaluate(async (durationMs) => {
          const tasks: number[] = [];
          const observer = new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) tasks.push(entry.duration);
          });
          observer.observe({ type: 'longtask', buffered: false });
          const scroller = document.querySelector<HTMLElement>('[data-testid="job-scroller"]')!;
          let frames = 0;
          const start = performance.now();
          await new Promise<void>((resolve) => {
            function step(now: number) {
              frames++;
              const t = (now - start) / durationMs;
              // down and back up, as a person drags the scroll bar
              const max = scroller.scrollHeight - scroller.clientHeight;
              scroller.scrollTop = max * (t < 0.5 ? t * 2 : 2 - t * 2);
              if (now - start < durationMs) requestAnimationFrame(step);
              else resolve();
            }
            requestAnimationFrame(step);
          });
          await new Promise((resolve) => setTimeout(resolve, 100));
          observer.disconnect();
          const elapsed = performance.now() - start;
          return {
            longTasks: tasks.length,
            worstMs: Math.round(Math.max(0, ...tasks)),
            totalMs: Math.round(tasks.reduce((sum, d) => sum + d, 0)),
            frames,
            fps: Math.round((frames * 1000) / elapsed),
          } satisfies ScrollFigures;
        }, SCROLL_MS),
      );
      received.counting = false;
      const seconds = SCROLL_MS / 1000;

      const report = [
        '<!-- bench:ui start -->',
        '## The window under load (`npm run bench:ui`)',
        '',
        `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores (shared), Chromium headless, 1280x800.`,
        `${FILES.toLocaleString('en-US')} files of 16 KiB queued as one folder, uploading to a local Ceph RGW while measured.`,
        '',
        '| Measure | Value |',
        '| --- | --- |',
        `| Cold load: first row shown | ${firstRowMs} ms |`,
        `| Scrolling ${FILES.toLocaleString('en-US')} rows for ${SCROLL_MS / 1000} s: long tasks (> 50 ms) | ${figures.longTasks} |`,
        `| Worst long task | ${figures.worstMs} ms |`,
        `| Time in long tasks | ${figures.totalMs} ms |`,
        `| Frames | ${figures.frames} (${figures.fps} fps) |`,
        `| Host to page while scrolling | ${Math.round(received.messages / seconds)} messages/s, ${Math.round(received.bytes / seconds / 1024)} KiB/s |`,
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
      await browser.close();
      serve.kill('SIGINT');
    }
  } finally {
    await rgw.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
