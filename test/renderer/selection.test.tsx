import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeJob } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

const row = (name: string) => screen.getByRole('row', { name });
const box = (name: string) => within(row(name)).getByRole('checkbox', { name: `Select ${name}` }) as HTMLInputElement;

function fiveJobs() {
  return [
    makeJob({ name: 'a.bin', state: 'uploading' }),
    makeJob({ name: 'b.bin', state: 'queued' }),
    makeJob({ name: 'c.bin', state: 'paused' }),
    makeJob({ name: 'd.bin', state: 'failed' }),
    makeJob({ name: 'e.bin', state: 'completed' }),
  ];
}

describe('selection and the toolbar', () => {
  it('without a selection the toolbar acts on all the jobs it applies to', async () => {
    const jobs = fiveJobs();
    const { user, fake } = await renderApp({ snapshot: { jobs } });
    await user.click(screen.getByRole('button', { name: 'Pause all' }));
    expect(fake.requests('pauseJobs')).toEqual([{ ids: [jobs[0]!.id, jobs[1]!.id] }]);
    await user.click(screen.getByRole('button', { name: 'Resume all' }));
    expect(fake.requests('resumeJobs')).toEqual([{ ids: [jobs[2]!.id] }]);
    await user.click(screen.getByRole('button', { name: 'Retry all' }));
    expect(fake.requests('retryJobs')).toEqual([{ ids: [jobs[3]!.id] }]);
    await user.click(screen.getByRole('button', { name: 'Abort all…' }));
    await user.click(within(screen.getByRole('alertdialog', { name: 'Abort 4 uploads?' })).getByRole('button', { name: 'Abort uploads' }));
    expect(fake.requests('abortJobs')).toEqual([{ ids: [jobs[0]!.id, jobs[1]!.id, jobs[2]!.id, jobs[3]!.id] }]);
  });

  it('checkboxes select; Shift-click selects a range; the toolbar then acts on the selection', async () => {
    const jobs = fiveJobs();
    const { user, fake } = await renderApp({ snapshot: { jobs } });
    await user.click(box('a.bin'));
    await user.keyboard('{Shift>}');
    await user.click(box('c.bin'));
    await user.keyboard('{/Shift}');
    expect([box('a.bin').checked, box('b.bin').checked, box('c.bin').checked, box('d.bin').checked]).toEqual([true, true, true, false]);
    expect(screen.getByText('3 selected')).toBeVisible();

    await user.click(screen.getByRole('button', { name: 'Pause selected' }));
    expect(fake.requests('pauseJobs')).toEqual([{ ids: [jobs[0]!.id, jobs[1]!.id] }]);
    await user.click(screen.getByRole('button', { name: 'Resume selected' }));
    expect(fake.requests('resumeJobs')).toEqual([{ ids: [jobs[2]!.id] }]);
    // nothing selected has failed
    expect((screen.getByRole('button', { name: 'Retry selected' }) as HTMLButtonElement).disabled).toBe(true);

    await user.click(screen.getByRole('button', { name: 'Clear selection' }));
    expect(screen.getByRole('button', { name: 'Pause all' })).toBeVisible();
  });

  it('Ctrl+A selects every shown job; a click on a row selects only it; Ctrl-click adds', async () => {
    const jobs = fiveJobs();
    const { user } = await renderApp({ snapshot: { jobs } });
    await user.click(screen.getByRole('tab', { name: /Active/ }));
    await user.click(box('a.bin'));
    await user.keyboard('{Control>}a{/Control}');
    expect(screen.getByText('2 selected')).toBeVisible();

    await user.click(screen.getByRole('tab', { name: /All/ }));
    await user.click(within(row('d.bin')).getByText('d.bin'));
    expect(screen.getByText('1 selected')).toBeVisible();
    expect(box('d.bin').checked).toBe(true);
    await user.keyboard('{Control>}');
    await user.click(within(row('e.bin')).getByText('e.bin'));
    await user.keyboard('{/Control}');
    expect(screen.getByText('2 selected')).toBeVisible();
    await user.keyboard('{Escape}');
    expect(screen.queryByText(/ selected$/)).toBeNull();
  });

  it('Abort selected asks first and names how many', async () => {
    const jobs = fiveJobs();
    const { user, fake } = await renderApp({ snapshot: { jobs } });
    await user.click(box('b.bin'));
    await user.click(box('d.bin'));
    await user.click(screen.getByRole('button', { name: 'Abort selected…' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Abort 2 uploads?' });
    await user.click(within(dialog).getByRole('button', { name: 'Abort uploads' }));
    expect(fake.requests('abortJobs')).toEqual([{ ids: [jobs[1]!.id, jobs[3]!.id] }]);
  });

  it('Clear completed removes finished jobs from the list', async () => {
    const jobs = [...fiveJobs(), makeJob({ name: 'f.bin', state: 'aborted' })];
    const { user, fake } = await renderApp({ snapshot: { jobs } });
    await user.click(screen.getByRole('button', { name: 'Clear completed' }));
    expect(fake.requests('clearJobs')).toEqual([{ ids: [jobs[4]!.id, jobs[5]!.id] }]);
    expect(screen.queryByRole('row', { name: 'e.bin' })).toBeNull();
    expect(screen.queryByRole('row', { name: 'f.bin' })).toBeNull();
    expect((screen.getByRole('button', { name: 'Clear completed' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('a removed job leaves the selection', async () => {
    const jobs = fiveJobs();
    const { user, fake, store } = await renderApp({ snapshot: { jobs } });
    await user.click(box('a.bin'));
    await user.click(box('b.bin'));
    act(() => fake.emit('jobsRemoved', { ids: [jobs[0]!.id] }));
    expect([...store.getState().selected]).toEqual([jobs[1]!.id]);
    expect(screen.getByText('1 selected')).toBeVisible();
  });
});

describe('the keyboard', () => {
  it('reaches a row’s checkbox and buttons; Up/Down move between rows; Space ticks', async () => {
    const jobs = fiveJobs();
    const { user } = await renderApp({ snapshot: { jobs } });
    box('a.bin').focus();
    await user.keyboard('{ArrowDown}');
    await waitFor(() => expect(document.activeElement).toBe(box('b.bin')));
    await user.keyboard(' ');
    expect(box('b.bin').checked).toBe(true);
    await user.tab();
    expect(document.activeElement).toBe(within(row('b.bin')).getByRole('button', { name: 'Pause' }));
    await user.keyboard('{End}');
    await waitFor(() => expect(document.activeElement).toBe(box('e.bin')));
    await user.keyboard('{ArrowUp}');
    await waitFor(() => expect(document.activeElement).toBe(box('d.bin')));
  });
});
