// Issue #13, the points a person notices in passing, end to end in Chromium against `ferry serve` and
// RGW: a completed row's actions fit beside its status (and "Copy link" copies a link for the chosen
// time) at 1280, 1920 and 800 pixels; Pause and Abort answer at once; the summary counts a batch of
// small files with its speed and time left; Tab stays inside a dialog and shows where it is; hidden
// files are one tick away; an error notice goes away by itself. Waits for what the window shows.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from '@playwright/test';
import { addFromDisk, chooseDestination, expect, test } from './fixtures.ts';
import { dropFiles } from './page-files.ts';
import { tempDir } from '../harness/tempDirs.ts';

const MiB = 1024 * 1024;

/** Where each of the row's cells and visible buttons sits, and whether a cell's content spills out of it. */
async function rowLayout(row: Locator) {
  return row.evaluate((element) => {
    const box = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    };
    const cells = [...element.querySelectorAll(':scope > [role="cell"]')].map((cell) => ({
      name: cell.className,
      box: box(cell),
      spills: cell.scrollWidth > cell.clientWidth + 1,
    }));
    const buttons = [...element.querySelectorAll('.cell-actions button, .cell-actions select')]
      .filter((b) => (b as HTMLElement).offsetParent !== null)
      .map((b) => ({ name: b.getAttribute('aria-label') ?? '', box: box(b) }));
    return { row: box(element), cells, buttons, viewport: window.innerWidth };
  });
}

