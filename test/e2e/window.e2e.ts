// The window, end to end: Chromium drives the real UI served by `ferry serve`, uploading to a real
// RGW. Tests wait for what the window shows (roles, names, words), never for time to pass.
import { DeleteBucketPolicyCommand } from '@aws-sdk/client-s3';
import { chooseDestination, denyWrites, expect, test, testClient } from './fixtures.ts';
import { dropFiles, sha256Of, type PageFile } from './page-files.ts';
import { listUploads, objectSha256 } from '../harness/s3.ts';
import type { Page } from '@playwright/test';

const MiB = 1024 * 1024;

function row(app: Page, name: string) {
  return app.getByRole('row', { name, exact: true });
}

test('a dropped file uploads; pause and resume continue it; the object is intact', async ({ app, ferry }) => {
  await chooseDestination(app, ferry);
  const file: PageFile = { name: 'big-drop.bin', size: 96 * MiB, seed: 11 };
  ferry.network.limit(8 * MiB); // a slow uplink: the upload lasts about 12 s, whatever the machine
  await dropFiles(app, [file]);

  const job = row(app, file.name);
  await expect(job.getByText('Uploading', { exact: true })).toBeVisible();
  await expect(job).toContainText(/[1-9][\d.]* MiB of 96.0 MiB/);
  await job.getByRole('button', { name: 'Pause' }).click();
  await expect(job.getByText('Paused', { exact: true })).toBeVisible();
  await expect(job.getByRole('button', { name: 'Resume' })).toBeVisible();
  const client = testClient(ferry.s3);
  expect(await listUploads(client, ferry.bucket, 'e2e/')).toHaveLength(1); // pause keeps the upload

  ferry.network.limit(null);
  await job.getByRole('button', { name: 'Resume' }).click();
  await expect(job.getByText('Completed', { exact: true })).toBeVisible({ timeout: 120_000 });
  expect(await objectSha256(client, ferry.bucket, `e2e/${file.name}`)).toBe(sha256Of(file));
  expect(await listUploads(client, ferry.bucket, 'e2e/')).toEqual([]);
  client.destroy();
});

test('a failing upload says why in words, and Retry works once the cause is fixed', async ({ app, ferry }) => {
  const client = testClient(ferry.s3);
  // the bucket refuses writes (listing still works, so the destination check passes)
  await denyWrites(ferry, '');
  await chooseDestination(app, ferry);
  const file: PageFile = { name: 'denied.bin', size: 3 * MiB, seed: 12 };
  await dropFiles(app, [file]);

  const job = row(app, file.name);
  await expect(job.getByText('Failed', { exact: true })).toBeVisible();
  await expect(job).toContainText('Access denied');
  await expect(app.getByRole('tab', { name: /Failed/ })).toContainText('1');

  await client.send(new DeleteBucketPolicyCommand({ Bucket: ferry.bucket }));
  await job.getByRole('button', { name: 'Retry' }).click();
  await expect(job.getByText('Completed', { exact: true })).toBeVisible();
  expect(await objectSha256(client, ferry.bucket, `e2e/${file.name}`)).toBe(sha256Of(file));
  client.destroy();
});

test('abort asks first, then leaves nothing on the server', async ({ app, ferry }) => {
  await chooseDestination(app, ferry);
  const file: PageFile = { name: 'to-abort.bin', size: 64 * MiB, seed: 13 };
  ferry.network.limit(8 * MiB);
  await dropFiles(app, [file]);
  const job = row(app, file.name);
  await expect(job.getByText('Uploading', { exact: true })).toBeVisible();
  await job.getByRole('button', { name: 'Pause' }).click();
  await expect(job.getByText('Paused', { exact: true })).toBeVisible();

  await job.getByRole('button', { name: 'Abort' }).click();
  const dialog = app.getByRole('alertdialog', { name: `Abort ${file.name}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Abort upload' }).click();
  await expect(job.getByText('Aborted', { exact: true })).toBeVisible();
  const client = testClient(ferry.s3);
  expect(await listUploads(client, ferry.bucket, 'e2e/')).toEqual([]);
  client.destroy();
});

test.describe('first run', () => {
  test.use({ withEndpoint: false });

  test('the window says to add an endpoint; adding and testing one works; the secret never comes back', async ({ app, ferry }) => {
    await expect(app.getByRole('heading', { name: 'Welcome to Ferry' })).toBeVisible();
    await app.getByRole('button', { name: 'Add endpoint' }).click();
    const form = app.getByRole('form', { name: 'New endpoint' });
    await form.getByLabel('Provider').selectOption({ label: 'Ceph RGW' });
    await form.getByLabel('Name', { exact: true }).fill('Lab RGW');
    await form.getByLabel('URL').fill(ferry.s3.endpoint);
    await form.getByLabel('Access key ID').fill(ferry.s3.accessKeyId);
    await form.getByLabel('Secret access key').fill(ferry.s3.secretAccessKey);
    await form.getByRole('button', { name: 'Add endpoint' }).click();

    await expect(app.getByText('Connected')).toBeVisible();
    expect(await app.content()).not.toContain(ferry.s3.secretAccessKey);
    await app.reload();
    await expect(app.getByRole('combobox', { name: 'Endpoint' })).toContainText('Lab RGW');
    expect(await app.content()).not.toContain(ferry.s3.secretAccessKey);
  });
});
