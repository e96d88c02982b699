// Issue #13's settings and smaller window things, end to end: Chromium against `ferry serve` and
// the real Ceph RGW. Transfer settings that apply to the next uploads, a browser notification when
// a batch finishes (the page's Notification API stubbed: the browser's, not S3's), the destination
// remembered per endpoint across sessions, the orphans panel looking where the bar points, Ceph RGW
// named as such, the endpoint tested again after a new secret, and a warning for an unlisted bucket.
// Waits for what the window shows, never for time.
import type { Page } from '@playwright/test';
import { addFromDisk, chooseDestination, expect, ferryCli, test, testClient } from './fixtures.ts';
import { dropFiles } from './page-files.ts';
import { endpointAddArgs } from '../harness/endpointArgs.ts';
import { startFaultProxy } from '../harness/faultProxy.ts';
import { headEtag, makeFile, objectSha256 } from '../harness/s3.ts';
import { tempDir } from '../harness/tempDirs.ts';

const MiB = 1024 * 1024;

async function openSettings(app: Page) {
  await app.getByRole('button', { name: 'Settings' }).click();
  return app.getByRole('dialog', { name: 'Settings' });
}

/** Types `value` into a settings field and leaves it (a field is saved when left). */
async function setField(dialog: ReturnType<Page['getByRole']>, name: RegExp, value: string): Promise<void> {
  const field = dialog.getByRole(/Part size/.test(String(name)) ? 'textbox' : 'spinbutton', { name });
  await field.fill(value);
  await field.blur();
}

