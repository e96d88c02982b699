import { act, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { makeJob, MiB } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

/** How many times each row rendered: the row reads its job with useJob, once per render. */
const rowRenders = vi.hoisted(() => new Map<string, number>());
vi.mock('../../renderer/store/hooks.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../renderer/store/hooks.ts')>();
  return {
    ...real,
    useJob: (id: string) => {
      rowRenders.set(id, (rowRenders.get(id) ?? 0) + 1);
      return real.useJob(id);
    },
  };
});

const row = (name: string) => screen.getByRole('row', { name });

describe('a job row', () => {
  it('shows the state in words, progress, speed and time left of an upload', async () => {
    const job = makeJob({
      name: 'interview.mp4',
      state: 'uploading',
      size: 400 * MiB,
      bytesDone: 100 * MiB,
      bucket: 'media',
      key: 'raw/interview.mp4',
    });
    const { fake } = await renderApp({ snapshot: { jobs: [job] } });
    act(() => fake.emit('jobsProgress', { updates: [{ id: job.id, bytesDone: 200 * MiB, bytesPerSecond: 10 * MiB }] }));
    const r = within(row('interview.mp4'));
    expect(r.getByText('Uploading')).toBeVisible();
    expect(r.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50');
    expect(r.getByText('200 MiB of 400 MiB')).toBeVisible();
    expect(r.getByText('10.0 MiB/s')).toBeVisible();
    expect(r.getByText('20 s')).toBeVisible(); // 200 MiB left at 10 MiB/s
    expect(r.getByText(/s3:\/\/media\/raw\/interview\.mp4/)).toBeVisible();
    expect(r.getByText(/Studio MinIO/)).toBeVisible();
  });

  it('shows a failure’s error in words, and the hint for a job waiting for its file', async () => {
    const failed = makeJob({
      name: 'a.bin',
      state: 'failed',
      error: { code: 'NO_SUCH_BUCKET', message: 'The bucket "photos" does not exist on Studio MinIO.', retryable: false },
    });
    const waiting = makeJob({ name: 'b.bin', state: 'queued', source: 'browser', waitingForFile: true });
    const paused = makeJob({ name: 'c.bin', state: 'paused' });
    const done = makeJob({ name: 'd.bin', state: 'completed', bytesDone: 100 * MiB });
    await renderApp({ snapshot: { jobs: [failed, waiting, paused, done] } });
    expect(within(row('a.bin')).getByText('Failed')).toBeVisible();
    expect(within(row('a.bin')).getByText('The bucket "photos" does not exist on Studio MinIO.')).toBeVisible();
    expect(within(row('b.bin')).getByText('Waiting for its file — drop it again to resume')).toBeVisible();
    expect(within(row('c.bin')).getByText('Paused')).toBeVisible();
    expect(within(row('d.bin')).getByText('Completed')).toBeVisible();
    expect(within(row('d.bin')).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });

  it('Pause, Resume and Retry send the command for that job', async () => {
    const uploading = makeJob({ name: 'up.bin', state: 'uploading' });
    const paused = makeJob({ name: 'paused.bin', state: 'paused' });
    const failed = makeJob({ name: 'failed.bin', state: 'failed' });
    const { user, fake } = await renderApp({ snapshot: { jobs: [uploading, paused, failed] } });
    await user.click(within(row('up.bin')).getByRole('button', { name: 'Pause' }));
    await user.click(within(row('paused.bin')).getByRole('button', { name: 'Resume' }));
    await user.click(within(row('failed.bin')).getByRole('button', { name: 'Retry' }));
    expect(fake.requests('pauseJobs')).toEqual([{ ids: [uploading.id] }]);
    expect(fake.requests('resumeJobs')).toEqual([{ ids: [paused.id] }]);
    expect(fake.requests('retryJobs')).toEqual([{ ids: [failed.id] }]);
    // only what the state machine allows is offered
    expect(within(row('paused.bin')).queryByRole('button', { name: 'Pause' })).toBeNull();
    expect(within(row('up.bin')).queryByRole('button', { name: 'Retry' })).toBeNull();
  });

  it('Abort asks first; Cancel sends nothing, confirming sends abortJobs', async () => {
    const job = makeJob({ name: 'big.iso', state: 'uploading' });
    const { user, fake } = await renderApp({ snapshot: { jobs: [job] } });
    await user.click(within(row('big.iso')).getByRole('button', { name: 'Abort' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Abort big.iso?' });
    expect(within(dialog).getByText(/deleted from the server/)).toBeVisible();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(fake.requests('abortJobs')).toEqual([]);
    expect(screen.queryByRole('alertdialog')).toBeNull();

    await user.click(within(row('big.iso')).getByRole('button', { name: 'Abort' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Abort upload' }));
    expect(fake.requests('abortJobs')).toEqual([{ ids: [job.id] }]);
  });

  it('Escape closes the abort confirmation without aborting', async () => {
    const job = makeJob({ name: 'big.iso', state: 'paused' });
    const { user, fake } = await renderApp({ snapshot: { jobs: [job] } });
    await user.click(within(row('big.iso')).getByRole('button', { name: 'Abort' }));
    expect(document.activeElement?.textContent).toBe('Cancel'); // a destructive action does not take the focus
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(fake.requests('abortJobs')).toEqual([]);
  });

  it('shows a command’s error in words when the engine refuses', async () => {
    const job = makeJob({ name: 'big.iso', state: 'failed' });
    const { user, fake } = await renderApp({ snapshot: { jobs: [job] } });
    fake.fail('retryJobs', {
      code: 'FILE_CHANGED',
      message:
        'The file changed since the upload started (size was 10 bytes, now 12): /data/big.iso. Start a new upload of the file as it is now.',
    });
    await user.click(within(row('big.iso')).getByRole('button', { name: 'Retry' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not retry big.iso');
    expect(alert.textContent).toContain('The file changed since the upload started');
    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('a progress tick re-renders only the rows whose jobs moved', async () => {
    const jobs = Array.from({ length: 5 }, (_, index) => makeJob({ name: `clip-${index}.mov`, state: 'uploading' }));
    const { fake } = await renderApp({ snapshot: { jobs } });
    const before = new Map(rowRenders);
    act(() => fake.emit('jobsProgress', { updates: [{ id: jobs[2]!.id, bytesDone: 5 * MiB, bytesPerSecond: 1 * MiB }] }));
    expect(within(row('clip-2.mov')).getByText('5.00 MiB of 100 MiB')).toBeVisible();
    const rendered = jobs.filter((job) => rowRenders.get(job.id) !== before.get(job.id)).map((job) => job.name);
    expect(rendered).toEqual(['clip-2.mov']);

    // a state change of one job re-renders that row (the list may re-render, the other rows do not)
    const again = new Map(rowRenders);
    act(() => fake.emit('jobsChanged', { jobs: [{ ...jobs[4]!, state: 'paused' }] }));
    expect(jobs.filter((job) => rowRenders.get(job.id) !== again.get(job.id)).map((job) => job.name)).toEqual(['clip-4.mov']);
  });
});