test("a completed row's actions fit beside its status at 1280, 1920 and 800 pixels; Copy link copies a link for the chosen time", async ({
  app,
  ferry,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await app.setViewportSize({ width: 1280, height: 720 });
  await chooseDestination(app, ferry);
  // a file from the disk, in parts: its row has every action a completed upload has
  const folder = tempDir('e2e-actions');
  writeFileSync(join(folder, 'delivery-final.mov'), Buffer.alloc(20 * MiB, 7));
  await addFromDisk(app, folder, 'delivery-final.mov');
  const row = app.getByRole('row', { name: 'delivery-final.mov', exact: true });
  await expect(row.getByText('Completed', { exact: true })).toBeVisible();

  for (const [width, height] of [
    [1280, 720],
    [1920, 1080],
  ] as const) {
    await app.setViewportSize({ width, height });
    const layout = await rowLayout(row);
    const state = layout.cells.find((cell) => cell.name.includes('cell-state'))!;
    expect(
      layout.cells.filter((cell) => cell.spills).map((cell) => cell.name),
      `cells whose content is cut off at ${width}`,
    ).toEqual([]);
    expect(layout.buttons.map((b) => b.name)).toEqual(['Copy receipt', 'Upload changes only', 'Copy link', 'Remove from list']);
    for (const button of layout.buttons) {
      expect(button.box.left, `${button.name} starts after the status at ${width}`).toBeGreaterThanOrEqual(state.box.right - 1);
      expect(button.box.right, `${button.name} inside the window at ${width}`).toBeLessThanOrEqual(layout.viewport);
    }
  }

  // a link valid one day, from the row's "Copy link" menu, by keyboard
  await row.getByRole('button', { name: 'Copy link' }).focus();
  await app.keyboard.press('Enter');
  const menu = app.getByRole('menu', { name: 'Copy link for delivery-final.mov' });
  await expect(menu.getByRole('menuitem', { name: 'valid 1 hour' })).toBeFocused();
  await app.keyboard.press('ArrowDown');
  await app.keyboard.press('Enter');
  await expect(app.getByText('Link copied', { exact: false })).toBeVisible();
  const link = await app.evaluate(() => navigator.clipboard.readText());
  expect(link).toContain('/e2e/delivery-final.mov?');
  expect(link).toContain('X-Amz-Expires=86400');
  // the link works: it downloads the object
  const download = await fetch(link);
  expect(download.status).toBe(200);
  expect((await download.arrayBuffer()).byteLength).toBe(20 * MiB);

  // narrow: the same choices in the row's one menu
  await app.setViewportSize({ width: 800, height: 600 });
  const more = row.getByRole('button', { name: 'More actions for delivery-final.mov' });
  expect((await more.boundingBox())!.x + (await more.boundingBox())!.width).toBeLessThanOrEqual(800);
  await more.click();
  const actions = app.getByRole('menu', { name: 'Actions for delivery-final.mov' });
  await expect(actions.getByRole('menuitem')).toHaveText([
    'Copy receipt…',
    'Upload changes only',
    'Copy link, valid 1 hour',
    'Copy link, valid 1 day',
    'Copy link, valid 7 days',
    'Remove from list',
  ]);
});

/** Every text the row's status cell shows from now on, however briefly (a MutationObserver in the page). */
async function recordStatus(row: Locator): Promise<() => Promise<string[]>> {
  await row.locator('.cell-state').evaluate((cell) => {
    const seen: string[] = [cell.textContent ?? ''];
    (window as unknown as { __statusSeen: string[] }).__statusSeen = seen;
    new MutationObserver(() => {
      const text = cell.textContent ?? '';
      if (seen.at(-1) !== text) seen.push(text);
    }).observe(cell, { subtree: true, childList: true, characterData: true });
  });
  return () => row.page().evaluate(() => (window as unknown as { __statusSeen: string[] }).__statusSeen);
}

test('Pause and Abort say "Pausing…" and "Aborting…" the moment they are pressed', async ({ app, ferry }) => {
  await chooseDestination(app, ferry);
  ferry.network.limit(2 * MiB);
  await dropFiles(app, [{ name: 'long-take.mov', size: 40 * MiB, seed: 72 }]);
  const row = app.getByRole('row', { name: 'long-take.mov', exact: true });
  await expect(row.getByText('Uploading', { exact: true })).toBeVisible();
  // progress moves within a part (parts of 16 MiB here): some MiB, before any part is done
  await expect(row).toContainText(/\b([1-9]|1[0-5])(\.\d+)? MiB of 40\.0 MiB/);

  let seen = await recordStatus(row);
  await row.getByRole('button', { name: 'Pause' }).click();
  await expect(row.getByText('Paused', { exact: true })).toBeVisible();
  expect(await seen()).toEqual(['Uploading', 'Pausing…', 'Paused']);

  await row.getByRole('button', { name: 'Resume' }).click();
  await expect(row.getByText('Uploading', { exact: true })).toBeVisible();
  seen = await recordStatus(row);
  await row.getByRole('button', { name: 'Abort' }).click();
  await app.getByRole('alertdialog', { name: 'Abort long-take.mov?' }).getByRole('button', { name: 'Abort upload' }).click();
  await expect(row.getByText('Aborted', { exact: true })).toBeVisible();
  expect(await seen()).toEqual(['Uploading', 'Aborting…', 'Aborted']);
});

test('Delete removes a finished upload from the list at once; so does "Remove selected"', async ({ app, ferry }) => {
  await chooseDestination(app, ferry);
  await dropFiles(app, [{ name: 'first.txt', size: 4096, seed: 91 }]);
  await dropFiles(app, [{ name: 'second.txt', size: 4096, seed: 92 }]);
  const first = app.getByRole('row', { name: 'first.txt', exact: true });
  const second = app.getByRole('row', { name: 'second.txt', exact: true });
  await expect(first.getByText('Completed', { exact: true })).toBeVisible();
  await expect(second.getByText('Completed', { exact: true })).toBeVisible();

  await first.getByRole('checkbox', { name: 'Select first.txt' }).check();
  await app.keyboard.press('Delete');
  await expect(first).toHaveCount(0);
  await expect(app.getByRole('alertdialog')).toHaveCount(0);

  await second.getByRole('checkbox', { name: 'Select second.txt' }).check();
  await app.getByRole('button', { name: 'Remove selected' }).click();
  await expect(second).toHaveCount(0);
});

test('the summary counts a batch of small files done of total, with its speed and time left', async ({ app, ferry }) => {
  await chooseDestination(app, ferry);
  // slow enough that the batch is still under way when read, small files all the same
  ferry.network.limit(256 * 1024);
  await dropFiles(
    app,
    Array.from({ length: 30 }, (_, i) => ({ name: `receipt-${String(i).padStart(2, '0')}.pdf`, size: 192 * 1024, seed: 100 + i })),
  );
  const summary = app.getByRole('region', { name: 'Transfer summary' });
  // at one moment: some files done of 30, a speed, the bytes and the time left
  await expect(summary).toContainText(
    /(?<!\d)([1-9]|1\d|2\d) of 30 files\s*Speed\s*[1-9][\d.]* (B|KiB|MiB)\/s\s*Remaining\s*[\d.]+ (B|KiB|MiB)\s*Time left\s*(\d+ min )?\d+ s/,
  );
  ferry.network.limit(null);
  await expect(summary).toContainText('30 of 30 files');
});

test('Tab stays inside a dialog, and the focused control is visibly marked', async ({ app }) => {
  const opener = app.getByRole('button', { name: 'Settings' });
  await opener.focus();
  await app.keyboard.press('Enter');
  const dialog = app.getByRole('dialog', { name: 'Settings' });
  await expect(dialog).toBeVisible();
  const focusables = await dialog.evaluate(
    (element) => element.querySelectorAll('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])').length,
  );
  // twice round, forwards and then backwards: focus never leaves the dialog, and each stop shows a ring
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < focusables * 2 + 2; i++) {
      await app.keyboard.press(key);
      const where = await app.evaluate(() => {
        const active = document.activeElement as HTMLElement | null;
        const style = active ? getComputedStyle(active) : null;
        return {
          inside: !!active?.closest('[role="dialog"]'),
          name: active
            ? `${active.tagName.toLowerCase()} ${active.getAttribute('aria-label') ?? active.textContent?.trim().slice(0, 30) ?? ''}`
            : 'none',
          marked: !!style && ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none'),
        };
      });
      expect(where.inside, `${key} #${i + 1} left the dialog for ${where.name}`).toBe(true);
      expect(where.marked, `${key} #${i + 1}: ${where.name} shows no focus`).toBe(true);
    }
  }
  await app.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();
});