test('files at once and part size apply to the next uploads and stay after a restart', async ({ app, ferry }) => {
  let dialog = await openSettings(app);
  await setField(dialog, /^Files at once/, '1');
  await setField(dialog, /^Parts per file/, '2');
  await setField(dialog, /^Part size/, '5MiB');
  await dialog.getByRole('button', { name: 'Done' }).click();

  // a slow uplink: the three files are still going when the window is looked at
  ferry.network.limit(1 * MiB); // 12 s a file: on a loaded machine too
  await chooseDestination(app, ferry);
  await dropFiles(app, [
    { name: 'one.bin', size: 12 * MiB, seed: 1 },
    { name: 'two.bin', size: 12 * MiB, seed: 2 },
    { name: 'three.bin', size: 12 * MiB, seed: 3 },
  ]);
  const group = app.getByRole('row', { name: /one\.bin and 2 more/ });
  await group.getByRole('button', { name: /Show the files of/ }).click();
  const rows = ['one.bin', 'two.bin', 'three.bin'].map((name) => app.getByRole('row', { name, exact: true }));
  await expect(rows[0]!.getByText('Uploading', { exact: true })).toBeVisible();
  await expect(rows[0]!).toContainText(/[\d.]+ MiB of 12.0 MiB/);
  // one file at a time: the others wait
  await expect(rows[1]!.getByText('Queued', { exact: true })).toBeVisible();
  await expect(rows[2]!.getByText('Queued', { exact: true })).toBeVisible();
  ferry.network.limit(null);
  for (const row of rows) await expect(row.getByText('Completed', { exact: true })).toBeVisible();
  // 12 MiB in parts of 5 MiB: three parts (the automatic 16 MiB would have sent it in one request)
  const client = testClient(ferry.s3);
  expect(await headEtag(client, ferry.bucket, 'e2e/two.bin')).toMatch(/-3"?$/);
  client.destroy();

  // the settings are the engine's: a new session of `ferry serve` shows them
  await app.goto(await ferry.restart());
  dialog = await openSettings(app);
  await expect(dialog.getByRole('spinbutton', { name: /^Files at once/ })).toHaveValue('1');
  await expect(dialog.getByRole('spinbutton', { name: /^Parts per file/ })).toHaveValue('2');
  await expect(dialog.getByRole('textbox', { name: /^Part size/ })).toHaveValue('5MiB');
  await setField(dialog, /^Files at once/, '99');
  await expect(dialog.getByText('A whole number from 1 to 32.')).toBeVisible();
});

test('parts per file 1: the server never has two parts of the file in flight at once', async ({ app, ferry }) => {
  // an endpoint behind a recording proxy (then the test's slow uplink): each part request is seen
  // from its arrival until the server's whole answer, which the proxy holds until then
  const recorder = await startFaultProxy(ferry.network.endpoint);
  try {
    let inFlight = 0;
    let most = 0;
    const parts: number[] = [];
    recorder.onRequest = (request) => {
      if (request.kind !== 'UploadPart') return;
      parts.push(request.partNumber!);
      most = Math.max(most, ++inFlight);
    };
    recorder.onAnswer = (record) => {
      if (record.kind === 'UploadPart') inFlight -= 1;
    };
    ferryCli(ferry.dataDir, endpointAddArgs('Recorded RGW', ferry.s3, { url: recorder.endpoint }), ferry.s3.secretAccessKey);
    await app.goto(await ferry.restart());

    const dialog = await openSettings(app);
    await setField(dialog, /^Parts per file/, '1');
    await setField(dialog, /^Part size/, '5MiB');
    await expect(dialog.getByRole('spinbutton', { name: /^Parts per file/ })).toHaveValue('1');
    await dialog.getByRole('button', { name: 'Done' }).click();

    // 40 MiB in parts of 5 MiB: eight parts, over an uplink slow enough (8 MiB/s) that parts sent
    // side by side would overlap whatever the machine
    const folder = tempDir('e2e-parts');
    const file = await makeFile(folder, 'one-part-at-a-time.bin', 40 * MiB, 9);
    ferry.network.limit(8 * MiB);
    await app.getByRole('combobox', { name: 'Endpoint' }).selectOption({ label: 'Recorded RGW' });
    await chooseDestination(app, ferry);
    await addFromDisk(app, folder, 'one-part-at-a-time.bin');
    const row = app.getByRole('row', { name: 'one-part-at-a-time.bin', exact: true });
    await expect(row.getByText('Completed', { exact: true })).toBeVisible({ timeout: 120_000 });

    expect([...new Set(parts)].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(most, 'part requests in flight at once').toBe(1);
    const client = testClient(ferry.s3);
    expect(await headEtag(client, ferry.bucket, 'e2e/one-part-at-a-time.bin')).toMatch(/-8$/);
    expect(await objectSha256(client, ferry.bucket, 'e2e/one-part-at-a-time.bin')).toBe(file.sha256);
    client.destroy();
  } finally {
    await recorder.close();
  }
});

test('the browser asks for permission on the click, and a finished batch is notified', async ({ app, ferry }) => {
  // the page's Notification API, stubbed before the window's script runs: it records what is shown
  await app.addInitScript(() => {
    const shown: { title: string; body: string }[] = [];
    let permission: NotificationPermission = 'default';
    class FakeNotification {
      static get permission() {
        return permission;
      }
      static async requestPermission() {
        permission = 'granted';
        (window as unknown as { permissionAsked: boolean }).permissionAsked = true;
        return permission;
      }
      onclick: (() => void) | null = null;
      constructor(title: string, options?: NotificationOptions) {
        shown.push({ title, body: options?.body ?? '' });
      }
    }
    Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true });
    (window as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
  });
  await app.goto(await ferry.newLink());
  const dialog = await openSettings(app);
  const box = dialog.getByRole('checkbox', { name: /Notify me when uploads finish/ });
  await expect(box).not.toBeChecked();
  await box.check();
  await expect(box).toBeChecked();
  expect(await app.evaluate(() => (window as unknown as { permissionAsked?: boolean }).permissionAsked)).toBe(true);
  await dialog.getByRole('button', { name: 'Done' }).click();

  await chooseDestination(app, ferry);
  await dropFiles(app, [
    { name: 'report.pdf', size: 300 * 1024, seed: 4 },
    { name: 'slides.key', size: 2 * MiB, seed: 5 },
  ]);
  await expect(app.getByRole('row', { name: /report\.pdf and 1 more/ })).toContainText('2 of 2 files');
  await expect
    .poll(() => app.evaluate(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications))
    .toEqual([{ title: 'Uploads finished', body: '2 files (2.29 MiB) uploaded.' }]);
});

test('the last destination of each endpoint comes back in a new session and when its endpoint is chosen', async ({ app, ferry }) => {
  await chooseDestination(app, ferry, 'holidays/2026/');
  // a second endpoint, and a new session (a new port: the page's own storage is empty there)
  ferry.addEndpoint('Second RGW');
  await app.goto(await ferry.restart());
  const bar = app.getByRole('group', { name: 'Destination' });
  await expect(bar.getByRole('combobox', { name: 'Endpoint' })).toHaveValue(/.+/);
  await expect(bar.getByRole('combobox', { name: 'Endpoint' }).locator('option:checked')).toHaveText('Test RGW');
  await expect(bar.getByRole('combobox', { name: 'Bucket' })).toHaveValue(ferry.bucket);
  await expect(bar.getByRole('textbox', { name: 'Prefix' })).toHaveValue('holidays/2026/');

  await bar.getByRole('combobox', { name: 'Endpoint' }).selectOption({ label: 'Second RGW' });
  await expect(bar.getByRole('combobox', { name: 'Bucket' })).toHaveValue('');
  await bar.getByRole('combobox', { name: 'Bucket' }).fill(ferry.bucket);
  await bar.getByRole('textbox', { name: 'Prefix' }).fill('other/');
  await bar.getByRole('textbox', { name: 'Prefix' }).blur();
  await bar.getByRole('combobox', { name: 'Endpoint' }).selectOption({ label: 'Test RGW' });
  await expect(bar.getByRole('textbox', { name: 'Prefix' })).toHaveValue('holidays/2026/');

  await app.goto(await ferry.restart());
  await expect(bar.getByRole('combobox', { name: 'Endpoint' }).locator('option:checked')).toHaveText('Test RGW');
  await bar.getByRole('combobox', { name: 'Endpoint' }).selectOption({ label: 'Second RGW' });
  await expect(bar.getByRole('textbox', { name: 'Prefix' })).toHaveValue('other/');
});

test('the orphans panel looks in the bucket of the destination bar; an unlisted bucket is warned about', async ({ app, ferry }) => {
  await chooseDestination(app, ferry);
  const bar = app.getByRole('group', { name: 'Destination' });
  await expect(bar.getByRole('status')).toHaveCount(0);
  await app.getByRole('button', { name: 'Orphaned uploads' }).click();
  const dialog = app.getByRole('dialog', { name: 'Orphaned uploads' });
  await expect(dialog.getByLabel('Bucket')).toHaveValue(ferry.bucket);
  await dialog.getByRole('button', { name: 'List' }).click();
  await expect(dialog.getByText(`No incomplete uploads in s3://${ferry.bucket}/`)).toBeVisible();
  await app.keyboard.press('Escape');

  await bar.getByRole('combobox', { name: 'Bucket' }).fill('no-such-bucket-here');
  await bar.getByRole('combobox', { name: 'Bucket' }).blur();
  await expect(bar.getByRole('status')).toContainText('“no-such-bucket-here” is not among this endpoint’s buckets');
});

test('a Ceph RGW endpoint is named so, and a new secret is tested at once', async ({ app, ferry }) => {
  await app.getByRole('button', { name: 'Endpoints' }).click();
  const dialog = app.getByRole('dialog', { name: 'Endpoints' });
  const list = dialog.getByRole('navigation', { name: 'Endpoint list' });
  // added from the command line, never tested: the host asked it in the background
  await expect(list.getByRole('button', { name: /Test RGW/ })).toContainText('Ceph RGW');
  await expect(dialog.getByText('S3-compatible')).toHaveCount(0);

  await dialog.getByRole('button', { name: 'Edit' }).click();
  let form = dialog.getByRole('form', { name: 'Edit Test RGW' });
  await form.getByLabel('Secret access key').fill('not-the-right-secret-0000000000000000000');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog.getByText('The test failed.')).toBeVisible();

  await dialog.getByRole('button', { name: 'Edit' }).click();
  form = dialog.getByRole('form', { name: 'Edit Test RGW' });
  await form.getByLabel('Secret access key').fill(ferry.s3.secretAccessKey);
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect(dialog.getByText('Connected')).toBeVisible();
});
