// Playwright fixtures: every test gets its own data directory, its own bucket, and its own
// `ferry serve` (the real CLI, as a user starts it), and a page opened at the URL it printed.
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestS3 } from '../harness/s3env.ts';
import { endpointAddArgs } from '../harness/endpointArgs.ts';
import { createTestBucket, testClient } from '../harness/s3.ts';
import { startProxy, type FreezableProxy } from '../harness/proxy.ts';
import { removeTempDirs, tempDir } from '../harness/tempDirs.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FERRY = join(ROOT, 'bin/ferry.js');

export function testS3(): TestS3 {
  return {
    endpoint: process.env.FERRY_TEST_S3_ENDPOINT!,
    region: process.env.FERRY_TEST_S3_REGION ?? 'us-east-1',
    accessKeyId: process.env.FERRY_TEST_S3_ACCESS_KEY_ID!,
    secretAccessKey: process.env.FERRY_TEST_S3_SECRET_ACCESS_KEY!,
    forcePathStyle: process.env.FERRY_TEST_S3_VIRTUAL_HOSTED !== '1',
  };
}

/** Runs the ferry CLI synchronously (setup steps); throws with its stderr if it fails. */
export function ferryCli(dataDir: string, args: string[], input?: string): string {
  const result = spawnSync(process.execPath, [FERRY, '--data-dir', dataDir, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, FERRY_DATA_DIR: '' },
  });
  if (result.status !== 0) throw new Error(`ferry ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

function addEndpointWithCli(dataDir: string, s3: TestS3, name: string): void {
  ferryCli(dataDir, endpointAddArgs(name, s3), s3.secretAccessKey);
}

export interface Ferry {
  dataDir: string;
  url: string;
  bucket: string;
  s3: TestS3;
  /**
   * The network between Ferry and the test server: the endpoint "Test RGW" goes through this proxy,
   * so a test can slow the uplink (an upload then lasts long enough to pause it on any machine) or freeze it.
   */
  network: FreezableProxy;
  /** Adds the test server as an endpoint named `name` (through the CLI, before or while serving). */
  addEndpoint(name?: string): void;
  /** Stops `ferry serve` as Ctrl-C does and starts it again on the same data directory; returns the new URL. */
  restart(): Promise<string>;
  /** Presses Enter in `ferry serve`'s terminal and returns the new link it prints (each link opens one window). */
  newLink(): Promise<string>;
}

interface Served {
  child: ChildProcess;
  url: string;
  newLink(): Promise<string>;
}

async function startServe(dataDir: string): Promise<Served> {
  const child = spawn(process.execPath, [FERRY, '--data-dir', dataDir, 'serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const newLinks: ((url: string) => void)[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(line);
      if (match) resolve(match[1]!);
      const fresh = /^New link .*: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(line);
      if (fresh) newLinks.shift()?.(fresh[1]!);
    });
    child.once('exit', (code) => reject(new Error(`ferry serve exited (${code}): ${stderr}`)));
  });
  return {
    child,
    url,
    newLink() {
      const next = new Promise<string>((resolve) => newLinks.push(resolve));
      child.stdin!.write('\n');
      return next;
    },
  };
}

async function stopServe(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
}

export const test = base.extend<{ ferry: Ferry; app: Page; withEndpoint: boolean }, { tempDirs: void }>({
  /** The temporary directories this worker's tests made (tempDir), removed when the worker ends. */
  tempDirs: [
    // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a function asks for from its first parameter
    async ({}, use) => {
      await use();
      removeTempDirs();
    },
    { scope: 'worker', auto: true },
  ],
  /** Whether the data directory starts with the test server as endpoint "Test RGW" (false: first run). */
  withEndpoint: [true, { option: true }],
  ferry: async ({ withEndpoint }, use, testInfo) => {
    const dataDir = tempDir('e2e');
    const s3 = testS3();
    const bucket = await createTestBucket(s3, testInfo.title.slice(0, 30));
    const network = await startProxy(s3.endpoint);
    const viaNetwork: TestS3 = { ...s3, endpoint: network.endpoint };
    if (withEndpoint) addEndpointWithCli(dataDir, viaNetwork, 'Test RGW');
    let served = await startServe(dataDir);
    const ferry: Ferry = {
      dataDir,
      url: served.url,
      bucket,
      s3,
      network,
      addEndpoint(name = 'Test RGW') {
        addEndpointWithCli(dataDir, viaNetwork, name);
      },
      async restart() {
        await stopServe(served.child);
        served = await startServe(dataDir);
        ferry.url = served.url;
        return served.url;
      },
      newLink() {
        return served.newLink();
      },
    };
    await use(ferry);
    await stopServe(served.child);
    await network.close();
  },
  app: async ({ page, ferry }, use) => {
    await page.goto(ferry.url);
    await use(page);
  },
});

export { expect };
export { testClient };

/** The destination bar: the endpoint the window chose, the test's bucket and `prefix`. */
export async function chooseDestination(app: Page, ferry: Ferry, prefix = 'e2e/'): Promise<void> {
  await expect(app.getByRole('combobox', { name: 'Endpoint' })).toHaveValue(/.+/);
  await app.getByRole('combobox', { name: 'Bucket' }).fill(ferry.bucket);
  await app.getByRole('textbox', { name: 'Prefix' }).fill(prefix);
  await app.getByRole('textbox', { name: 'Prefix' }).blur();
}

/** "Add files…", a typed folder path, one item (a file or a folder) ticked, Add. */
export async function addFromDisk(app: Page, folder: string, name: string): Promise<void> {
  await app.getByRole('toolbar').getByRole('button', { name: 'Add files…' }).click();
  const dialog = app.getByRole('dialog', { name: 'Add files' });
  // the starting folder first: typed while it loads, the path would be re-rendered under the typing
  // (seen in CI on a loaded machine: "/root" + the typed path)
  await expect(dialog.getByRole('textbox', { name: 'Folder path' })).toHaveValue(/^\//);
  await dialog.getByRole('textbox', { name: 'Folder path' }).fill(folder);
  await dialog.getByRole('textbox', { name: 'Folder path' }).press('Enter');
  await dialog.getByRole('checkbox', { name: `Select ${name}` }).check();
  await dialog.getByRole('button', { name: 'Add 1 item' }).click();
}

/** axe-core's violations of impact serious or critical on the page as it is, one line each (issue #13). */
export async function seriousViolations(app: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page: app }).analyze();
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}

/**
 * The test's bucket refuses writes (PutObject) under `prefix` ('' for all of it) to anyone: an upload
 * there fails with "access denied", while listing still works (the destination's check passes).
 */
export async function denyWrites(ferry: Ferry, prefix: string): Promise<void> {
  const client = testClient(ferry.s3);
  try {
    await client.send(
      new PutBucketPolicyCommand({
        Bucket: ferry.bucket,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: '*', Action: ['s3:PutObject'], Resource: [`arn:aws:s3:::${ferry.bucket}/${prefix}*`] }],
        }),
      }),
    );
  } finally {
    client.destroy();
  }
}
