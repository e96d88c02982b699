// A browser host's window over the fake API, for tests of what the window does around reconnects and the
// list's pages (batch notifications, the files this page offers again): the real store, started as the page
// starts it, with a link that drops when the test says so.
import { expect } from 'vitest';
import type { CommandRequest, JobsPage, JobView } from '../../shared/contract.ts';
import { startFerry } from '../../renderer/app.ts';
import type { BridgeConnection } from '../../renderer/bridge/connection.ts';
import type { PageNotifications } from '../../renderer/notify/notifications.ts';
import { createFakeApi, type FakeApi } from './fakeApi.ts';
import { makeSnapshot } from './fixtures.ts';

const BROWSER = { kind: 'browser', version: '0.1.0', vaultWarning: null, canReadPaths: false } as const;

/** A link that drops and comes back when the test says so. */
export function fakeConnection() {
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
export async function browserWindow(jobs: JobView[]) {
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
export function holdPages(fake: FakeApi, pageSize: number): (() => void)[] {
  fake.pageSize = pageSize;
  const serve = fake.handler('jobsPage');
  const held: (() => void)[] = [];
  fake.handle(
    'jobsPage',
    (request: CommandRequest<'jobsPage'>) => new Promise<JobsPage>((resolve) => held.push(() => resolve(serve(request) as JobsPage))),
  );
  return held;
}

export async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 0));
  expect(condition()).toBe(true);
}

export async function ticks(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

export const done = (job: JobView): JobView => ({ ...job, state: 'completed', bytesDone: job.size, completedAt: 1_700_000_100_000 });

/** The host attaches each offered file to the job of that name. */
export function attachByName(fake: FakeApi, jobs: JobView[]) {
  fake.handle('attachBrowserFiles', ({ files: offered }) => ({
    attached: offered.flatMap((info) => {
      const job = jobs.find((each) => each.name === info.name);
      return job ? [{ jobId: job.id, fileId: info.fileId }] : [];
    }),
  }));
}

/** A browser window whose page holds the files of `jobs` (dropped before: the host attached them to the jobs). */
export async function withFiles(jobs: JobView[]) {
  const window = await browserWindow(jobs);
  for (const job of jobs) {
    const info = window.files.register({ file: new File(['x'], job.name, { lastModified: 1_700_000_000_000 }), relativePath: '' });
    window.files.bind(info.fileId, job.id);
  }
  return window;
}
