// The browser host's "Uploads finished": a batch ends when nothing in it is active any more, read
// from the window's store as the window fills it (snapshots, their pages, events, reconnects).
import { describe, expect, it } from 'vitest';
import type { CommandRequest, JobsPage, JobView } from '../../shared/contract.ts';
import { startFerry } from '../../renderer/app.ts';
import type { BridgeConnection } from '../../renderer/bridge/connection.ts';
import type { PageNotifications } from '../../renderer/notify/notifications.ts';
import { createFakeApi, type FakeApi } from './fakeApi.ts';
import { makeJob, makeSnapshot, MiB } from './fixtures.ts';

const BROWSER = { kind: 'browser', version: '0.1.0', vaultWarning: null, canReadPaths: false } as const;

/** A link that drops and comes back when the test says so. */
function fakeConnection() {
  const listeners = new Set<() => void>();
  const connection: BridgeConnection = {
    status: { state: 'open', attempt: 0, retryAt: null },
    onDidChangeStatus: () => () => {},
    onDidReconnect(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reconnectNow: () => {},
    close: () => {},
  };
  return { connection, reconnect: () => listeners.forEach((listener) => listener()) };
}

/** A browser host's window with its jobs, the notifications it showed, and a way to reconnect it. */
async function browserWindow(jobs: JobView[]) {
  const fake = createFakeApi(makeSnapshot({ jobs, host: BROWSER }));
  const shown: string[] = [];
  const notifications: PageNotifications = {
    permission: () => 'granted',
    requestPermission: async () => 'granted',
    show: (title, body) => shown.push(`${title}: ${body}`),
  };
  const { connection, reconnect } = fakeConnection();
  const { store, files } = startFerry({ api: fake.api, connection, notifications });
  await waitUntil(() => store.getState().loadStatus === 'ready' && store.getState().jobsLoading === null);
  return { fake, store, files, shown, reconnect };
}

/** Makes the later pages of the next snapshots wait in `held` until the test lets each one go. */
function holdPages(fake: FakeApi, pageSize: number): (() => void)[] {
  fake.pageSize = pageSize;
  const serve = fake.handler('jobsPage');
  const held: (() => void)[] = [];
  fake.handle(
    'jobsPage',
    (request: CommandRequest<'jobsPage'>) => new Promise<JobsPage>((resolve) => held.push(() => resolve(serve(request) as JobsPage))),
  );
  return held;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 0));
  expect(condition()).toBe(true);
}

async function ticks(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

const done = (job: JobView): JobView => ({ ...job, state: 'completed', bytesDone: job.size, completedAt: 1_700_000_100_000 });

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

/** A browser window whose page holds the files of `jobs` (dropped before: the host attached them to the jobs). */
async function withFiles(jobs: JobView[]) {
  const window = await browserWindow(jobs);
  for (const job of jobs) {
    const info = window.files.register({ file: new File(['x'], job.name, { lastModified: 1_700_000_000_000 }), relativePath: '' });
    window.files.bind(info.fileId, job.id);
  }
  return window;
}
