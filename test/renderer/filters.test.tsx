import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeJob } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

const shownNames = () =>
  screen
    .queryAllByRole('row')
    .map((row) => row.getAttribute('aria-label'))
    .filter((name): name is string => name !== null);

describe('filter tabs', () => {
  it('count the jobs of each filter and show only those', async () => {
    const jobs = [
      makeJob({ name: 'up.bin', state: 'uploading' }),
      makeJob({ name: 'queued.bin', state: 'queued' }),
      makeJob({ name: 'paused.bin', state: 'paused' }),
      makeJob({ name: 'failed.bin', state: 'failed' }),
      makeJob({ name: 'done.bin', state: 'completed' }),
      makeJob({ name: 'aborted.bin', state: 'aborted' }),
    ];
    const { user } = await renderApp({ snapshot: { jobs } });
    const tabs = screen.getAllByRole('tab').map((tab) => tab.textContent);
    expect(tabs).toEqual(['All 6', 'Active 2', 'Paused 1', 'Failed 1', 'Completed 1']);
    expect(screen.getByRole('tab', { name: 'All 6' }).getAttribute('aria-selected')).toBe('true');
    expect(shownNames()).toEqual(['up.bin', 'queued.bin', 'paused.bin', 'failed.bin', 'done.bin', 'aborted.bin']);

    await user.click(screen.getByRole('tab', { name: 'Active 2' }));
    expect(shownNames()).toEqual(['up.bin', 'queued.bin']);
    await user.click(screen.getByRole('tab', { name: 'Failed 1' }));
    expect(shownNames()).toEqual(['failed.bin']);
    await user.click(screen.getByRole('tab', { name: 'Completed 1' }));
    expect(shownNames()).toEqual(['done.bin']);
    // arrow keys move between tabs
    await user.keyboard('{ArrowLeft}');
    expect(screen.getByRole('tab', { name: 'Failed 1' }).getAttribute('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('tab', { name: 'Failed 1' }));
  });

  it('follow the engine: a job that fails moves to Failed', async () => {
    const job = makeJob({ name: 'up.bin', state: 'uploading' });
    const { user, fake } = await renderApp({ snapshot: { jobs: [job] } });
    await user.click(screen.getByRole('tab', { name: 'Failed 0' }));
    expect(screen.getByText('No failed uploads.')).toBeVisible();
    act(() =>
      fake.emit('jobsChanged', {
        jobs: [{ ...job, state: 'failed', error: { code: 'TIMEOUT', message: 'The server did not answer in time.', retryable: true } }],
      }),
    );
    expect(screen.getByRole('tab', { name: 'Failed 1' })).toBeVisible();
    expect(within(screen.getByRole('row', { name: 'up.bin' })).getByText('The server did not answer in time.')).toBeVisible();
  });
});

describe('empty states', () => {
  it('first run: no endpoint yet — says what to do first, and the button opens the form', async () => {
    const { user } = await renderApp({ snapshot: { endpoints: [], jobs: [] } });
    expect(screen.getByRole('heading', { name: 'Welcome to Ferry' })).toBeVisible();
    expect(screen.getByText(/First, add an endpoint/)).toBeVisible();
    expect((screen.getByRole('button', { name: 'Add files…' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    const dialog = screen.getByRole('dialog', { name: 'Endpoints' });
    expect(within(dialog).getByRole('form', { name: 'New endpoint' })).toBeVisible();
  });

  it('an endpoint and no uploads: says where a drop goes', async () => {
    const { store } = await renderApp({ snapshot: { jobs: [] } });
    expect(screen.getByRole('heading', { name: 'Drop files or folders here' })).toBeVisible();
    expect(screen.getByText('Choose a bucket to upload to.')).toBeVisible();
    act(() => store.getState().setDestination({ bucket: 'photos', prefix: 'trip/' }));
    expect(screen.getByText('s3://photos/trip/')).toBeVisible();
  });
});
