import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { SnapshotContents } from '../../shared/contract.ts';
import { startFerry } from '../../renderer/app.ts';
import { createWebSocketBridge } from '../../renderer/bridge/websocketBridge.ts';
import { App } from '../../renderer/components/App.tsx';
import { makeJob, makeSnapshot, wireSnapshot } from './fixtures.ts';
import { ManualTimers, socketFactory, type FakeSocket } from './fakeSocket.ts';

/** A browser host on a fake socket: answers snapshot from `state`, attach with `attach`, everything else with {}. */
function fakeHost(state: {
  snapshot: SnapshotContents;
  attach?: (files: { fileId: string; name: string }[]) => { jobId: string; fileId: string }[];
}) {
  const factory = socketFactory();
  const timers = new ManualTimers();
  const commands: string[] = [];
  const serve = (socket: FakeSocket) => {
    socket.onSent = (text) => {
      const message = JSON.parse(text) as { id: number; command: string; request: { files?: { fileId: string; name: string }[] } };
      commands.push(message.command);
      let value: unknown = {};
      if (message.command === 'snapshot') value = wireSnapshot(state.snapshot);
      if (message.command === 'listBuckets') value = { buckets: [] };
      if (message.command === 'attachBrowserFiles') value = { attached: state.attach?.(message.request.files ?? []) ?? [] };
      if (message.command === 'addBrowserFiles') {
        value = {
          jobs: (message.request.files ?? []).map((file, index) => makeJob({ id: `added-${index}`, name: file.name, source: 'browser' })),
        };
      }
      queueMicrotask(() => socket.deliver({ type: 'result', id: message.id, envelope: { ok: true, value } }));
    };
    socket.accept();
  };
  const bridge = createWebSocketBridge({
    url: 'ws://127.0.0.1:7777/ws',
    createSocket: factory.create,
    backoff: () => 2000,
    setTimer: timers.set,
    clearTimer: timers.clear,
    now: () => Date.now(),
  });
  return { bridge, factory, timers, commands, serve };
}

describe('the connection to the browser host', () => {
  it('shows a banner while disconnected, and takes a new snapshot after the reconnect', async () => {
    const state = { snapshot: makeSnapshot({ jobs: [makeJob({ name: 'first.bin' })] }) };
    const host = fakeHost(state);
    const { store } = startFerry({ api: host.bridge.api, connection: host.bridge.connection });
    render(<App store={store} />);
    act(() => host.serve(host.factory.latest()));
    expect(await screen.findByRole('row', { name: 'first.bin' })).toBeVisible();
    expect(screen.queryByText('Disconnected from Ferry — reconnecting')).toBeNull();

    act(() => host.factory.latest().drop());
    expect(screen.getByRole('alert').textContent).toContain('Disconnected from Ferry — reconnecting');

    state.snapshot = makeSnapshot({ jobs: [makeJob({ name: 'first.bin', state: 'completed' }), makeJob({ name: 'second.bin' })] });
    act(() => host.timers.runNext());
    act(() => host.serve(host.factory.latest()));
    expect(await screen.findByRole('row', { name: 'second.bin' })).toBeVisible();
    expect(host.commands.filter((command) => command === 'snapshot')).toHaveLength(2);
    await waitFor(() => expect(screen.queryByText('Disconnected from Ferry — reconnecting')).toBeNull());
  });

  it('after a reconnect, offers the host the files this page still holds, so no new drop is needed', async () => {
    const state: Parameters<typeof fakeHost>[0] = {
      snapshot: makeSnapshot({ host: { kind: 'browser', version: '0.1.0', vaultWarning: null, canReadPaths: false } }),
    };
    const host = fakeHost(state);
    const { store } = startFerry({ api: host.bridge.api, connection: host.bridge.connection });
    render(<App store={store} />);
    act(() => host.serve(host.factory.latest()));
    await waitFor(() => expect(store.getState().loadStatus).toBe('ready'));
    act(() => store.getState().setDestination({ bucket: 'photos' }));

    const dropped = new File(['0123456789'], 'clip.mov', { lastModified: 1_700_000_000_000 });
    const entry = { isFile: true, isDirectory: false, name: 'clip.mov', file: (ok: (file: File) => void) => ok(dropped) };
    fireEvent.drop(screen.getByRole('heading', { name: 'Drop files or folders here' }), {
      dataTransfer: {
        types: ['Files'],
        files: [dropped],
        items: [{ kind: 'file', webkitGetAsEntry: () => entry, getAsFile: () => dropped }],
      },
    });
    expect(await screen.findByRole('row', { name: 'clip.mov' })).toBeVisible();

    // the host restarts its session: the job waits for its file
    act(() => host.factory.latest().drop());
    state.snapshot = {
      ...state.snapshot,
      jobs: [makeJob({ id: 'added-0', name: 'clip.mov', source: 'browser', state: 'queued', waitingForFile: true })],
    };
    const offered: string[] = [];
    state.attach = (files) => files.map((file) => (offered.push(file.name), { jobId: 'added-0', fileId: file.fileId }));
    act(() => host.timers.runNext());
    act(() => host.serve(host.factory.latest()));
    await waitFor(() => expect(offered).toEqual(['clip.mov']));
    // (listBuckets fills the bar; setSettings remembers the destination the files went to)
    expect(host.commands.filter((command) => command !== 'listBuckets' && command !== 'setSettings')).toEqual([
      'snapshot',
      'attachBrowserFiles',
      'addBrowserFiles',
      'snapshot',
      'attachBrowserFiles',
    ]);
  });
});
