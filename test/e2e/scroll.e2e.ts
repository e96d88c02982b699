// Issue #13, smooth under load: a fast drag through a long list shows light rows (name, bar, status)
// and the full rows, buttons included, come back where the list stops. Chromium against `ferry serve`
// and RGW; waits for what the window shows, never for time (the drag itself is paced by frames).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addFromDisk, chooseDestination, expect, test } from './fixtures.ts';
import { tempDir } from '../harness/tempDirs.ts';

test('a fast drag through 400 rows shows light rows, then the full rows where it stops', async ({ app, ferry }) => {
  const root = tempDir('e2e-scroll');
  mkdirSync(join(root, 'frames'));
  for (let i = 0; i < 400; i++) writeFileSync(join(root, 'frames', `frame-${String(i).padStart(3, '0')}.txt`), `frame ${i}\n`);
  await chooseDestination(app, ferry);
  await addFromDisk(app, root, 'frames');
  const group = app.getByRole('row', { name: 'frames', exact: true });
  await expect(group).toContainText('400 of 400 files', { timeout: 60_000 });
  await group.getByRole('button', { name: 'Show the files of frames' }).click();
  await expect(app.getByRole('row', { name: 'frame-000.txt' })).toBeVisible();

  // the scroll bar dragged to the end in 16 frames (over a view's height each): at every frame, what shows
  const seen = await app.evaluate(async () => {
    const scroller = document.querySelector<HTMLElement>('[data-testid="job-scroller"]')!;
    const frames: Array<{ light: number; shownButtons: number; names: string[] }> = [];
    const max = scroller.scrollHeight - scroller.clientHeight;
    for (let frame = 1; frame <= 16; frame++) {
      scroller.scrollTop = (max * frame) / 16;
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      // the rows drawn in the list's view
      const view = scroller.getBoundingClientRect();
      const visible = [...scroller.querySelectorAll<HTMLElement>('[role="row"]')].filter((row) => {
        const box = row.getBoundingClientRect();
        return getComputedStyle(row).visibility === 'visible' && box.bottom > view.top && box.top < view.bottom;
      });
      frames.push({
        light: visible.filter((row) => row.classList.contains('seek-row')).length,
        shownButtons: visible.reduce((sum, row) => sum + row.querySelectorAll('button').length, 0),
        names: visible.map((row) => row.getAttribute('aria-label') ?? ''),
      });
    }
    return frames;
  });
  // after the first step, the rows drawn are light ones: names and states, nothing to press
  // (the first frame may still show the rows of the place it left, out of view: the page draws the list
  // again in a task of its own after the scroll)
  const dragged = seen.slice(1);
  expect(dragged.map((frame) => `${frame.light > 5 ? 'light rows' : `${frame.light} light rows`}, ${frame.shownButtons} buttons`)).toEqual(
    dragged.map(() => 'light rows, 0 buttons'),
  );
  // and they follow the list: the last frame shows its end
  expect(seen.at(-1)!.names).toContain('frame-399.txt');

  // stopped: the full rows are back where the list is, with their buttons
  await expect(app.locator('.seek-row')).toHaveCount(0);
  const last = app.getByRole('row', { name: 'frame-399.txt' });
  await expect(last).toBeVisible();
  await expect(last.getByRole('button', { name: 'Remove from list' })).toBeVisible();
  await expect(last).toContainText('Completed');
  await expect(app.getByRole('row', { name: 'frame-000.txt' })).toHaveCount(0);
});
