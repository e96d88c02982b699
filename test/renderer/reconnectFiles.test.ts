// After a reconnect the page offers the host its files again (it let go of them with the link): what a
// reconnect within a reconnect, or pages that could not be read, must not make the page forget.
import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../shared/contract.ts';
import { attachByName, browserWindow, done, holdPages, ticks, waitUntil, withFiles } from './browserWindow.ts';
import { makeJob, MiB } from './fixtures.ts';

describe('reconnects and the files this page holds', () => {
  it('a second reconnect while the first one’s pages come: the files of the later pages are still offered again', async () => {
    const a = makeJob({ id: 'a', name: 'a.bin', size: MiB, state: 'uploading', source: 'browser' });
    const b = makeJob({ id: 'b', name: 'b.bin', size: MiB, state: 'uploading', source: 'browser' });
    const { fake, store, files, shown, reconnect } = await withFiles([a, b]);
    fake.emit('jobsChanged', { jobs: [done(a)] });

    // the host let go of b's file: b waits for it; pages of one job
    fake.snapshot.jobs = [done(a), { ...b, state: 'queued', waitingForFile: true }];
    attachByName(fake, [a, b]);
    const held = holdPages(fake, 1);
    reconnect(); // first reconnect: its first page is in, the second waits
    await waitUntil(() => held.length === 1);
    reconnect(); // the link dropped and came back again
    await waitUntil(() => held.length === 2);
    held.shift()!(); // the first reconnect's page comes late: that snapshot is superseded
    await ticks(5);
    held.shift()!(); // the second reconnect's page
    await waitUntil(() => store.getState().jobsLive);
    await ticks(5);

    expect.soft(shown).toEqual([]);
    expect.soft(files.bound().map((each) => each.jobId)).toEqual(['b']);
    expect.soft(fake.requests('attachBrowserFiles').flatMap((request) => request.files.map((info) => info.name))).toContain('b.bin');
    expect(shown).toEqual([]);
  });

  it('pages that could not be read: the files of jobs in the unread pages are not forgotten', async () => {
    const a = makeJob({ id: 'a', name: 'a.bin', size: MiB, state: 'uploading', source: 'browser' });
    const b = makeJob({ id: 'b', name: 'b.bin', size: MiB, state: 'uploading', source: 'browser' });
    const { fake, store, files, reconnect } = await withFiles([a, b]);
    fake.snapshot.jobs = [
      { ...a, state: 'queued', waitingForFile: true },
      { ...b, state: 'queued', waitingForFile: true },
    ];
    attachByName(fake, [a, b]);
    fake.pageSize = 1;
    fake.fail('jobsPage', { message: 'This list of uploads is no longer available.' });
    reconnect();
    await waitUntil(() => fake.commandNames().includes('attachBrowserFiles'));
    await ticks(5);
    expect(store.getState().jobs.has('b')).toBe(false); // the list is partial, and says so
    // b still exists on the host and waits for the file this page holds
    expect(
      files
        .bound()
        .map((each) => each.jobId)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('a reconnect whose retry of the pages is superseded still retries its own failed pages once', async () => {
    const a = makeJob({ id: 'a', size: MiB, state: 'uploading' });
    const b = makeJob({ id: 'b', size: MiB, state: 'uploading' });
    const { fake, store, shown, reconnect } = await browserWindow([a, b]);
    fake.snapshot.jobs = [a, b];
    fake.pageSize = 1;
    const serve = fake.handler('jobsPage');
    let failures = 1;
    const held: (() => void)[] = [];
    fake.handle('jobsPage', (request) => {
      if (failures-- > 0) throw new Error('cursor gone');
      return new Promise((resolve) => held.push(() => resolve(serve(request) as never)));
    });
    reconnect(); // its pages fail once: the retry's page waits
    await waitUntil(() => held.length === 1);
    reconnect(); // a second reconnect supersedes the retry
    failures = 1; // ...and its pages fail once (a transient error, retried once normally)
    await ticks(10);
    held.splice(0).forEach((release) => release());
    await ticks(10);
    expect.soft(store.getState().jobs.has('b')).toBe(true);
    expect.soft(store.getState().jobsLive).toBe(true);
    fake.emit('jobsChanged', { jobs: [done(a), done(b)] });
    expect(shown).toEqual(['Uploads finished: 2 files (2.00 MiB) uploaded.']);
  });
  it('a reconnect during the first reconnect’s offer of the files: no "drop them again" error', async () => {
    const a = makeJob({ id: 'a', name: 'a.bin', size: MiB, state: 'uploading', source: 'browser' });
    const { fake, store, files, reconnect } = await withFiles([a]);
    fake.snapshot.jobs = [{ ...a, state: 'queued', waitingForFile: true }];
    let first = true;
    fake.handle('attachBrowserFiles', ({ files: offered }) => {
      if (first) {
        first = false;
        // as the websocket bridge rejects a command whose answer the dropped link took with it
        throw new BridgeError({
          code: 'HOST_DISCONNECTED',
          message: 'The connection to Ferry was lost before it answered (attachBrowserFiles).',
          retryable: true,
        });
      }
      return { attached: offered.map((info) => ({ jobId: 'a', fileId: info.fileId })) };
    });
    reconnect();
    await ticks(5);
    reconnect();
    await waitUntil(() => store.getState().jobsLive);
    expect.soft(files.bound().map((each) => each.jobId)).toEqual(['a']);
    expect(store.getState().notices.map((notice) => notice.title)).toEqual([]);
  });
  it('the host lets go of the files after the reconnect’s snapshot (old socket closed late): the page offers them again', async () => {
    const a = makeJob({ id: 'a', name: 'a.bin', size: MiB, state: 'uploading', source: 'browser' });
    const b = makeJob({ id: 'b', name: 'b.bin', size: MiB, state: 'uploading', source: 'browser' });
    const { fake, store, shown, reconnect } = await withFiles([a, b]);
    attachByName(fake, [a, b]);
    fake.emit('jobsChanged', { jobs: [done(a)] });
    fake.snapshot.jobs = [done(a), b]; // the host has not yet seen the old socket close
    reconnect();
    await waitUntil(() => store.getState().jobsLive);
    // now it does: b waits for its file
    fake.emit('jobsChanged', { jobs: [{ ...b, state: 'queued', waitingForFile: true }] });
    await ticks(5);
    expect.soft(shown).toEqual([]);
    expect(fake.commandNames()).toContain('attachBrowserFiles');
  });
});
