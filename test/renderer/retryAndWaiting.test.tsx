// Issue #11, defects 8 and 10 in the window: a retrying upload says so (not a speed, not an ETA);
// a job waiting for its file is its own state, not counted Active, with "Choose file…".
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeJob, MiB } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

const row = (name: string) => screen.getByRole('row', { name });

describe('a retrying upload', () => {
  it('shows "Retrying in N s: <why> (attempt N)" in its row and the summary, speed 0 and no ETA', async () => {
    const job = makeJob({ name: 'dump.sql', state: 'uploading', size: 100 * MiB, bytesDone: 40 * MiB });
    const { fake } = await renderApp({ snapshot: { jobs: [job] } });
    act(() => fake.emit('jobsProgress', { updates: [{ id: job.id, bytesDone: 40 * MiB, bytesPerSecond: 5 * MiB }] }));
    expect(within(row('dump.sql')).getByText(/^5[.0]* MiB\/s$/)).toBeTruthy();

    const retry = {
      attempt: 3,
      maxAttempts: null,
      nextRetryAt: Date.now() + 8_000,
      giveUpAt: null,
      error: { code: 'ENDPOINT_UNREACHABLE' as const, message: 'Cannot reach the endpoint "rgw" (ECONNREFUSED).' },
    };
    act(() => fake.emit('jobsChanged', { jobs: [{ ...job, retry }] }));
    const r = within(row('dump.sql'));
    expect(r.getByText(/^Retrying in [78] s: cannot reach the endpoint \(attempt 3\)$/)).toBeTruthy();
    expect(r.getByText('Retrying')).toBeTruthy();
    expect(r.queryByText(/^5[.0]* MiB\/s$/)).toBeNull();
    const summary = screen.getByRole('region', { name: 'Transfer summary' });
    expect(within(summary).getByText(/^Retrying in [78] s: cannot reach the endpoint \(attempt 3\)$/)).toBeTruthy();

    // the endpoint answers again: the row is an upload again
    act(() => fake.emit('jobsChanged', { jobs: [{ ...job, retry: null }] }));
    expect(within(row('dump.sql')).queryByText(/Retrying/)).toBeNull();
  });
});

describe('a job waiting for its file', () => {
  it('is "Waiting for file", not Active, and "Choose file…" gives it the file', async () => {
    const waiting = makeJob({ name: 'movie.bin', source: 'browser', state: 'queued', waitingForFile: true, size: 12 });
    const queued = makeJob({ name: 'other.bin', state: 'queued' });
    const { fake, user } = await renderApp({ snapshot: { jobs: [waiting, queued] } });
    const r = within(row('movie.bin'));
    expect(r.getByText('Waiting for file')).toBeTruthy();
    expect(r.queryByText('Queued')).toBeNull();
    expect(screen.getByRole('tab', { name: 'Active 1' })).toBeTruthy();

    fake.handle('attachBrowserFiles', () => ({ attached: [{ jobId: waiting.id, fileId: 'picked' }] }));
    const input = r.getByLabelText('Choose the file for movie.bin');
    const file = new File(['hello world!'], 'movie.bin', { lastModified: 1_700_000_000_000 });
    await user.upload(input as HTMLInputElement, file);
    const [request] = fake.requests('attachBrowserFiles');
    expect(request?.files).toEqual([expect.objectContaining({ name: 'movie.bin', size: 12, lastModified: 1_700_000_000_000 })]);
    expect(request?.destination).toBeUndefined();
  });
});

describe('the "give up after" setting', () => {
  it('is a Settings field, saved in minutes', async () => {
    const { user, fake } = await renderApp({ snapshot: { settings: { resumeOnLaunch: true, theme: 'system', giveUpAfterMinutes: 15 } } });
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    const field = within(dialog).getByRole('spinbutton', { name: /Give up after an outage of \(minutes\)/ });
    expect((field as HTMLInputElement).value).toBe('15');
    await user.clear(field);
    await user.type(field, '45');
    await user.tab();
    expect(fake.requests('setSettings')).toEqual([{ giveUpAfterMinutes: 45 }]);
  });
});
