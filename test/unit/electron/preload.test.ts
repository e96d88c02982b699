// The preload: what it puts on `window` (contextBridge and ipcRenderer mocked).
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES, EVENT_NAMES, fromWire, type FerryWireApi } from '../../../shared/contract.ts';
import { COMMAND_CHANNEL, EVENT_CHANNEL } from '../../../main/electron/channels.ts';

const bridge = vi.hoisted(() => ({
  exposed: new Map<string, Record<string, unknown>>(),
  /** ipcRenderer.on listeners, by channel. */
  channels: new Map<string, (event: unknown, ...args: unknown[]) => void>(),
  invoke: null as unknown as ReturnType<typeof vi.fn>,
  getPathForFile: null as unknown as ReturnType<typeof vi.fn>,
}));

vi.mock('electron', async () => {
  const { vi: v } = await import('vitest');
  bridge.invoke = v.fn();
  bridge.getPathForFile = v.fn(() => '/home/me/photo.jpg');
  return {
    contextBridge: { exposeInMainWorld: v.fn((key: string, api: Record<string, unknown>) => bridge.exposed.set(key, api)) },
    ipcRenderer: {
      invoke: bridge.invoke,
      on: v.fn((channel: string, listener: (event: unknown, ...args: unknown[]) => void) => bridge.channels.set(channel, listener)),
    },
    webUtils: { getPathForFile: bridge.getPathForFile },
  };
});

let ferry: FerryWireApi;
beforeAll(async () => {
  await import('../../../main/electron/preload.ts');
  ferry = bridge.exposed.get('ferry') as unknown as FerryWireApi;
});

/** As main does: webContents.send(EVENT_CHANNEL, event, payload). */
function emit(event: string, payload: unknown): void {
  bridge.channels.get(EVENT_CHANNEL)?.({}, event, payload);
}

describe('the preload', () => {
  it('exposes exactly window.ferry and window.ferryDesktop', () => {
    expect([...bridge.exposed.keys()].sort()).toEqual(['ferry', 'ferryDesktop']);
    expect([...bridge.channels.keys()]).toEqual([EVENT_CHANNEL]);
  });

  it('gives window.ferry one function per command, plus on and sendFileData, and nothing else', () => {
    const api = bridge.exposed.get('ferry')!;
    expect(Object.keys(api).sort()).toEqual([...COMMAND_NAMES, 'on', 'sendFileData'].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    // no generic way in: no invoke, send, ipcRenderer
    expect(api).not.toHaveProperty('invoke');
    expect(api).not.toHaveProperty('ipcRenderer');
  });

  it('sends each command on the command channel, under its own name, and resolves with its envelope', async () => {
    bridge.invoke.mockResolvedValueOnce({ ok: true, value: { buckets: ['a', 'b'] } });
    await expect(ferry.listBuckets({ endpointId: 'e1' })).resolves.toEqual({ ok: true, value: { buckets: ['a', 'b'] } });
    expect(bridge.invoke).toHaveBeenLastCalledWith(COMMAND_CHANNEL, 'listBuckets', { endpointId: 'e1' });
    for (const name of COMMAND_NAMES) {
      bridge.invoke.mockResolvedValueOnce({ ok: true, value: {} });
      await (ferry[name] as (request: unknown) => Promise<unknown>)({});
      expect(bridge.invoke).toHaveBeenLastCalledWith(COMMAND_CHANNEL, name, {});
    }
  });

  it('hands a failure over as plain data, which the page turns into a BridgeError with its code', async () => {
    const error = { code: 'NO_SUCH_BUCKET', message: 'The bucket "x" does not exist.', retryable: false };
    bridge.invoke.mockResolvedValueOnce({ ok: false, error });
    // plain data crosses the contextBridge intact (an Error would keep only its message)
    await expect(ferry.listOrphans({ endpointId: 'e', bucket: 'xxx', prefix: '' })).resolves.toEqual({ ok: false, error });
    bridge.invoke.mockResolvedValueOnce({ ok: false, error });
    await expect(fromWire(ferry).listOrphans({ endpointId: 'e', bucket: 'xxx', prefix: '' })).rejects.toMatchObject({
      name: 'BridgeError',
      ...error,
    });
  });

  it('delivers events to the listeners of that event, and on() returns the unsubscribe', () => {
    const opened = vi.fn();
    const changed = vi.fn();
    const off = ferry.on('pathsOpened', opened);
    ferry.on('settingsChanged', changed);
    emit('pathsOpened', { paths: ['/a'] });
    expect(opened).toHaveBeenCalledWith({ paths: ['/a'] });
    expect(changed).not.toHaveBeenCalled();
    off();
    emit('pathsOpened', { paths: ['/b'] });
    expect(opened).toHaveBeenCalledTimes(1);
    emit('notAnEvent', {});
  });

  it('refuses to subscribe to an event the contract does not have', () => {
    expect(() => ferry.on('ipc' as never, () => undefined)).toThrow(/Unknown Ferry event/);
    expect(EVENT_NAMES).toContain('pathsOpened');
  });

  it('has no sendFileData in the desktop app (files are read by path)', () => {
    expect(() => ferry.sendFileData('r1', new ArrayBuffer(1))).toThrow(/browser host/);
  });

  it('gives dropped files their paths through webUtils.getPathForFile', () => {
    const desktop = bridge.exposed.get('ferryDesktop') as { getPathForFile(file: unknown): string };
    expect(Object.keys(desktop)).toEqual(['getPathForFile']);
    const file = { name: 'photo.jpg' };
    expect(desktop.getPathForFile(file)).toBe('/home/me/photo.jpg');
    expect(bridge.getPathForFile).toHaveBeenCalledWith(file);
  });
});
