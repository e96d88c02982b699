// Issue #13 end to end: a folder is one item, search and sort, whole errors, the keyboard, axe in
// each main state, a narrow window. Chromium against `ferry serve` and RGW; waits for what the
// window shows, never for time.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addFromDisk, chooseDestination, denyWrites, expect, seriousViolations, test, testClient } from './fixtures.ts';
import { dropFiles } from './page-files.ts';
import { tempDir } from '../harness/tempDirs.ts';

const MiB = 1024 * 1024;

/** A folder on the host's disk with `count` small files (two levels). */
function makeFolder(name: string, count: number): string {
  const root = tempDir('e2e-folder');
  const folder = join(root, name);
  mkdirSync(join(folder, 'sub'), { recursive: true });
  for (let i = 0; i < count; i++)
    writeFileSync(join(folder, i % 2 ? 'sub' : '', `file-${String(i).padStart(3, '0')}.txt`), `file ${i}\n`.repeat(50));
  return root;
}

test('a folder added from the disk is one group row that counts its files and expands into them; search and sort', async ({
  app,
  ferry,
}) => {
  await chooseDestination(app, ferry);
  const parent = makeFolder('holiday-photos', 24);
  await addFromDisk(app, parent, 'holiday-photos');

  const group = app.getByRole('row', { name: 'holiday-photos', exact: true });
  await expect(group).toContainText('24 of 24 files');
  await expect(group).toContainText('Completed');
  // the files are not rows of their own until the group is expanded
  await expect(app.getByRole('row', { name: 'file-000.txt' })).toHaveCount(0);
  await group.getByRole('button', { name: 'Show the files of holiday-photos' }).click();
  await expect(app.getByRole('row', { name: 'file-000.txt' })).toBeVisible();
  await expect(app.getByRole('row', { name: 'file-001.txt' })).toContainText('e2e/holiday-photos/sub/file-001.txt');

  // search by name as you type: only the matching file under its group
  await app.getByRole('searchbox', { name: 'Search uploads by name or key' }).fill('file-007');
  await expect(app.getByRole('row', { name: 'file-007.txt' })).toBeVisible();
  await expect(app.getByRole('row', { name: 'file-000.txt' })).toHaveCount(0);
  await app.getByRole('searchbox', { name: 'Search uploads by name or key' }).fill('');

  // sort by name, descending: the last file comes first under the group
  await app.getByRole('columnheader', { name: 'Name' }).getByRole('button').click();
  await app.getByRole('columnheader', { name: 'Name' }).getByRole('button').click();
  await expect(app.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'descending');
  const names = app.locator('.job-row.child .job-name');
  await expect(names.first()).toHaveText('file-023.txt');
});

