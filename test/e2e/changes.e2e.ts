// Issue #15 in the window, end to end: a completed row's receipt (readable, copied as JSON), the
// receipts folder setting, "Upload changes only", "Resume, sending only what changed" on a row whose
// file changed, and "Resume with a local file…" for another tool's incomplete upload. Chromium
// against `ferry serve` and RGW; waits for what the window shows, never for time.
import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { addFromDisk, chooseDestination, expect, test, testClient } from './fixtures.ts';
import { makeFile, objectSha256, sha256File } from '../harness/s3.ts';
import { tempDir } from '../harness/tempDirs.ts';

const MiB = 1024 * 1024;

function rewrite(path: string, offset: number, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(length, 0x5a), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

function row(app: Page, name: string) {
  return app.getByRole('row', { name, exact: true });
}

test('a completed row: its receipt readable and as JSON, written to the receipts folder; Upload changes only', async ({
  app,
  ferry,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const receipts = tempDir('e2e-receipts');
  await app.getByRole('button', { name: 'Settings' }).click();
  const settings = app.getByRole('dialog', { name: 'Settings' });
  await settings.getByRole('textbox', { name: 'Receipts folder' }).fill(receipts);
  await settings.getByRole('textbox', { name: 'Receipts folder' }).blur();
  await settings.getByRole('button', { name: 'Done' }).click();

  await chooseDestination(app, ferry);
  const folder = tempDir('e2e-changes');
  const file = await makeFile(folder, 'ledger.bin', 40 * MiB, 151); // three parts of 16 MiB
  await addFromDisk(app, folder, 'ledger.bin');
  const job = row(app, 'ledger.bin');
  await expect(job.getByText('Completed', { exact: true })).toBeVisible();

  // the receipt, readable; then as JSON on the clipboard
  await job.getByRole('button', { name: 'Copy receipt' }).click();
  const dialog = app.getByRole('dialog', { name: 'Receipt for ledger.bin' });
  const text = dialog.getByLabel('Receipt', { exact: true });
  await expect(text).toContainText('Upload receipt for job');
  await expect(text).toContainText(`s3://${ferry.bucket}/e2e/ledger.bin on Test RGW`);
  await expect(text).toContainText('3 parts of 16.0 MiB, every part with a signed SHA-256 payload'); // RGW validates it (the probe)
  await expect(text).toContainText(/verified +yes/);
  await dialog.getByRole('button', { name: 'Copy JSON' }).click();
  await expect(app.getByText('Receipt JSON copied')).toBeVisible();
  const copied = JSON.parse(await app.evaluate(() => navigator.clipboard.readText())) as Record<string, never>;
  expect(copied).toMatchObject({ receiptVersion: 1, destination: { key: 'e2e/ledger.bin', endpoint: 'Test RGW' } });
  expect(JSON.stringify(copied)).not.toContain(ferry.s3.secretAccessKey);
  await dialog.getByRole('button', { name: 'Close' }).click();

  // the setting wrote it to the folder as well
  await expect.poll(() => readdirSync(receipts).length).toBe(1);
  const written = JSON.parse(readFileSync(join(receipts, readdirSync(receipts)[0]!), 'utf8')) as { jobId: string; etag: string };
  expect(written.etag).toBe(copied.etag);

  // the file changes in its second part and grows: only that part and the new bytes are sent
  rewrite(file.path, 20 * MiB, 4096);
  appendFileSync(file.path, Buffer.alloc(MiB, 0x33));
  await job.getByRole('button', { name: 'Upload changes only' }).click();
  await expect(app.getByText('Sending only what changed')).toBeVisible();
  await expect(app.getByText(/the unchanged parts are copied on the server/)).toBeVisible();
  await expect(app.getByRole('row', { name: 'ledger.bin', exact: true }).getByText('Completed', { exact: true })).toHaveCount(2);
  const client = testClient(ferry.s3);
  expect(await objectSha256(client, ferry.bucket, 'e2e/ledger.bin')).toBe(await sha256File(file.path));
  client.destroy();
  await expect.poll(() => readdirSync(receipts).length).toBe(2);
});

test('a row whose file changed while paused fails, then "Resume, sending only what changed" finishes it', async ({ app, ferry }) => {
  await chooseDestination(app, ferry);
  const folder = tempDir('e2e-changes');
  const file = await makeFile(folder, 'video.bin', 96 * MiB, 152);
  ferry.network.limit(8 * MiB); // a slow uplink: the upload lasts long enough to pause it
  await addFromDisk(app, folder, 'video.bin');
  const job = row(app, 'video.bin');
  await expect(job).toContainText(/[1-9][\d.]* MiB of 96.0 MiB/);
  await job.getByRole('button', { name: 'Pause' }).click();
  await expect(job.getByText('Paused', { exact: true })).toBeVisible();
  ferry.network.limit(null);

  appendFileSync(file.path, Buffer.alloc(3 * MiB, 0x44));
  await job.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(job.getByText('Failed', { exact: true })).toBeVisible();
  await expect(job).toContainText('The file changed since the upload started');
  await job.getByRole('button', { name: 'Resume, sending only what changed' }).click();
  await expect(job.getByText('Completed', { exact: true })).toBeVisible();
  const client = testClient(ferry.s3);
  expect(await objectSha256(client, ferry.bucket, 'e2e/video.bin')).toBe(await sha256File(file.path));
  client.destroy();
});

test('"Resume with a local file…" finishes another tool\'s incomplete upload from the orphans panel', async ({ app, ferry }) => {
  // the local copy sits in a hidden folder, as backup tools keep theirs: the chooser shows it when asked
  const parent = tempDir('e2e-adopt');
  const folder = join(parent, '.backups');
  mkdirSync(folder);
  const file = await makeFile(folder, 'backup.tar', 12 * MiB + 5, 153);
  const bytes = readFileSync(file.path);
  const client = testClient(ferry.s3);
  // another tool's upload, interrupted after two of its three 5 MiB parts
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: ferry.bucket, Key: 'tools/backup.tar' }));
  for (const part of [1, 2]) {
    await client.send(
      new UploadPartCommand({
        Bucket: ferry.bucket,
        Key: 'tools/backup.tar',
        UploadId,
        PartNumber: part,
        Body: bytes.subarray((part - 1) * 5 * MiB, part * 5 * MiB),
      }),
    );
  }

  await app.getByRole('button', { name: 'Orphaned uploads' }).click();
  const panel = app.getByRole('dialog', { name: 'Orphaned uploads' });
  await panel.getByRole('combobox', { name: 'Bucket' }).fill(ferry.bucket);
  await panel.getByRole('button', { name: 'List' }).click();
  await panel.getByRole('button', { name: 'Resume tools/backup.tar with a local file' }).click();
  const chooser = app.getByRole('dialog', { name: 'Resume tools/backup.tar' });
  await expect(chooser.getByRole('textbox', { name: 'Folder path' })).toHaveValue(/^\//);
  await chooser.getByRole('textbox', { name: 'Folder path' }).fill(parent);
  await chooser.getByRole('textbox', { name: 'Folder path' }).press('Enter');
  await expect(chooser.getByText('No files to show here. Hidden files are not shown.')).toBeVisible();
  await chooser.getByRole('checkbox', { name: 'Show hidden files' }).check();
  await chooser.getByRole('button', { name: 'Open .backups' }).click();
  await chooser.getByRole('radio', { name: 'Choose backup.tar' }).check();
  await chooser.getByRole('button', { name: 'Resume with this file' }).click();
  await expect(app.getByText(/The server holds 2 of its 3 parts of 5.00 MiB/)).toBeVisible();
  await panel.getByRole('button', { name: 'Close' }).click();

  await expect(row(app, 'backup.tar').getByText('Completed', { exact: true })).toBeVisible();
  expect(await objectSha256(client, ferry.bucket, 'tools/backup.tar')).toBe(file.sha256);
  client.destroy();
});
