import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/contract.ts';
import { makeJob, MiB } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

function manyJobs(count: number): JobView[] {
  return Array.from({ length: count }, (_, index) =>
    makeJob({
      id: `j${index}`,
      name: `frame-${String(index).padStart(5, '0')}.exr`,
      state: index % 3 === 0 ? 'uploading' : 'queued',
      size: 10 * MiB,
    }),
  );
}

describe('ten thousand jobs', () => {
  it('renders only a window of rows, and the counts of all', async () => {
    await renderApp({ snapshot: { jobs: manyJobs(10_000) } });
    const rows = within(screen.getByTestId('job-scroller')).getAllByRole('row');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40); // 600 px of 48 px rows plus overscan
    expect(rows[0]!.getAttribute('aria-label')).toBe('frame-00000.exr');
    expect(screen.getByRole('table', { name: 'Uploads' }).getAttribute('aria-rowcount')).toBe('10001');
    expect(screen.getByRole('tab', { name: 'All 10,000' })).toBeVisible();
    expect(screen.getByRole('tab', { name: 'Active 10,000' })).toBeVisible();
  });

  it('scrolling shows the rows further down', async () => {
    await renderApp({ snapshot: { jobs: manyJobs(10_000) } });
    const scroller = screen.getByTestId('job-scroller');
    act(() => {
      scroller.scrollTop = 48 * 5000;
      fireEvent.scroll(scroller);
    });
    // a jump of thousands of rows shows light rows until the list stops (fastScroll.ts)
    await waitFor(() => expect(scroller.querySelector('.seek-row')).toBeNull());
    const names = within(scroller)
      .getAllByRole('row')
      .map((row) => row.getAttribute('aria-label'));
    expect(names).toContain('frame-05000.exr');
    expect(names).not.toContain('frame-00000.exr');
    expect(names.length).toBeLessThan(40);
  });

  it('a progress batch for thousands of jobs is applied in one go', async () => {
    const jobs = manyJobs(10_000);
    const { fake, store } = await renderApp({ snapshot: { jobs } });
    const started = performance.now();
    act(() =>
      fake.emit('jobsProgress', {
        updates: jobs
          .filter((job) => job.state === 'uploading')
          .map((job) => ({ id: job.id, bytesDone: 5 * MiB, bytesPerSecond: 1 * MiB })),
      }),
    );
    const elapsed = performance.now() - started;
    expect(store.getState().jobs.get('j0')?.bytesDone).toBe(5 * MiB);
    expect(within(screen.getByRole('row', { name: 'frame-00000.exr' })).getByText('5.00 MiB of 10.0 MiB')).toBeVisible();
    expect(elapsed).toBeLessThan(1000); // generous for CI; typically a few ms
  });
});

describe('a row menu belongs to its job', () => {
  /** The open menu, and the row it is drawn in. */
  function openMenu() {
    const menu = screen.queryByRole('menu');
    return { menu, row: menu?.closest('[role="row"]')?.getAttribute('aria-label') ?? null };
  }

  it('stays with its job when the list scrolls', async () => {
    const { user } = await renderApp({ snapshot: { jobs: manyJobs(200) } });
    await user.click(screen.getByRole('button', { name: 'More actions for frame-00000.exr' }));
    expect(openMenu()).toMatchObject({ row: 'frame-00000.exr' });
    const scroller = screen.getByTestId('job-scroller');
    act(() => {
      scroller.scrollTop = 48 * 6;
      fireEvent.scroll(scroller);
    });
    // frame-00000 is out of the view (and its menu with it); the rows drawn now show other jobs, without it
    expect(within(scroller).queryByRole('row', { name: 'frame-00000.exr' })).toBeNull();
    expect(openMenu()).toEqual({ menu: null, row: null });
    act(() => {
      scroller.scrollTop = 0;
      fireEvent.scroll(scroller);
    });
    // back in view, frame-00000 is drawn anew: no row shows a menu it did not open
    expect(openMenu()).toEqual({ menu: null, row: null });
  });

  it('never shows on another job when the rows above it go', async () => {
    const jobs = manyJobs(50);
    const { user, fake } = await renderApp({ snapshot: { jobs } });
    await user.click(screen.getByRole('button', { name: 'More actions for frame-00003.exr' }));
    expect(openMenu()).toMatchObject({ row: 'frame-00003.exr' });
    act(() => fake.emit('jobsRemoved', { ids: ['j0', 'j1'] }));
    // frame-00003 moved up two rows: the row drawn where it was shows frame-00005, without a menu;
    // rows are recycled by place, so the menu closed with the move (it never follows the place)
    const { menu, row } = openMenu();
    expect(row).not.toBe('frame-00005.exr');
    if (menu !== null) expect([row, menu.getAttribute('aria-label')]).toEqual(['frame-00003.exr', 'Actions for frame-00003.exr']);
  });
});