test('a multi-file drop is one group; a failed file shows its whole error with a copy button', async ({ app, ferry, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const client = testClient(ferry.s3);
  await denyWrites(ferry, 'denied/');
  await chooseDestination(app, ferry, 'denied/');
  await dropFiles(app, [
    { name: 'scan-1.pdf', size: 200 * 1024, seed: 31 },
    { name: 'scan-2.pdf', size: 200 * 1024, seed: 32 },
  ]);
  const group = app.getByRole('row', { name: 'scan-1.pdf and 1 more', exact: true });
  await expect(group).toContainText('0 of 2 files');
  await expect(group).toContainText('2 failed');
  await group.getByRole('button', { name: 'Show the files of scan-1.pdf and 1 more' }).click();
  const failed = app.getByRole('row', { name: 'scan-1.pdf', exact: true });
  const error = failed.locator('.error-text');
  await expect(error).toContainText('Access denied');
  // the whole message is shown: nothing is cut off with an ellipsis
  expect(await error.evaluate((element) => element.scrollWidth <= element.clientWidth + 1)).toBe(true);
  await failed.getByRole('button', { name: 'Copy the error of scan-1.pdf' }).click();
  await expect(app.getByText('Error copied')).toBeVisible();
  expect(await app.evaluate(() => navigator.clipboard.readText())).toContain('Access denied');
  client.destroy();
});

test('keyboard: Escape closes the endpoint dialog after Test connection and focus goes back; Delete asks before aborting', async ({
  app,
  ferry,
}) => {
  const opener = app.getByRole('button', { name: 'Endpoints' });
  await opener.focus();
  await app.keyboard.press('Enter');
  const dialog = app.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Test connection' }).click();
  await expect(dialog.getByText(/Connected/)).toBeVisible();
  await app.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();

  await chooseDestination(app, ferry);
  ferry.network.limit(2 * MiB);
  await dropFiles(app, [{ name: 'slow.bin', size: 40 * MiB, seed: 41 }]);
  const row = app.getByRole('row', { name: 'slow.bin', exact: true });
  await expect(row.getByText('Uploading', { exact: true })).toBeVisible();
  await row.getByRole('checkbox', { name: 'Select slow.bin' }).check();
  await app.getByRole('button', { name: 'Remove selected' }).focus();
  await app.keyboard.press('Delete');
  const confirm = app.getByRole('alertdialog', { name: 'Abort slow.bin?' });
  await expect(confirm).toBeVisible();
  await app.keyboard.press('Escape');
  await expect(confirm).toHaveCount(0);
  await expect(row).toBeVisible();
  // Pause says so at once
  await row.getByRole('button', { name: 'Pause' }).click();
  await expect(row.getByText(/^(Pausing…|Paused)$/)).toBeVisible();
  await expect(row.getByText('Paused', { exact: true })).toBeVisible();
});

test('at 800x600 every row action is reachable through its menu; nothing is cut off', async ({ app, ferry }) => {
  await app.setViewportSize({ width: 800, height: 600 });
  await chooseDestination(app, ferry);
  ferry.network.limit(2 * MiB);
  await dropFiles(app, [{ name: 'narrow.bin', size: 40 * MiB, seed: 51 }]);
  const row = app.getByRole('row', { name: 'narrow.bin', exact: true });
  await expect(row.getByText('Uploading', { exact: true })).toBeVisible();
  const more = row.getByRole('button', { name: 'More actions for narrow.bin' });
  const box = await more.boundingBox();
  expect(box!.x + box!.width).toBeLessThanOrEqual(800);
  await more.focus();
  await app.keyboard.press('Enter');
  const menu = app.getByRole('menu', { name: 'Actions for narrow.bin' });
  await expect(menu.getByRole('menuitem', { name: 'Pause' })).toBeFocused();
  await expect(menu.getByRole('menuitem', { name: 'Abort…' })).toBeVisible();
  await app.keyboard.press('Enter');
  await expect(row.getByText('Paused', { exact: true })).toBeVisible();
  for (const name of ['Add files…', 'Settings', 'Endpoints', 'Orphaned uploads']) {
    const button = await app.getByRole('button', { name }).boundingBox();
    expect(button!.x + button!.width, name).toBeLessThanOrEqual(800);
  }
});

test('axe: no serious or critical violation in the list, the dialogs, and the dark theme', async ({ app, ferry }) => {
  test.setTimeout(300_000); // six axe runs on a shared 2-core machine
  await chooseDestination(app, ferry);
  const client = testClient(ferry.s3);
  await denyWrites(ferry, 'denied/');
  await dropFiles(app, [
    { name: 'done-1.bin', size: 100 * 1024, seed: 61 },
    { name: 'done-2.bin', size: 100 * 1024, seed: 62 },
  ]);
  await expect(app.getByRole('row', { name: 'done-1.bin and 1 more' })).toContainText('2 of 2 files');
  await app.getByRole('textbox', { name: 'Prefix' }).fill('denied/');
  await dropFiles(app, [{ name: 'refused.bin', size: 100 * 1024, seed: 63 }]);
  await expect(app.getByRole('row', { name: 'refused.bin' }).getByText('Failed', { exact: true })).toBeVisible();
  await app.getByRole('textbox', { name: 'Prefix' }).fill('e2e/');
  ferry.network.limit(2 * MiB);
  await dropFiles(app, [{ name: 'paused.bin', size: 40 * MiB, seed: 64 }]);
  const paused = app.getByRole('row', { name: 'paused.bin' });
  await expect(paused.getByText('Uploading', { exact: true })).toBeVisible();
  await paused.getByRole('button', { name: 'Pause' }).click();
  await expect(paused.getByText('Paused', { exact: true })).toBeVisible();
  await dropFiles(app, [{ name: 'running.bin', size: 40 * MiB, seed: 65 }]);
  await expect(app.getByRole('row', { name: 'running.bin' }).getByText('Uploading', { exact: true })).toBeVisible();
  await app
    .getByRole('row', { name: 'done-1.bin and 1 more' })
    .getByRole('button', { name: /Show the files/ })
    .click();
  await app.getByRole('checkbox', { name: 'Select refused.bin' }).check();

  expect(await seriousViolations(app), 'list').toEqual([]);
  expect(await app.getByRole('heading', { level: 1 }).count()).toBe(1);

  await app.getByRole('button', { name: 'Endpoints' }).click();
  await expect(app.getByRole('dialog')).toBeVisible();
  expect(await seriousViolations(app), 'endpoint dialog').toEqual([]);
  await app.keyboard.press('Escape');

  await app.getByRole('button', { name: 'Orphaned uploads' }).click();
  await expect(app.getByRole('dialog')).toBeVisible();
  expect(await seriousViolations(app), 'orphans').toEqual([]);
  await app.keyboard.press('Escape');

  await app.getByRole('button', { name: 'Settings' }).click();
  const settings = app.getByRole('dialog', { name: 'Settings' });
  expect(await seriousViolations(app), 'settings').toEqual([]);
  await settings.getByRole('radio', { name: 'Dark' }).check();
  await app.keyboard.press('Escape');
  await expect(app.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await seriousViolations(app), 'dark list').toEqual([]);
  client.destroy();
});

test.describe('first run', () => {
  test.use({ withEndpoint: false });
  test('axe: no serious or critical violation on first run and in the new-endpoint form', async ({ app }) => {
    await expect(app.getByRole('heading', { name: 'Welcome to Ferry' })).toBeVisible();
    expect(await seriousViolations(app), 'first run').toEqual([]);
    await app.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(app.getByRole('form', { name: 'New endpoint' })).toBeVisible();
    expect(await seriousViolations(app), 'new endpoint').toEqual([]);
  });
});
