// The browser host's "Uploads finished": a batch ends when nothing in it is active any more, read
// from the window's store as the window fills it (snapshots, their pages, events, reconnects).
import { describe, expect, it } from 'vitest';
import { browserWindow, done, holdPages, ticks, waitUntil, withFiles } from './browserWindow.ts';
import { makeJob, MiB } from './fixtures.ts';

describe('the notification of a finished batch', () => {
  it('comes once when the last upload of a batch completes', async () => {
    const a = makeJob({ id: 'a', size: MiB, state: 'uploading' });
    const b = makeJob({ id: 'b', size: MiB, state: 'uploading' });
    const { fake, shown } = await browserWindow([a, b]);
    fake.emit('jobsChanged', { jobs: [done(a)] });
    expect(shown).toEqual([]);
    fake.emit('jobsChanged', { jobs: [done(b)] });
    expect(shown).toEqual(['Uploads finished: 2 files (2.00 MiB) uploaded.']);
  });

  it('does not come when a reconnect’s snapshot has shown only its first page, the batch’s uploads in a later one', async () => {
    const a = makeJob({ id: 'a', size: MiB, state: 'uploading' });
    const old = makeJob({ id: 'old', size: MiB, state: 'completed' });
    const b = makeJob({ id: 'b', size: MiB, state: 'uploading' });
    const { fake, store, shown, reconnect } = await browserWindow([a, old, b]);
    fake.emit('jobsChanged', { jobs: [done(a)] });

    // the socket dropped and came back: the host's list is as before, in pages of two
    fake.snapshot.jobs = [done(a), old, b];
    const held = holdPages(fake, 2);
    reconnect();
    await waitUntil(() => held.length === 1);
    // the first page holds a (completed) and an old job: b, still uploading, is in the page that waits
    expect([...store.getState().jobs.keys()]).toEqual(['a', 'old']);
    expect(shown).toEqual([]);

    held.shift()!();
    await waitUntil(() => store.getState().jobsLoading === null && store.getState().jobs.has('b'));
    expect(shown).toEqual([]);
    fake.emit('jobsChanged', { jobs: [done(b)] });
    expect(shown).toEqual(['Uploads finished: 2 files (2.00 MiB) uploaded.']);
  });

  it('does not come when a reconnect’s snapshot shows this page’s uploads waiting for the files it offers again', async () => {
    const a = makeJob({ id: 'a', size: MiB, state: 'uploading', source: 'browser' });
    const b = makeJob({ id: 'b', size: MiB, state: 'uploading', source: 'browser' });
    const { fake, files, shown, reconnect } = await withFiles([a, b]);
    fake.emit('jobsChanged', { jobs: [done(a)] });

    // the host let go of b's file when the socket dropped: b waits for it until the page offers it again
    fake.snapshot.jobs = [done(a), { ...b, state: 'queued', waitingForFile: true }];
    fake.handle('attachBrowserFiles', ({ files: offered }) => ({ attached: offered.map((info) => ({ jobId: 'b', fileId: info.fileId })) }));
    reconnect();
    await waitUntil(() => fake.commandNames().includes('attachBrowserFiles'));
    await ticks(5);
    expect(files.bound().map((each) => each.jobId)).toEqual(['b']);
    expect(shown).toEqual([]);

    fake.emit('jobsChanged', { jobs: [{ ...b, state: 'uploading' }] });
    fake.emit('jobsChanged', { jobs: [done(b)] });
    expect(shown).toEqual(['Uploads finished: 2 files (2.00 MiB) uploaded.']);
  });

  it('comes after a reconnect when the batch’s last uploads completed while the link was down', async () => {
    const a = makeJob({ id: 'a', size: MiB, state: 'uploading' });
    const b = makeJob({ id: 'b', size: MiB, state: 'uploading' });
    const { fake, store, shown, reconnect } = await browserWindow([a, b]);
    fake.snapshot.jobs = [done(a), done(b)];
    const held = holdPages(fake, 1);
    reconnect();
    await waitUntil(() => held.length === 1);
    expect(store.getState().jobsLive).toBe(false);
    held.shift()!();
    await waitUntil(() => store.getState().jobsLive);
    expect(shown).toEqual(['Uploads finished: 2 files (2.00 MiB) uploaded.']);
  });

  it('counts an upload of the batch that completed and was cleared from the list before the batch ended', async () => {
    const a = makeJob({ id: 'a', size: MiB, state: 'uploading' });
    const b = makeJob({ id: 'b', size: MiB, state: 'uploading' });
    const { fake, store, shown } = await browserWindow([a, b]);
    fake.emit('jobsChanged', { jobs: [done(a)] });
    await store.getState().clearJobs(['a']);
    expect(store.getState().jobs.has('a')).toBe(false);
    fake.emit('jobsChanged', { jobs: [{ ...b, state: 'paused' }] });
    expect(shown).toEqual(['Uploads finished: 1 file (1.00 MiB) uploaded.']);
  });
});
