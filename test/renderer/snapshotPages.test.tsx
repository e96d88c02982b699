import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { JobView, Snapshot } from '../../shared/contract.ts';
import { startFerry } from '../../renderer/app.ts';
import { takeFirstPage } from '../../renderer/bridge/firstPage.ts';
import { FIRST_PAGE_ID } from '../../shared/wire.ts';
import { App } from '../../renderer/components/App.tsx';
import { selectCounts } from '../../renderer/store/selectors.ts';
import { createFakeApi } from './fakeApi.ts';
import { makeJob, MiB } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';
import { holdPages } from './browserWindow.ts';

/** A fake host whose snapshot comes in pages of `pageSize`; each page after the first waits in `held` until called. */
function pagesHeld(jobs: JobView[], pageSize: number) {
  const fake = createFakeApi({ jobs });
  return { fake, held: holdPages(fake, pageSize) };
}

describe('a snapshot in pages', () => {
  it('shows the first page at once, says how many are still coming, and applies what changed after the last', async () => {
    const jobs = Array.from({ length: 25 }, (_, index) =>
      makeJob({ id: `p${index}`, name: `part-${String(index).padStart(2, '0')}.bin`, size: MiB, batchId: 'B1', batchName: 'parts' }),
    );
    const { fake, held } = pagesHeld(jobs, 10);
    const { store } = await renderApp({ fake });

    // the first page is drawn; the note says the rest is on its way
    expect(screen.getByRole('row', { name: 'parts' })).toBeVisible();
    expect(screen.getByText(/Loading uploads/).textContent).toBe('Loading uploads… 10 of 25');
    expect(screen.getByRole('tab', { name: 'All 10' })).toBeVisible();

    // what happens meanwhile is applied once every page is in (a page says where its jobs were when read)
    act(() => {
      fake.emit('jobsChanged', {
        jobs: [{ ...jobs[22]!, state: 'failed', error: { code: 'ACCESS_DENIED', message: 'No.', retryable: false } }],
      });
      fake.emit('jobsRemoved', { ids: ['p1'] });
      fake.emit('jobsAdded', { jobs: [makeJob({ id: 'late', name: 'late.bin' })] });
    });
    expect(store.getState().jobs.has('p1')).toBe(true);

    await waitFor(() => expect(held).toHaveLength(1));
    act(() => held.shift()!());
    await waitFor(() => expect(screen.getByText(/Loading uploads/).textContent).toBe('Loading uploads… 20 of 25'));
    expect(screen.getByRole('tab', { name: 'All 20' })).toBeVisible();

    await waitFor(() => expect(held).toHaveLength(1));
    act(() => held.shift()!());
    await waitFor(() => expect(screen.queryByText(/Loading uploads/)).toBeNull());
    expect(selectCounts(store.getState())).toMatchObject({ all: 25, failed: 1 });
    expect(store.getState().jobs.has('p1')).toBe(false);
    expect(store.getState().jobOrder).toEqual([...jobs.filter((job) => job.id !== 'p1').map((job) => job.id), 'late']);
    expect(within(screen.getByRole('row', { name: 'parts' })).getByText(/1 failed/)).toBeVisible();
  });

  it('puts files added while the pages come after the jobs of those pages, where a new snapshot has them', async () => {
    const jobs = Array.from({ length: 25 }, (_, index) => makeJob({ id: `o${index}`, name: `old-${index}.bin`, size: MiB }));
    const { fake, held } = pagesHeld(jobs, 10);
    const { store } = await renderApp({ fake });
    // a drop while the pages come: the host added the job (its event waits), then answered
    const added = makeJob({ id: 'new-1', name: 'new.bin', size: MiB, state: 'queued' });
    act(() => fake.emit('jobsAdded', { jobs: [added] }));
    act(() => store.getState().applyAnswer({ upserts: [added] }));
    expect(store.getState().jobs.get('new-1')?.state).toBe('queued');

    for (let page = 0; page < 2; page++) {
      await waitFor(() => expect(held).toHaveLength(1));
      act(() => held.shift()!());
    }
    await waitFor(() => expect(store.getState().jobsLoading).toBeNull());
    expect(store.getState().jobOrder).toEqual([...jobs.map((job) => job.id), 'new-1']);
  });

  it('takes a new snapshot when the rest of the pages are no longer there', async () => {
    const jobs = Array.from({ length: 5 }, (_, index) => makeJob({ id: `q${index}` }));
    const fake = createFakeApi({ jobs });
    fake.pageSize = 2;
    const serve = fake.handler('jobsPage');
    let failures = 1;
    fake.handle('jobsPage', (request) => {
      if (failures-- > 0) throw new Error('gone');
      return serve(request);
    });
    const { store } = await renderApp({ fake });
    await waitFor(() => expect(store.getState().jobsLoading).toBeNull());
    expect(store.getState().jobOrder).toEqual(jobs.map((job) => job.id));
    expect(fake.commandNames().filter((name) => name === 'snapshot')).toHaveLength(2);
  });

  it('shows the first page handed with the document before the socket answers, then the snapshot of the socket', async () => {
    const jobs = Array.from({ length: 3 }, (_, index) =>
      makeJob({ id: `d${index}`, name: `doc-${index}.pdf`, size: MiB, state: 'queued' }),
    );
    const fake = createFakeApi({ jobs });
    // the page the host served: its snapshot when the link was opened
    const firstPage: Snapshot = fake.answerSnapshot(fake.snapshot);
    // the socket's snapshot comes later, and a job completed meanwhile
    let answer: (() => void) | null = null;
    fake.handle(
      'snapshot',
      () =>
        new Promise<Snapshot>((resolve) => {
          answer = () =>
            resolve(
              fake.answerSnapshot({ ...fake.snapshot, jobs: [{ ...jobs[0]!, state: 'completed', bytesDone: MiB }, jobs[1]!, jobs[2]!] }),
            );
        }),
    );
    const { store } = startFerry({ api: fake.api, firstPage });
    render(<App store={store} />);
    expect(screen.getByRole('row', { name: 'doc-0.pdf' })).toBeVisible();
    expect(screen.getByRole('tab', { name: 'All 3' })).toBeVisible();
    expect(store.getState().jobs.get('d0')?.state).toBe('queued');

    // events before the socket's snapshot are in that snapshot: not applied on the preview
    act(() => fake.emit('jobsRemoved', { ids: ['d2'] }));
    expect(screen.getByRole('row', { name: 'doc-2.pdf' })).toBeVisible();

    await waitFor(() => expect(answer).not.toBeNull());
    await act(async () => answer!());
    await waitFor(() => expect(store.getState().jobs.get('d0')?.state).toBe('completed'));
    expect(screen.getByRole('row', { name: 'doc-2.pdf' })).toBeVisible();
  });
});

