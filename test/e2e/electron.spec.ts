// The desktop app end to end: the real Electron binary runs the built app (dist/) on a fresh data
// directory against a real S3 server. Skipped, with the reason, where no Electron binary is installed.
//
// An upload is made to stall deterministically with a freezable TCP proxy between Ferry and the
// server (test/harness/proxy.ts): while frozen, the job stays 'uploading' with no bytes moving.
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { locateElectron } from '../../scripts/electronBinary.ts';
import { endpointAddArgs } from '../harness/endpointArgs.ts';
import { startProxy, type FreezableProxy } from '../harness/proxy.ts';
import { startRgw, type RgwServer } from '../harness/rgw.ts';
import { createTestBucket, makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { ferryCli, testS3 } from './fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const binary = locateElectron(ROOT);
// Chromium refuses to run as root with its process sandbox (CI containers); the page's sandbox
// (webPreferences.sandbox) is what the app sets, and the unit tests hold it.
const CHROMIUM_ARGS = process.getuid?.() === 0 ? ['--no-sandbox'] : [];

test.skip(
  !binary.installed,
  `No Electron ${binary.version} binary at ${binary.path} (Electron >= 42 downloads it on first use): run \`npx install-electron\` with network access.`,
);
test.describe.configure({ mode: 'serial' });

let rgw: RgwServer | null = null;
test.beforeAll(async () => {
  if (process.env.FERRY_TEST_S3_ENDPOINT) return;
  rgw = await startRgw();
  Object.assign(process.env, {
    FERRY_TEST_S3_ENDPOINT: rgw.endpoint,
    FERRY_TEST_S3_ACCESS_KEY_ID: rgw.accessKeyId,
    FERRY_TEST_S3_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    FERRY_TEST_S3_REGION: rgw.region,
  });
});
test.afterAll(async () => {
  await rgw?.stop();
});

interface Desktop {
  dataDir: string;
  files: string;
  bucket: string;
  proxy: FreezableProxy;
  launch(): Promise<{ app: ElectronApplication; page: Page }>;
}

/** A fresh data directory with the test server (behind a proxy) as endpoint "Test RGW", and a bucket. */
async function desktop(title: string): Promise<Desktop> {
  const s3 = testS3();
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-electron-'));
  const files = mkdtempSync(join(tmpdir(), 'ferry-electron-files-'));
  const bucket = await createTestBucket(s3, title.slice(0, 24));
  const proxy = await startProxy(s3.endpoint);
  ferryCli(dataDir, endpointAddArgs('Test RGW', s3, { url: proxy.endpoint }), s3.secretAccessKey);
  return {
    dataDir,
    files,
    bucket,
    proxy,
    async launch() {
      const app = await electron.launch({
        executablePath: binary.path,
        args: [ROOT, ...CHROMIUM_ARGS],
        cwd: ROOT,
        env: { ...process.env, FERRY_DATA_DIR: dataDir },
      });
      const page = await app.firstWindow();
      await expect(page).toHaveTitle(/Ferry/);
      return { app, page };
    },
  };
}

async function chooseDestination(page: Page, bucket: string): Promise<void> {
  await page.getByLabel('Endpoint').selectOption({ label: 'Test RGW' });
  await page.getByLabel('Bucket').fill(bucket);
  await page.getByLabel('Bucket').blur();
}

/** Drops files on the window as a file manager does: real files (from a file input), so that they have paths. */
async function dropFiles(page: Page, paths: string[]): Promise<void> {
  const input = await page.evaluateHandle(() => {
    const element = document.createElement('input');
    element.type = 'file';
    element.multiple = true;
    element.style.display = 'none';
    document.body.append(element);
    return element;
  });
  await input.setInputFiles(paths);
  await page.evaluate((element) => {
    const transfer = new DataTransfer();
    for (const file of Array.from(element.files ?? [])) transfer.items.add(file);
    const zone = document.querySelector('.drop-zone') ?? document.body;
    for (const type of ['dragenter', 'dragover', 'drop'])
      zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
    element.remove();
  }, input);
}

const row = (page: Page, name: string) => page.locator(`[role="row"][aria-label="${name}"]`);

test('the window is locked down and talks to main only through window.ferry', async () => {
  const { launch } = await desktop('locked down');
  const { app, page } = await launch();
  try {
    // the window's options are held by test/unit/electron/window.test.ts; here, what the page can reach
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    expect(page.url()).toBe('app://ferry/index.html');
    const seen = await page.evaluate(() => ({
      node: typeof (globalThis as { require?: unknown }).require + typeof (globalThis as { process?: unknown }).process,
      api: Object.keys(window.ferry ?? {}).sort(),
      ipc: typeof (window as { ipcRenderer?: unknown }).ipcRenderer,
      desktop: Object.keys(window.ferryDesktop ?? {}),
    }));
    expect(seen.node).toBe('undefinedundefined');
    expect(seen.ipc).toBe('undefined');
    expect(seen.api).toContain('addPaths');
    expect(seen.api).toContain('on');
    expect(seen.desktop).toEqual(['getPathForFile']);
    const snapshot = await page.evaluate(() => window.ferry!.snapshot({}));
    expect(snapshot).toMatchObject({ ok: true, value: { host: { kind: 'electron', canReadPaths: true } } });
    // main refuses the navigation: no frame navigates, the page stays
    const navigated = page.waitForEvent('framenavigated', { timeout: 3000 }).then(
      () => true,
      () => false,
    );
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    expect(await navigated).toBe(false);
    expect(page.url()).toBe('app://ferry/index.html');
  } finally {
    await app.close();
  }
});

test('a dropped file uploads; pause holds it; quitting mid-upload and relaunching resumes it to completion', async () => {
  const setup = await desktop('drop pause quit resume');
  const file = await makeFile(setup.files, 'big.bin', 256 * 1024 * 1024);
  let { app, page } = await setup.launch();
  try {
    await chooseDestination(page, setup.bucket);
    await dropFiles(page, [file.path]);
    const job = row(page, 'big.bin');
    await expect(job).toHaveAttribute('data-state', 'uploading');
    setup.proxy.freeze();

    await job.getByRole('button', { name: 'Pause' }).click();
    await expect(job).toHaveAttribute('data-state', 'paused');
    await job.getByRole('button', { name: 'Resume' }).click();
    await expect(job).toHaveAttribute('data-state', 'uploading');

    // quit while it uploads: main holds the quit until the engine has stopped and the store is written
    await app.close();
    setup.proxy.thaw();

    ({ app, page } = await setup.launch());
    const resumed = row(page, 'big.bin');
    await expect(resumed).toHaveAttribute('data-state', 'completed', { timeout: 120_000 });
  } finally {
    await app.close();
    await setup.proxy.close();
  }
  const client = testClient(testS3());
  try {
    const head = await client.send(new HeadObjectCommand({ Bucket: setup.bucket, Key: 'big.bin' }));
    expect(head.ContentLength).toBe(256 * 1024 * 1024);
    expect(await objectSha256(client, setup.bucket, 'big.bin')).toBe(file.sha256);
  } finally {
    client.destroy();
    rmSync(setup.files, { recursive: true, force: true });
  }
});

test('a second launch with files hands them to the running window', async () => {
  const setup = await desktop('second launch');
  const file = await makeFile(setup.files, 'handed.txt', 1024);
  const { app, page } = await setup.launch();
  try {
    await chooseDestination(page, setup.bucket);
    const second = spawn(binary.path, [ROOT, ...CHROMIUM_ARGS, file.path], {
      cwd: ROOT,
      env: { ...process.env, FERRY_DATA_DIR: setup.dataDir },
      stdio: 'ignore',
    });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(0);
    await expect(row(page, 'handed.txt')).toHaveAttribute('data-state', 'completed');
  } finally {
    await app.close();
    await setup.proxy.close();
    rmSync(setup.files, { recursive: true, force: true });
  }
});
