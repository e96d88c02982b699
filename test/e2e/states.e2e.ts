// Issue #13, "Accessible" in each main state: axe-core finds no serious or critical violation in a
// list that holds a job in every state at once — queued, uploading, paused, failed, aborted and
// (browser host) waiting for its file after the page reloaded — in the light and the dark theme.
// Chromium against `ferry serve` and RGW; waits for what the window shows, never for time.
import type { Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addFromDisk, chooseDestination, denyWrites, expect, seriousViolations, test } from './fixtures.ts';
import { dropFiles } from './page-files.ts';
import { tempDir } from '../harness/tempDirs.ts';

const MiB = 1024 * 1024;

function row(app: Page, name: string) {
  return app.getByRole('row', { name, exact: true });
}

/** What sticks out of its cell in the list's rows (drawn over a neighbour), one line each. */
async function overflowing(app: Page): Promise<string[]> {
  return app.locator('[data-testid="job-scroller"]').evaluate((list) => {
    const found: string[] = [];
    for (const cell of list.querySelectorAll<HTMLElement>('[role="row"] [role="cell"]')) {
      const box = cell.getBoundingClientRect();
      // text of the cell's own drawn past its edge
      if (getComputedStyle(cell).overflowX === 'visible' && cell.scrollWidth > cell.clientWidth + 1)
        found.push(
          `${cell.closest('[role="row"]')?.getAttribute('aria-label')}: "${cell.textContent?.trim()}" wider than ${cell.className}`,
        );
      for (const inner of cell.querySelectorAll<HTMLElement>('*')) {
        const rect = inner.getBoundingClientRect();
        if (rect.width === 0 || getComputedStyle(inner).visibility === 'hidden' || inner.classList.contains('visually-hidden')) continue;
        // text cut off with an ellipsis stays inside: only what is drawn past the cell's edges counts
        const right = Math.min(rect.right, rect.left + inner.scrollWidth);
        if (rect.left < box.left - 1 || right > box.right + 1)
          found.push(
            `${cell.closest('[role="row"]')?.getAttribute('aria-label')}: "${inner.textContent?.trim() || inner.tagName}" in ${cell.className}`,
          );
      }
    }
    return found;
  });
}

/** The Status cell of a row: what it says in words. */
function status(app: Page, name: string) {
  return row(app, name).locator('.cell-state');
}

test('axe: no serious or critical violation with queued, uploading, paused, failed, aborted and waiting-for-file rows, light and dark', async ({
  app,
  ferry,
}) => {
  test.setTimeout(300_000); // axe twice and a reload on a shared 2-core machine
  // one file at a time: the files added after the running one stay queued (their parts, eight at a
  // time, crawl over the slow uplink below and hold every slot of the engine's request limit: adding
  // files must not wait for them). The light theme, chosen.
  await app.getByRole('button', { name: 'Settings' }).click();
  const settings = app.getByRole('dialog', { name: 'Settings' });
  const filesAtOnce = settings.getByRole('spinbutton', { name: /^Files at once/ });
  await filesAtOnce.fill('1');
  await filesAtOnce.blur();
  await settings.getByRole('radio', { name: 'Light' }).check();
  await settings.getByRole('button', { name: 'Done' }).click();
  await expect(app.locator('html')).toHaveAttribute('data-theme', 'light');

  // files on the host's disk: their jobs keep their file across the reload below
  const folder = tempDir('e2e-states');
  for (const [name, size] of [
    ['refused.bin', 1 * MiB],
    ['paused.bin', 40 * MiB],
    ['running.bin', 200 * MiB],
    ['queued.bin', 4 * MiB],
    ['aborted.bin', 4 * MiB],
  ] as const)
    writeFileSync(join(folder, name), Buffer.alloc(size, name.length));

  // failed: the bucket refuses writes under denied/
  await denyWrites(ferry, 'denied/');
  await chooseDestination(app, ferry, 'denied/');
  await addFromDisk(app, folder, 'refused.bin');
  await expect(status(app, 'refused.bin')).toHaveText('Failed');

  // a slow uplink (256 KiB/s): the running upload lasts minutes, so the others stay queued meanwhile
  await chooseDestination(app, ferry, 'e2e/');
  ferry.network.limit(MiB / 4);
  await addFromDisk(app, folder, 'paused.bin');
  await expect(status(app, 'paused.bin')).toHaveText('Uploading');
  await row(app, 'paused.bin').getByRole('button', { name: 'Pause' }).click();
  await expect(status(app, 'paused.bin')).toHaveText('Paused');
  await addFromDisk(app, folder, 'running.bin');
  await expect(status(app, 'running.bin')).toHaveText('Uploading');
  await addFromDisk(app, folder, 'queued.bin');
  await expect(status(app, 'queued.bin')).toHaveText('Queued');
  await addFromDisk(app, folder, 'aborted.bin');
  await expect(status(app, 'aborted.bin')).toHaveText('Queued');
  await row(app, 'aborted.bin').getByRole('button', { name: 'Abort' }).click();
  await app.getByRole('alertdialog', { name: 'Abort aborted.bin?' }).getByRole('button', { name: 'Abort upload' }).click();
  await expect(status(app, 'aborted.bin')).toHaveText('Aborted');

  // waiting for its file: a file the page itself holds, and the page reloads (its File is gone)
  await dropFiles(app, [{ name: 'waiting.bin', size: 2 * MiB, seed: 71 }]);
  await expect(status(app, 'waiting.bin')).toHaveText('Queued');
  await app.reload();
  await expect(status(app, 'waiting.bin')).toHaveText('Waiting for file');
  await expect(row(app, 'waiting.bin').getByText('Choose file…')).toBeVisible();

  // every state at once, each row saying its own
  const expected = {
    'refused.bin': 'Failed',
    'paused.bin': 'Paused',
    'running.bin': 'Uploading',
    'queued.bin': 'Queued',
    'aborted.bin': 'Aborted',
    'waiting.bin': 'Waiting for file',
  };
  const look = async () => {
    for (const [name, words] of Object.entries(expected)) {
      await expect(row(app, name)).toBeVisible();
      await expect(status(app, name), name).toHaveText(words);
    }
  };
  await look();
  // nothing drawn over its neighbour (at 1280 px "Waiting for file" ran into "Choose file…")
  expect(await overflowing(app)).toEqual([]);
  expect(await seriousViolations(app), 'every state, light').toEqual([]);
  await look(); // still every state: axe looked at all of them

  await app.getByRole('button', { name: 'Settings' }).click();
  await settings.getByRole('radio', { name: 'Dark' }).check();
  await app.keyboard.press('Escape');
  await expect(settings).toHaveCount(0);
  await expect(app.locator('html')).toHaveAttribute('data-theme', 'dark');
  await look();
  expect(await seriousViolations(app), 'every state, dark').toEqual([]);
  await look();
});
