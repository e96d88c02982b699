// Issue #13 in the window's components: batches as group rows, search and sort, the selection
// after a filter, Delete and "Remove selected", Pausing…, the whole error, Escape after a button
// that disabled itself.
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { MiB, makeJob } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

function folder(count: number, overrides: Parameters<typeof makeJob>[0] = {}) {
  return Array.from({ length: count }, (_, index) =>
    makeJob({ name: `img-${index}.jpg`, batchId: 'B1', batchName: 'holiday', size: 10 * MiB, ...overrides }),
  );
}

describe('groups', () => {
  it('a batch of several files is one row with files done of total, bytes and a state summary; it expands into its files', async () => {
    const jobs = folder(4);
    jobs[0] = { ...jobs[0]!, state: 'completed', bytesDone: 10 * MiB };
    jobs[1] = { ...jobs[1]!, state: 'failed', error: { code: 'ACCESS_DENIED', message: 'Access denied.', retryable: false } };
    jobs[2] = { ...jobs[2]!, state: 'paused', bytesDone: 5 * MiB };
    const { user, fake } = await renderApp({ snapshot: { jobs } });
    const group = screen.getByRole('row', { name: 'holiday' });
    expect(within(group).getByText('1 of 4 files').isConnected).toBe(true);
    expect(within(group).getByText('15.0 MiB of 40.0 MiB').isConnected).toBe(true);
    expect(within(group).getByText('1 failed, 1 queued, 1 paused').isConnected).toBe(true);
    expect(screen.queryByRole('row', { name: 'img-1.jpg' })).toBeNull();

    await user.click(within(group).getByRole('button', { name: 'Show the files of holiday' }));
    expect(screen.getByRole('row', { name: 'img-1.jpg' }).isConnected).toBe(true);
    expect(within(group).getByRole('button', { name: 'Hide the files of holiday' }).getAttribute('aria-expanded')).toBe('true');

    // the group's actions act on its files
    await user.click(within(group).getByRole('button', { name: 'Retry failed' }));
    expect(fake.requests('retryJobs')).toEqual([{ ids: [jobs[1]!.id] }]);
    await user.click(within(group).getByRole('button', { name: 'Resume all' }));
    expect(fake.requests('resumeJobs')).toEqual([{ ids: [jobs[2]!.id] }]);
  });

  it('a job alone in its batch, or without one, is a plain row', async () => {
    await renderApp({
      snapshot: { jobs: [makeJob({ name: 'solo.bin', batchId: 'B9', batchName: 'solo.bin' }), makeJob({ name: 'old.bin' })] },
    });
    expect(screen.getByRole('row', { name: 'solo.bin' }).isConnected).toBe(true);
    expect(screen.getByRole('row', { name: 'old.bin' }).isConnected).toBe(true);
    expect(screen.queryByRole('button', { name: /Show the files/ })).toBeNull();
  });
});

describe('search, sort and the selection', () => {
  it('the search filters by name or key as you type; the selection loses the rows it hides', async () => {
    const jobs = [makeJob({ name: 'alpha.txt', key: 'docs/alpha.txt' }), makeJob({ name: 'beta.txt', key: 'media/beta.txt' })];
    const { user, store } = await renderApp({ snapshot: { jobs } });
    await user.click(within(screen.getByRole('row', { name: 'alpha.txt' })).getByRole('checkbox'));
    await user.click(within(screen.getByRole('row', { name: 'beta.txt' })).getByRole('checkbox'));
    expect(screen.getByText('2 selected').isConnected).toBe(true);
    await user.type(screen.getByRole('searchbox', { name: 'Search uploads by name or key' }), 'media/');
    expect(screen.getByRole('row', { name: 'beta.txt' }).isConnected).toBe(true);
    expect(screen.queryByRole('row', { name: 'alpha.txt' })).toBeNull();
    expect(screen.getByText('1 selected').isConnected).toBe(true);
    expect([...store.getState().selected]).toEqual([jobs[1]!.id]);
  });

  it('a filter tab that hides selected rows drops them from the selection', async () => {
    const jobs = [makeJob({ name: 'p.bin', state: 'paused' }), makeJob({ name: 'f.bin', state: 'failed' })];
    const { user } = await renderApp({ snapshot: { jobs } });
    await user.click(screen.getByRole('checkbox', { name: 'Select all shown uploads' }));
    expect(screen.getByText('2 selected').isConnected).toBe(true);
    await user.click(screen.getByRole('tab', { name: /Paused/ }));
    expect(screen.getByText('1 selected').isConnected).toBe(true);
  });

  it('sorts by size and reverses on a second choice', async () => {
    const jobs = [makeJob({ name: 'mid.bin', size: 5 }), makeJob({ name: 'big.bin', size: 9 }), makeJob({ name: 'small.bin', size: 1 })];
    const { user } = await renderApp({ snapshot: { jobs } });
    const names = () =>
      screen
        .getAllByRole('row')
        .slice(1)
        .map((row) => row.getAttribute('aria-label'));
    expect(names()).toEqual(['mid.bin', 'big.bin', 'small.bin']);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Sort by' }), 'size');
    expect(names()).toEqual(['small.bin', 'mid.bin', 'big.bin']);
    await user.click(screen.getByRole('button', { name: /Ascending order/ }));
    expect(names()).toEqual(['big.bin', 'mid.bin', 'small.bin']);
  });
});

