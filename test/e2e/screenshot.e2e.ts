// The README's picture of the window: uploads in several states at once, a folder group and a row
// retrying against an endpoint that went away (issue #13). Kept as a test artifact on every run;
// FERRY_UPDATE_SCREENSHOTS=1 also writes docs/window.png.
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { addFromDisk, expect, ferryCli, seriousViolations, test, testClient } from './fixtures.ts';
import { dropFiles } from './page-files.ts';
import { startProxy } from '../harness/proxy.ts';
import { tempDir } from '../harness/tempDirs.ts';

const MiB = 1024 * 1024;

test('the window with uploads in several states', async ({ app, ferry }, testInfo) => {
  test.setTimeout(480_000);
  // throughput on a loaded machine (eight test suites on two cores) can stall for a minute
  const slow = { timeout: 120_000 };
  await app.setViewportSize({ width: 1280, height: 720 });
  const client = testClient(ferry.s3);
  // a second endpoint behind its own network, which the test takes down later: its upload retries
  const archive = await startProxy(ferry.s3.endpoint);
  ferryCli(
    ferry.dataDir,
    [
      'endpoint',
      'add',
      'Archive NAS',
      '--url',
      archive.endpoint,
      '--region',
      ferry.s3.region,
      '--path-style',
      '--checksums',
      'when-required',
      '--access-key-id',
      ferry.s3.accessKeyId,
      '--secret-stdin',
    ],
    ferry.s3.secretAccessKey,
  );
  // secrets under a passphrase, as a keychain would keep them: the picture shows no warning about
  // the key-file fallback that a machine without a keychain gets (the restarted host reads the env)
  process.env.FERRY_PASSPHRASE = 'screenshot passphrase';
  try {
    await app.goto(await ferry.restart());
  } finally {
    delete process.env.FERRY_PASSPHRASE;
  }
  const endpoint = app.getByRole('combobox', { name: 'Endpoint' });
  await endpoint.selectOption({ label: 'Test RGW' });
  await app.getByRole('combobox', { name: 'Bucket' }).fill(ferry.bucket);
  await app.getByRole('textbox', { name: 'Prefix' }).fill('footage/2026/');
  await dropFiles(app, [
    { name: 'interview-cam-a.mov', size: 12 * MiB, seed: 21 },
    { name: 'edit-decision-list.xml', size: 300 * 1024, seed: 22 },
  ]);
  await expect(app.getByRole('row', { name: 'interview-cam-a.mov' }).getByText('Completed', { exact: true })).toBeVisible();

  // an uplink of 24 MiB/s: the next uploads are still running when the test pauses one and takes the
  // picture, however fast the machine (unthrottled, an 80 MiB file once finished before Pause landed)
  ferry.network.limit(24 * MiB);
  await dropFiles(app, [{ name: 'b-roll-city-night.mp4', size: 180 * MiB, seed: 23 }]);
  const paused = app.getByRole('row', { name: 'b-roll-city-night.mp4' });
  await expect(paused.getByText('Uploading', { exact: true })).toBeVisible();
  await expect(paused).toContainText(/[1-9][\d.]* MiB of 180 MiB/, slow);
  await paused.getByRole('button', { name: 'Pause' }).click();
  await expect(paused.getByText('Paused', { exact: true })).toBeVisible();

  await client.send(
    new PutBucketPolicyCommand({
      Bucket: ferry.bucket,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: ['s3:PutObject'],
            Resource: [`arn:aws:s3:::${ferry.bucket}/footage/2026/restricted/*`],
          },
        ],
      }),
    }),
  );
  await app.getByRole('textbox', { name: 'Prefix' }).fill('footage/2026/restricted/');
  await dropFiles(app, [{ name: 'contract-scan.pdf', size: 2 * MiB, seed: 24 }]);
  await expect(app.getByRole('row', { name: 'contract-scan.pdf' }).getByText('Failed', { exact: true })).toBeVisible();

  await app.getByRole('textbox', { name: 'Prefix' }).fill('footage/2026/');
  await dropFiles(app, [{ name: 'drone-pass-04.mov', size: 200 * MiB, seed: 25 }]);
  const uploading = app.getByRole('row', { name: 'drone-pass-04.mov' });
  await expect(uploading.getByText('Uploading', { exact: true })).toBeVisible();
  await expect(uploading.getByRole('cell').nth(3)).toContainText(/\d/, slow); // a speed is shown

  // the archive's server goes away mid-upload: the row says it retries, and when
  archive.limit(8 * MiB);
  await endpoint.selectOption({ label: 'Archive NAS' });
  await app.getByRole('combobox', { name: 'Bucket' }).fill(ferry.bucket);
  await app.getByRole('textbox', { name: 'Prefix' }).fill('masters/');
  await dropFiles(app, [{ name: 'master-final.mov', size: 64 * MiB, seed: 26 }]);
  const retrying = app.getByRole('row', { name: 'master-final.mov' });
  await expect(retrying).toContainText(/[1-9][\d.]* MiB of 64\.0 MiB/, slow);
  await archive.down();
  await expect(retrying).toContainText(/Retrying (in \d+ s|now): cannot reach the endpoint/);

  // back to the first endpoint: its bucket and prefix come back by themselves
  await endpoint.selectOption({ label: 'Test RGW' });
  await expect(app.getByRole('textbox', { name: 'Prefix' })).toHaveValue('footage/2026/');

  // a dropped folder is one group row: the host-disk browser adds a folder of 40 small files
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const parent = tempDir('shot');
  mkdirSync(join(parent, 'set-photos', 'day-2'), { recursive: true });
  for (let i = 0; i < 40; i++)
    writeFileSync(join(parent, 'set-photos', i % 2 ? 'day-2' : '', `IMG_${4100 + i}.jpg`), Buffer.alloc(256 * 1024 + i, i));
  await addFromDisk(app, parent, 'set-photos');
  await expect(app.getByRole('row', { name: 'set-photos', exact: true })).toContainText(/\d+ of 40 files/);

  await expect(retrying).toContainText(/Retrying (in \d+ s|now)/);
  // the retry is read whole in its row: countdown, reason and attempt, nothing cut off
  const retryNote = retrying.locator('.job-detail.retrying');
  await expect(retryNote).toContainText(/^Retrying (in \d+ s|now): cannot reach the endpoint \(attempt \d+\)$/);
  expect(await retryNote.evaluate((element) => element.scrollWidth <= element.clientWidth + 1)).toBe(true);
  await expect(app.getByText('Secrets are not well protected')).toHaveCount(0);
  await app.mouse.move(640, 700); // no hover state in the picture
  const shot = await app.screenshot();
  await testInfo.attach('window', { body: shot, contentType: 'image/png' });
  if (process.env.FERRY_UPDATE_SCREENSHOTS === '1') {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(new URL('../../docs/window.png', import.meta.url), shot);
  }

  // axe with every state of the picture on screen (a group, paused, failed, completed, retrying), in
  // the light theme and then the dark one, the Settings dialog included
  expect(await seriousViolations(app), 'the states of the picture, light').toEqual([]);
  await app.getByRole('button', { name: 'Settings' }).click();
  const settings = app.getByRole('dialog', { name: 'Settings' });
  await settings.getByRole('radio', { name: 'Dark' }).check();
  await expect(app.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await seriousViolations(app), 'Settings, dark').toEqual([]);
  await app.keyboard.press('Escape');
  await expect(settings).toHaveCount(0);
  expect(await seriousViolations(app), 'the states of the picture, dark').toEqual([]);
  client.destroy();
  await archive.close();
});
