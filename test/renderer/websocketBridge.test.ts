import { describe, expect, it, vi } from 'vitest';
import { BridgeError } from '../../shared/contract.ts';
import { decodeFileData } from '../../shared/wire.ts';
import { createWebSocketBridge, hostSocketProtocols, hostSocketUrl } from '../../renderer/bridge/websocketBridge.ts';
import type { ConnectionStatus } from '../../renderer/bridge/connection.ts';
import { ManualTimers, socketFactory } from './fakeSocket.ts';

function bridge() {
  const factory = socketFactory();
  const timers = new ManualTimers();
  const delays: number[] = [];
  const { api, connection } = createWebSocketBridge({
    url: 'ws://127.0.0.1:7777/ws',
    createSocket: factory.create,
    backoff: (attempt) => {
      const delay = 500 * attempt;
      delays.push(delay);
      return delay;
    },
    now: () => 1_000,
    setTimer: timers.set,
    clearTimer: timers.clear,
  });
  return { api, connection, factory, timers, delays };
}

describe('the WebSocket bridge', () => {
  it('connects to the page’s host at /ws, never with a token in the address', () => {
    expect(hostSocketUrl({ protocol: 'http:', host: '127.0.0.1:7777' })).toBe('ws://127.0.0.1:7777/ws');
    expect(hostSocketUrl({ protocol: 'https:', host: 'ferry.local' })).toBe('wss://ferry.local/ws');
    expect(hostSocketProtocols('abc.def')).toEqual(['ferry', 'ferry-session.abc.def']);
    expect(hostSocketProtocols(null)).toEqual(['ferry']);
  });

  it('numbers commands, sends those issued before the open once open, and settles each with its answer', async () => {
    const { api, factory } = bridge();
    const socket = factory.latest();
    expect(socket.binaryType).toBe('arraybuffer');
    const snapshot = api.snapshot({});
    const pause = api.pauseJobs({ ids: ['j1'] });
    expect(socket.sent).toEqual([]);
    socket.accept();
    expect(socket.commands()).toEqual([
      { type: 'command', id: 1, command: 'snapshot', request: {} },
      { type: 'command', id: 2, command: 'pauseJobs', request: { ids: ['j1'] } },
    ]);
    socket.deliver({
      type: 'result',
      id: 2,
      envelope: { ok: false, error: { code: 'INVALID_TRANSITION', message: 'Cannot pause a job that is completed.', retryable: false } },
    });
    socket.deliver({ type: 'result', id: 1, envelope: { ok: true, value: { jobs: [] } } });
    await expect(snapshot).resolves.toEqual({ jobs: [] });
    const error = await pause.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BridgeError);
    expect(error).toMatchObject({ code: 'INVALID_TRANSITION', message: 'Cannot pause a job that is completed.', retryable: false });
  });

  it('passes events to their listeners until they unsubscribe; garbled frames are ignored', () => {
    const { api, factory } = bridge();
    const socket = factory.latest();
    socket.accept();
    const seen: unknown[] = [];
    const off = api.on('jobsRemoved', (payload) => seen.push(payload));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    socket.onmessage?.(new MessageEvent('message', { data: '{not json' }));
    expect(warn).toHaveBeenCalledWith('Ferry: a message from the host is not JSON; ignored.');
    warn.mockRestore();
    socket.deliver({ type: 'event', event: 'jobsRemoved', payload: { ids: ['a'] } });
    socket.deliver({ type: 'event', event: 'settingsChanged', payload: { resumeOnLaunch: true, theme: 'dark' } });
    off();
    socket.deliver({ type: 'event', event: 'jobsRemoved', payload: { ids: ['b'] } });
    expect(seen).toEqual([{ ids: ['a'] }]);
  });

  it('sends file data as one binary frame of shared/wire.ts', () => {
    const { api, factory } = bridge();
    const socket = factory.latest();
    socket.accept();
    api.sendFileData('r1', new TextEncoder().encode('bytes').buffer as ArrayBuffer);
    api.sendFileData('r2', null, 'The file was moved.');
    const frames = socket.sent.filter((frame): frame is Uint8Array => frame instanceof Uint8Array);
    const first = decodeFileData(frames[0]!);
    expect(first.header).toEqual({ requestId: 'r1' });
    expect(new TextDecoder().decode(first.data)).toBe('bytes');
    expect(decodeFileData(frames[1]!).header).toEqual({ requestId: 'r2', error: 'The file was moved.' });
  });

  it('on a drop: rejects what waits, reconnects with backoff, and says when it is back', async () => {
    const { api, connection, factory, timers, delays } = bridge();
    const statuses: ConnectionStatus['state'][] = [];
    connection.onDidChangeStatus((status) => statuses.push(status.state));
    let reconnects = 0;
    connection.onDidReconnect(() => reconnects++);
    const events: unknown[] = [];
    api.on('jobsRemoved', (payload) => events.push(payload));

    factory.latest().accept();
    const waiting = api.listBuckets({ endpointId: 'e' });
    factory.latest().drop();
    const error = await waiting.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).message).toMatch(/connection to Ferry was lost/);
    expect(connection.status).toEqual({ state: 'reconnecting', attempt: 1, retryAt: 1_500 });
    // a click while disconnected is refused in words at once, not queued silently
    await expect(api.pauseJobs({ ids: ['a'] })).rejects.toThrow(/not connected/);

    timers.runNext(); // attempt 1 fails
    factory.latest().drop();
    expect(connection.status.attempt).toBe(2);
    expect(delays).toEqual([500, 1000]);
    timers.runNext(); // attempt 2 succeeds
    factory.latest().accept();
    expect(connection.status).toEqual({ state: 'open', attempt: 0, retryAt: null });
    expect(reconnects).toBe(1);
    expect(statuses).toEqual(['open', 'reconnecting', 'reconnecting', 'open']);
    expect(factory.sockets).toHaveLength(3);
    // listeners survive the reconnect
    factory.latest().deliver({ type: 'event', event: 'jobsRemoved', payload: { ids: ['x'] } });
    expect(events).toEqual([{ ids: ['x'] }]);
  });

  it('reconnectNow skips the wait; close stops for good', () => {
    const { connection, factory, timers } = bridge();
    factory.latest().accept();
    factory.latest().drop();
    expect(timers.pending).toHaveLength(1);
    connection.reconnectNow();
    expect(timers.pending).toHaveLength(0);
    expect(factory.sockets).toHaveLength(2);
    connection.close();
    expect(timers.pending).toHaveLength(0);
    expect(factory.sockets).toHaveLength(2);
  });
});