describe('keyboard and feedback', () => {
  it('Delete removes finished selected rows at once and asks before aborting live ones', async () => {
    const jobs = [makeJob({ name: 'done.bin', state: 'completed' }), makeJob({ name: 'live.bin', state: 'uploading' })];
    const { user, fake } = await renderApp({ snapshot: { jobs } });
    await user.click(screen.getByRole('checkbox', { name: 'Select all shown uploads' }));
    await user.keyboard('{Delete}');
    expect(fake.requests('clearJobs')).toEqual([{ ids: [jobs[0]!.id] }]);
    const confirm = screen.getByRole('alertdialog', { name: 'Abort live.bin?' });
    expect(fake.requests('abortJobs')).toEqual([]);
    await user.click(within(confirm).getByRole('button', { name: 'Abort upload' }));
    expect(fake.requests('abortJobs')).toEqual([{ ids: [jobs[1]!.id] }]);
  });

  it('"Remove selected" is in the toolbar while something is selected', async () => {
    const jobs = [makeJob({ name: 'done.bin', state: 'completed' })];
    const { user, fake } = await renderApp({ snapshot: { jobs } });
    expect(screen.queryByRole('button', { name: 'Remove selected' })).toBeNull();
    await user.click(screen.getByRole('checkbox', { name: 'Select done.bin' }));
    await user.click(screen.getByRole('button', { name: 'Remove selected' }));
    expect(fake.requests('clearJobs')).toEqual([{ ids: [jobs[0]!.id] }]);
  });

  it('Pause says "Pausing…" at once, until the engine reports the new state', async () => {
    const job = makeJob({ name: 'run.bin', state: 'uploading' });
    const { user, store } = await renderApp({ snapshot: { jobs: [job] } });
    await user.click(within(screen.getByRole('row', { name: 'run.bin' })).getByRole('button', { name: 'Pause' }));
    expect(within(screen.getByRole('row', { name: 'run.bin' })).getByText('Pausing…').isConnected).toBe(true);
    act(() => store.getState().upsertJobs([{ ...job, state: 'paused' }]));
    expect(within(screen.getByRole('row', { name: 'run.bin' })).getByText('Paused').isConnected).toBe(true);
  });

  it('a failed row shows its whole error, and a button copies it', async () => {
    const message = `Access denied: ${'the bucket policy refuses PutObject for this key; '.repeat(4)}ask its owner.`;
    await renderApp({
      snapshot: { jobs: [makeJob({ name: 'x.bin', state: 'failed', error: { code: 'ACCESS_DENIED', message, retryable: false } })] },
    });
    const row = screen.getByRole('row', { name: 'x.bin' });
    expect(within(row).getByText(message).isConnected).toBe(true);
    expect(within(row).getByRole('button', { name: 'Copy the error of x.bin' }).isConnected).toBe(true);
  });

  it('Escape closes the top dialog even when the focus fell out of it', async () => {
    const { user } = await renderApp({ snapshot: { jobs: [makeJob()] } });
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    expect(screen.getByRole('dialog', { name: 'Settings' }).isConnected).toBe(true);
    // a button that disables itself while it works drops the focus to <body>
    (document.activeElement as HTMLElement).blur();
    expect(document.activeElement).toBe(document.body);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog', { name: 'Settings' })).toBeNull();
  });
});
