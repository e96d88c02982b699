// Issue #12 end to end, in Chromium against `ferry serve` and RGW: a drop whose keys exist asks in
// the rows (nothing replaced before an answer; "apply to the rest of this drop" answers the folder),
// and the summary bar's quick bandwidth limit is the host's setting. Waits for what the window shows.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addFromDisk, chooseDestination, expect, test, testClient } from './fixtures.ts';
import { tempDir } from '../harness/tempDirs.ts';

test('keys that exist ask in their rows; "Keep both" for the rest of the drop uploads "name (1).ext" beside them', async ({
  app,
  ferry,
}) => {
  const client = testClient(ferry.s3);
  const read = async (key: string) =>
    (await client.send(new GetObjectCommand({ Bucket: ferry.bucket, Key: key }))).Body!.transformToString();
  try {
    // a folder of three files; two of their keys are taken
    const parent = tempDir('e2e-ask');
    mkdirSync(join(parent, 'shoot'));
    for (const name of ['a.txt', 'b.txt', 'c.txt']) writeFileSync(join(parent, 'shoot', name), `new ${name}\n`);
    for (const name of ['a.txt', 'b.txt'])
      await client.send(new PutObjectCommand({ Bucket: ferry.bucket, Key: `ask/shoot/${name}`, Body: `old ${name}\n` }));

    await chooseDestination(app, ferry, 'ask/');
    await addFromDisk(app, parent, 'shoot');
    const group = app.getByRole('row', { name: 'shoot', exact: true });
    await expect(group).toContainText('2 exist: answer to go on');
    await expect(group).toContainText('1 of 3 files');
    // nothing was replaced while the question waits
    expect(await read('ask/shoot/a.txt')).toBe('old a.txt\n');

    await group.getByRole('button', { name: 'Answer…' }).click();
    const row = app.getByRole('row', { name: 'a.txt', exact: true });
    await expect(row).toContainText('Waiting for answer');
    await expect(row).toContainText('ask/shoot/a.txt exists. Replace it?');
    await row.getByRole('checkbox', { name: 'Apply to the rest of this drop' }).check();
    await row.getByRole('button', { name: 'Keep both' }).click();

    await expect(group).toContainText('3 of 3 files');
    await expect(app.getByRole('row', { name: 'b.txt', exact: true })).toContainText('ask/shoot/b (1).txt');
    const listed = await client.send(new ListObjectsV2Command({ Bucket: ferry.bucket, Prefix: 'ask/' }));
    expect((listed.Contents ?? []).map((object) => object.Key).sort()).toEqual([
      'ask/shoot/a (1).txt',
      'ask/shoot/a.txt',
      'ask/shoot/b (1).txt',
      'ask/shoot/b.txt',
      'ask/shoot/c.txt',
    ]);
    expect(await read('ask/shoot/a.txt')).toBe('old a.txt\n');
    expect(await read('ask/shoot/a (1).txt')).toBe('new a.txt\n');
  } finally {
    client.destroy();
  }
});

test('a single file that exists asks; Replace overwrites it', async ({ app, ferry }) => {
  const client = testClient(ferry.s3);
  try {
    const parent = tempDir('e2e-ask');
    writeFileSync(join(parent, 'report.txt'), 'new report\n');
    await client.send(new PutObjectCommand({ Bucket: ferry.bucket, Key: 'one/report.txt', Body: 'old report\n' }));
    await chooseDestination(app, ferry, 'one/');
    await addFromDisk(app, parent, 'report.txt');
    const row = app.getByRole('row', { name: 'report.txt', exact: true });
    await expect(row).toContainText('Waiting for answer');
    await expect(row.getByRole('checkbox', { name: 'Apply to the rest of this drop' })).toHaveCount(0);
    await row.getByRole('button', { name: 'Replace' }).click();
    await expect(row).toContainText('Completed');
    const body = await (await client.send(new GetObjectCommand({ Bucket: ferry.bucket, Key: 'one/report.txt' }))).Body!.transformToString();
    expect(body).toBe('new report\n');
  } finally {
    client.destroy();
  }
});

test('the summary bar’s bandwidth limit is the host’s setting, the same as Settings’', async ({ app }) => {
  const menu = app.getByRole('combobox', { name: 'Bandwidth limit' });
  await expect(menu).toHaveValue('off');
  await menu.selectOption({ label: '5 MiB/s' });
  await menu.selectOption({ label: 'custom…' });
  await app.getByRole('textbox', { name: 'Custom bandwidth limit' }).fill('2MiB/s');
  await app.getByRole('textbox', { name: 'Custom bandwidth limit' }).press('Enter');
  await expect(menu.locator('option:checked')).toHaveText('2.00 MiB/s');

  // the host keeps it: the Settings field shows it, and so does a new window after a reload
  await app.getByRole('button', { name: 'Settings' }).click();
  await expect(app.getByRole('dialog', { name: 'Settings' }).getByRole('textbox', { name: /Bandwidth limit/ })).toHaveValue('2MiB/s');
  await app.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Done' }).click();
  await app.reload();
  await expect(app.getByRole('combobox', { name: 'Bandwidth limit' }).locator('option:checked')).toHaveText('2.00 MiB/s');
  await app.getByRole('combobox', { name: 'Bandwidth limit' }).selectOption('off');
  await expect(app.getByRole('combobox', { name: 'Bandwidth limit' })).toHaveValue('off');
});
