// A command's answer and the job events that came before it (issue #13): the window folds job events
// and applies them once per frame, and a command's answer at once. Events sent before the answer
// are older than it: applied a frame after it, they undid it.
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeEndpoint, makeJob, MiB } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

describe('a command answer and the job events before it', () => {
  it('a removed row does not come back with an event sent before the removal', async () => {
    const done = makeJob({ name: 'report.pdf', state: 'completed', size: MiB, bytesDone: MiB });
    const other = makeJob({ name: 'notes.txt', state: 'uploading', size: 10 * MiB, bytesDone: MiB });
    const frames: (() => void)[] = [];
    const { store, fake } = await renderApp({ snapshot: { jobs: [done, other] }, scheduleJobEvents: (flush) => frames.push(flush) });
    expect(screen.getByRole('row', { name: 'report.pdf' }).isConnected).toBe(true);

    // the host told of the completed job again (its receipt was written), then the user removed it
    act(() => fake.emit('jobsChanged', { jobs: [{ ...done, completedAt: done.createdAt + 5 }] }));
    await act(() => store.getState().clearJobs([done.id]));
    await waitFor(() => expect(screen.queryByRole('row', { name: 'report.pdf' })).toBeNull());

    // the next frame applies what is still waiting: nothing older than the answer
    act(() => {
      for (const flush of frames.splice(0)) flush();
    });
    expect(screen.queryByRole('row', { name: 'report.pdf' })).toBeNull();
    expect(screen.getByRole('row', { name: 'notes.txt' }).isConnected).toBe(true);
  });

  it('a new upload keeps the state its answer gave, not the one of the event before it', async () => {
    const endpoint = makeEndpoint({ id: 'e1', name: 'Main' });
    const frames: (() => void)[] = [];
    const { store, fake } = await renderApp({
      snapshot: { endpoints: [endpoint], jobs: [] },
      scheduleJobEvents: (flush) => frames.push(flush),
    });
    act(() => store.getState().setDestination({ endpointId: 'e1', bucket: 'photos', prefix: '' }));
    const job = makeJob({ id: 'new-1', name: 'movie.mkv', endpointId: 'e1', bucket: 'photos', key: 'movie.mkv', size: 10 * MiB });
    fake.handle('addPaths', () => {
      // the host told of the new job as it was queued, then answered with it already uploading
      fake.emit('jobsAdded', { jobs: [{ ...job, state: 'queued', bytesDone: 0 }] });
      return { jobs: [{ ...job, state: 'uploading', bytesDone: 2 * MiB }] };
    });
    await act(() => store.getState().uploadPaths(['/home/me/movie.mkv']));
    act(() => {
      for (const flush of frames.splice(0)) flush();
    });
    expect(store.getState().jobs.get('new-1')).toMatchObject({ state: 'uploading', bytesDone: 2 * MiB });
    expect(screen.getByRole('row', { name: 'movie.mkv' }).textContent).toContain('Uploading');
  });
});