test('a folder holding only hidden files says so, and "Show hidden files" shows them', async ({ app }) => {
  const parent = tempDir('e2e-hidden');
  const folder = join(parent, 'dotfiles');
  mkdirSync(folder);
  writeFileSync(join(folder, '.bashrc'), 'export EDITOR=vi\n');
  writeFileSync(join(folder, '.profile'), '# profile\n');
  await app.getByRole('toolbar').getByRole('button', { name: 'Add files…' }).click();
  const dialog = app.getByRole('dialog', { name: 'Add files' });
  await expect(dialog.getByRole('textbox', { name: 'Folder path' })).toHaveValue(/^\//);
  await dialog.getByRole('textbox', { name: 'Folder path' }).fill(folder);
  await dialog.getByRole('textbox', { name: 'Folder path' }).press('Enter');
  await expect(dialog.getByText('No files to show here. Hidden files are not shown.')).toBeVisible();
  await dialog.getByRole('checkbox', { name: 'Show hidden files' }).check();
  await expect(dialog.getByRole('checkbox', { name: 'Select .bashrc' })).toBeVisible();
  await expect(dialog.getByRole('checkbox', { name: 'Select .profile' })).toBeVisible();
});

test('an error notice goes away by itself, and stays while the pointer is on it', async ({ app }) => {
  test.setTimeout(120_000);
  // a drop with no bucket chosen: the window says so in an error notice
  await expect(app.getByRole('combobox', { name: 'Endpoint' })).toHaveValue(/.+/);
  await app.getByRole('combobox', { name: 'Bucket' }).fill('');
  await dropFiles(app, [{ name: 'nowhere.txt', size: 1024, seed: 81 }]);
  const notice = app.getByRole('region', { name: 'Notifications' }).getByRole('alert');
  await expect(notice).toContainText('Choose a bucket to upload to.');
  // held while pointed at, for longer than it would otherwise stay
  await notice.hover();
  await app.waitForTimeout(16_000);
  await expect(notice).toBeVisible();
  await app.mouse.move(0, 0);
  await expect(notice).toHaveCount(0, { timeout: 30_000 });
});

test('a folder in progress is one row with its bytes, speed, time left and states; its actions apply to all its files', async ({
  app,
  ferry,
}) => {
  await chooseDestination(app, ferry);
  const parent = tempDir('e2e-group');
  mkdirSync(join(parent, 'rushes'));
  for (let i = 0; i < 12; i++) writeFileSync(join(parent, 'rushes', `take-${String(i).padStart(2, '0')}.mov`), Buffer.alloc(2 * MiB, i));
  ferry.network.limit(1 * MiB);
  await addFromDisk(app, parent, 'rushes');

  const group = app.getByRole('row', { name: 'rushes', exact: true });
  // files done of 12, bytes done of 24 MiB, a speed, a time left and what its files are doing, at once
  await expect(group).toContainText(
    /(?<!\d)([0-9]|1[01]) of 12 files.*[\d.]+ (B|KiB|MiB) of 24\.0 MiB.*[1-9][\d.]* (KiB|MiB)\/s.*(\d+ min )?\d+ s.*\d+ uploading/,
  );
  await group.getByRole('button', { name: 'Pause all' }).click();
  await expect(group).toContainText(/(?<!\d)\d+ paused/);
  await expect(group.getByText(/uploading/)).toHaveCount(0);
  ferry.network.limit(null);
  await group.getByRole('button', { name: 'Resume all' }).click();
  await expect(group).toContainText('12 of 12 files');
});

test('Sort by size; Up and Down move between rows; a filter that hides the selection clears it', async ({ app, ferry }) => {
  await chooseDestination(app, ferry);
  for (const [name, size] of [
    ['medium.bin', 300 * 1024],
    ['large.bin', 900 * 1024],
    ['small.bin', 10 * 1024],
  ] as const)
    await dropFiles(app, [{ name, size, seed: size }]);
  for (const name of ['medium.bin', 'large.bin', 'small.bin'])
    await expect(app.getByRole('row', { name, exact: true }).getByText('Completed', { exact: true })).toBeVisible();

  await app.getByRole('combobox', { name: 'Sort by' }).selectOption('size');
  await expect(app.locator('.job-row:not(.head) .job-name')).toHaveText(['small.bin', 'medium.bin', 'large.bin']);

  // the keyboard walks the rows from a row's checkbox
  await app.getByRole('checkbox', { name: 'Select small.bin' }).focus();
  await app.keyboard.press('ArrowDown');
  await expect(app.getByRole('checkbox', { name: 'Select medium.bin' })).toBeFocused();
  await app.keyboard.press('End');
  await expect(app.getByRole('checkbox', { name: 'Select large.bin' })).toBeFocused();
  await app.keyboard.press('Space');
  await expect(app.getByText('1 selected')).toBeVisible();

  // "Failed" shows none of them: the selection goes with them, nothing acts on hidden rows
  await app.getByRole('tab', { name: /Failed/ }).click();
  await expect(app.getByText('1 selected')).toHaveCount(0);
  await app.getByRole('tab', { name: /All/ }).click();
  await expect(app.getByRole('checkbox', { name: 'Select large.bin' })).not.toBeChecked();
});
