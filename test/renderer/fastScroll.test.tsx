import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobView } from '../../shared/contract.ts';
import { isSeeking, SEEK_SETTLE_MS } from '../../renderer/components/fastScroll.ts';
import { makeJob, MiB } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

describe('when the list scrolls fast', () => {
  it('starts past a view in one step, and ends below a quarter of one', () => {
    expect(isSeeking(false, 601, 600)).toBe(true);
    expect(isSeeking(false, -601, 600)).toBe(true);
    expect(isSeeking(false, 600, 600)).toBe(false); // the last frame's rows still touch the view
    expect(isSeeking(false, 120, 600)).toBe(false); // a wheel's step
    expect(isSeeking(true, 200, 600)).toBe(true); // slowing down, still faster than anyone reads
    expect(isSeeking(true, 149, 600)).toBe(false);
    expect(isSeeking(false, 5000, 0)).toBe(false); // a list not laid out draws nothing
  });
});

function manyJobs(count: number): JobView[] {
  return Array.from({ length: count }, (_, index) =>
    makeJob({ id: `j${index}`, name: `frame-${String(index).padStart(5, '0')}.exr`, state: 'uploading', size: 10 * MiB }),
  );
}

/** Shown rows of the list: jsdom applies no style sheet, so the hidden full rows are told apart by their sizer's class. */
function shownRows(scroller: HTMLElement) {
  const seeking = scroller.querySelector('.job-table-sizer')!.classList.contains('seeking');
  return within(scroller)
    .getAllByRole('row')
    .filter((row) => !seeking || row.classList.contains('seek-row'));
}

describe('a fast drag through ten thousand rows', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shows light rows where the list is, then the full rows with their buttons once it stops', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    await renderApp({ snapshot: { jobs: manyJobs(10_000) } });
    const scroller = screen.getByTestId('job-scroller');

    act(() => {
      scroller.scrollTop = 48 * 5000;
      fireEvent.scroll(scroller);
    });
    const names = (rows: HTMLElement[]) => rows.map((row) => row.getAttribute('aria-label'));
    let rows = shownRows(scroller);
    expect(names(rows)).toContain('frame-05000.exr');
    expect(names(rows)).not.toContain('frame-00000.exr');
    expect(rows.every((row) => row.classList.contains('seek-row'))).toBe(true);
    // light: a name, a bar and a state, nothing to press
    const light = within(scroller).getByRole('row', { name: 'frame-05000.exr' });
    expect(within(light).queryAllByRole('button')).toHaveLength(0);
    expect(within(light).getByText('Uploading')).toBeTruthy();

    act(() => {
      scroller.scrollTop = 48 * 7000;
      fireEvent.scroll(scroller);
    });
    expect(names(shownRows(scroller))).toContain('frame-07000.exr');

    act(() => {
      vi.advanceTimersByTime(SEEK_SETTLE_MS + 10);
    });
    rows = shownRows(scroller);
    expect(scroller.querySelector('.seek-row')).toBeNull();
    expect(names(rows)).toContain('frame-07000.exr');
    expect(names(rows)).not.toContain('frame-05000.exr');
    const full = within(scroller).getByRole('row', { name: 'frame-07000.exr' });
    expect(within(full).getByRole('button', { name: /^Pause/ })).toBeTruthy();
  });

  it('keeps full rows while the focus is in the list', async () => {
    await renderApp({ snapshot: { jobs: manyJobs(10_000) } });
    const scroller = screen.getByTestId('job-scroller');
    within(scroller).getByRole('checkbox', { name: 'Select frame-00000.exr' }).focus();
    act(() => {
      scroller.scrollTop = 48 * 5000;
      fireEvent.scroll(scroller);
    });
    expect(scroller.querySelector('.seek-row')).toBeNull();
    expect(within(scroller).getByRole('row', { name: 'frame-05000.exr' })).toBeTruthy();
  });
});