describe('the first page handed with the document', () => {
  it('that does not read as a snapshot is left out: the window loads from the socket', async () => {
    const jobs = [makeJob({ id: 'm0', name: 'movie.mkv', size: MiB, state: 'queued' })];
    const fake = createFakeApi({ jobs });
    const { jobs: page, jobCount } = fake.answerSnapshot(fake.snapshot);
    // the jobs read as a page, the rest of a snapshot is missing (a truncated or altered block)
    const block = document.createElement('script');
    block.type = 'application/json';
    block.id = FIRST_PAGE_ID;
    block.textContent = JSON.stringify({ jobs: page, jobCount });
    document.head.append(block);
    const firstPage = takeFirstPage(window);
    expect(document.getElementById(FIRST_PAGE_ID)).toBeNull();

    const { store } = startFerry({ api: fake.api, firstPage });
    render(<App store={store} />);
    expect(await screen.findByRole('row', { name: 'movie.mkv' })).toBeVisible();
    expect(store.getState().endpoints).toEqual(fake.snapshot.endpoints);
  });

  it('is not taken for the loaded window when the snapshot of the socket fails: it offers to try again', async () => {
    const jobs = [makeJob({ id: 'f0', name: 'film.mkv', size: MiB, state: 'queued' })];
    const fake = createFakeApi({ jobs });
    const firstPage = fake.answerSnapshot(fake.snapshot);
    // the first socket closed before it opened: the snapshot asked on it is lost (its first open is
    // no reconnect, so nothing asks again)
    const serve = fake.handler('snapshot');
    let failures = 1;
    fake.handle('snapshot', (request) => {
      if (failures-- > 0) throw new Error('The connection to Ferry was lost before it answered (snapshot).');
      return serve(request);
    });
    const { store } = startFerry({ api: fake.api, firstPage });
    const user = userEvent.setup();
    render(<App store={store} />);
    // the preview's rows would stay as they were: no event is applied to them
    const retry = await screen.findByRole('button', { name: 'Try again' });
    expect(screen.queryByRole('row', { name: 'film.mkv' })).toBeNull();

    await user.click(retry);
    expect(await screen.findByRole('row', { name: 'film.mkv' })).toBeVisible();
    act(() => fake.emit('jobsChanged', { jobs: [{ ...jobs[0]!, state: 'completed', bytesDone: MiB }] }));
    expect(store.getState().jobs.get('f0')?.state).toBe('completed');
  });
});
