import { describe, expect, it } from 'vitest';
import { startFerry } from '../../renderer/app.ts';
import { selectCounts, selectTotals, selectVisibleIds } from '../../renderer/store/selectors.ts';
import { waitUntil } from './browserWindow.ts';
import { createFakeApi } from './fakeApi.ts';
import { makeEndpoint, makeJob, MiB } from './fixtures.ts';

async function started(snapshot: Parameters<typeof createFakeApi>[0] = {}) {
  const fake = createFakeApi(snapshot);
  const ferry = startFerry({ api: fake.api });
  await waitUntil(() => ferry.store.getState().loadStatus === 'ready');
  return { fake, ...ferry, state: () => ferry.store.getState() };
}

describe('the store', () => {
  it('takes a snapshot at start: jobs in order, endpoints, settings, host, and a destination', async () => {
    const a = makeJob({ name: 'a.mov', state: 'uploading' });
    const b = makeJob({ name: 'b.mov', state: 'paused' });
    const { state, fake } = await started({ jobs: [a, b], settings: { resumeOnLaunch: false, theme: 'dark' } });
    expect(fake.commandNames()[0]).toBe('snapshot');
    expect(state().jobOrder).toEqual([a.id, b.id]);
    expect(state().jobs.get(a.id)).toMatchObject({ name: 'a.mov', state: 'uploading', bytesPerSecond: 0 });
    expect(state().endpoints.map((endpoint) => endpoint.name)).toEqual(['Studio MinIO']);
    expect(state().settings).toEqual({ resumeOnLaunch: false, theme: 'dark' });
    expect(state().host?.kind).toBe('electron');
    expect(state().destination.endpointId).toBe('minio');
  });

  it('an older settings answer arriving late does not undo a newer change (the destination remembered per endpoint)', async () => {
    const { state, fake } = await started();
    const serve = fake.handler('setSettings');
    const held: (() => void)[] = [];
    fake.handle(
      'setSettings',
      (patch: Parameters<typeof serve>[0]) => new Promise((resolve) => held.push(() => resolve(serve(patch) as never))),
    );
    void state().changeSettings({ destinations: { minio: { bucket: 'photos', prefix: '' } } });
    void state().changeSettings({ destinations: { minio: { bucket: 'photos', prefix: 'other/' } } });
    await waitUntil(() => held.length === 2);
    held.shift()!(); // the first answer comes while the second is on its way
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    // what the window shows, and what a third change would be made from, is still the newest
    expect(state().settings.destinations?.minio?.prefix).toBe('other/');
    held.shift()!();
    await waitUntil(() => held.length === 0);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(state().settings.destinations?.minio?.prefix).toBe('other/');
  });

  it('applies jobsAdded, jobsChanged, jobsProgress, jobsRemoved, endpointsChanged and settingsChanged', async () => {
    const a = makeJob({ name: 'a.mov', state: 'uploading', size: 100 * MiB });
    const { state, fake } = await started({ jobs: [a] });

    const b = makeJob({ name: 'b.mov' });
    fake.emit('jobsAdded', { jobs: [b] });
    expect(state().jobOrder).toEqual([a.id, b.id]);

    fake.emit('jobsProgress', { updates: [{ id: a.id, bytesDone: 40 * MiB, bytesPerSecond: 8 * MiB }] });
    expect(state().jobs.get(a.id)).toMatchObject({ bytesDone: 40 * MiB, bytesPerSecond: 8 * MiB });
    expect(selectTotals(state())).toMatchObject({ bytesPerSecond: 8 * MiB, remainingBytes: 160 * MiB, etaSeconds: 20 });

    fake.emit('jobsChanged', {
      jobs: [{ ...a, state: 'failed', bytesDone: 40 * MiB, error: { code: 'ACCESS_DENIED', message: 'Access denied.', retryable: false } }],
    });
    expect(state().jobs.get(a.id)).toMatchObject({ state: 'failed', bytesPerSecond: 0, error: { message: 'Access denied.' } });
    expect(selectCounts(state())).toMatchObject({ all: 2, active: 1, failed: 1 });

    fake.emit('jobsRemoved', { ids: [b.id] });
    expect(state().jobOrder).toEqual([a.id]);

    fake.emit('endpointsChanged', { endpoints: [makeEndpoint(), makeEndpoint({ id: 'r2', name: 'R2' })] });
    expect(state().endpoints.map((endpoint) => endpoint.id)).toEqual(['minio', 'r2']);

    fake.emit('settingsChanged', { resumeOnLaunch: false, theme: 'light' });
    expect(state().settings.theme).toBe('light');
  });

  it('applies a progress batch in one write; jobs it does not name keep their object', async () => {
    const jobs = [makeJob({ state: 'uploading' }), makeJob({ state: 'uploading' }), makeJob({ state: 'uploading' })];
    const { state, fake, store } = await started({ jobs });
    const before = state().jobs;
    const version = state().jobStatesVersion;
    const visible = selectVisibleIds(state());
    let writes = 0;
    const stop = store.subscribe(() => writes++);
    fake.emit('jobsProgress', {
      updates: [
        { id: jobs[0]!.id, bytesDone: 1 * MiB, bytesPerSecond: 1 * MiB },
        { id: jobs[1]!.id, bytesDone: 2 * MiB, bytesPerSecond: 2 * MiB },
      ],
    });
    stop();
    expect(writes).toBe(1);
    const after = state().jobs;
    expect(after).not.toBe(before); // a new Map
    expect(after.get(jobs[2]!.id)).toBe(before.get(jobs[2]!.id)); // the untouched job is the same object
    expect(after.get(jobs[0]!.id)).not.toBe(before.get(jobs[0]!.id));
    // a tick changes no state: filters and counts are not recomputed
    expect(state().jobStatesVersion).toBe(version);
    expect(selectVisibleIds(state())).toBe(visible);
  });

  it('ignores events that arrive while the snapshot is on its way (the snapshot has them)', async () => {
    const fake = createFakeApi({ jobs: [] });
    let answer: (() => void) | null = null;
    const late = makeJob({ name: 'late.bin' });
    fake.handle(
      'snapshot',
      () => new Promise((resolve) => (answer = () => resolve(fake.answerSnapshot({ ...fake.snapshot, jobs: [late] })))),
    );
    const { store } = startFerry({ api: fake.api });
    await waitUntil(() => answer !== null);
    fake.emit('jobsChanged', { jobs: [{ ...late, state: 'failed' }] });
    answer!();
    await waitUntil(() => store.getState().loadStatus === 'ready');
    expect(store.getState().jobs.get(late.id)?.state).toBe('queued');
  });

  it('says in words when the first snapshot fails, and tries again on request', async () => {
    const fake = createFakeApi();
    fake.fail('snapshot', { message: 'The data directory is locked by process 4242.', code: 'ENGINE_LOCKED' });
    const { store } = startFerry({ api: fake.api });
    await waitUntil(() => store.getState().loadStatus === 'error');
    expect(store.getState().loadError).toBe('The data directory is locked by process 4242.');
    fake.handle('snapshot', () => fake.answerSnapshot(fake.snapshot));
    await store.getState().loadSnapshot();
    expect(store.getState().loadStatus).toBe('ready');
  });

  it('puts a failed command’s error in a notice instead of swallowing it', async () => {
    const job = makeJob({ name: 'big.iso', state: 'uploading' });
    const { state, fake } = await started({ jobs: [job] });
    fake.fail('pauseJobs', { message: 'Cannot pause a job that is completed.', code: 'INVALID_TRANSITION' });
    await state().pauseJobs([job.id]);
    expect(state().notices).toEqual([
      expect.objectContaining({ tone: 'error', title: 'Could not pause big.iso', detail: 'Cannot pause a job that is completed.' }),
    ]);
  });

  it('adds the paths a second launch hands over (pathsOpened) to the destination', async () => {
    const { state, fake } = await started();
    state().setDestination({ bucket: 'photos', prefix: 'inbox' });
    fake.emit('pathsOpened', { paths: ['/home/ana/a.jpg'] });
    await waitUntil(() => fake.requests('addPaths').length === 1);
    expect(fake.requests('addPaths')[0]).toEqual({ endpointId: 'minio', bucket: 'photos', prefix: 'inbox/', paths: ['/home/ana/a.jpg'] });
  });

  it('refuses to add files without a bucket and says what is missing', async () => {
    const { state, fake } = await started();
    await state().uploadPaths(['/home/ana/a.jpg']);
    expect(fake.requests('addPaths')).toEqual([]);
    expect(state().notices[0]).toMatchObject({ tone: 'error', title: '1 item not added', detail: 'Choose a bucket to upload to.' });
  });
});
