// Main's IPC: the sender check and the contract's validation, with a real HostService on a temp data
// directory (FileKeyVault), and a stand-in window and ipcMain.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostService } from '../../../main/host/service.ts';
import { FileKeyVault } from '../../../main/endpoints/vault.ts';
import { FOREIGN_SENDER, forwardEvents, isTrustedSender, serveCommands } from '../../../main/electron/ipc.ts';
import { COMMAND_CHANNEL, EVENT_CHANNEL } from '../../../main/electron/channels.ts';
import type { Envelope, Snapshot } from '../../../shared/contract.ts';
import { FakeBrowserWindow, FakeWebContents } from './fakeElectron.ts';

// electron's types, by way of the functions under test (only main/electron/ may import electron)
type BrowserWindow = NonNullable<Parameters<typeof isTrustedSender>[1]>;
type IpcMain = Parameters<typeof serveCommands>[0];
type InvokeEvent = Parameters<typeof isTrustedSender>[0];
type Handler = (event: InvokeEvent, command: unknown, request: unknown) => Promise<Envelope<unknown>>;

let dir: string;
let service: HostService;
let window: FakeBrowserWindow;
let handler: Handler;
let stop: () => void;
const ipcMain = {
  handle: vi.fn((_channel: string, registered: Handler) => (handler = registered)),
  removeHandler: vi.fn(),
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-ipc-'));
  service = await HostService.open({
    dataDir: dir,
    vault: new FileKeyVault(dir),
    host: { kind: 'electron', version: 'test', canReadPaths: true },
  });
  window = new FakeBrowserWindow({});
  await window.loadURL('app://ferry/index.html');
  stop = serveCommands(ipcMain as unknown as IpcMain, service, () => window as unknown as BrowserWindow);
});

afterEach(async () => {
  stop();
  await service.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An invoke from `sender`'s frame at `url` (the top frame unless `parent` is given). */
function from(sender: FakeWebContents, url = 'app://ferry/index.html', parent: object | null = null) {
  return { sender, senderFrame: { url, parent } } as unknown as InvokeEvent;
}

describe('the command handler', () => {
  it('listens on the one command channel and lets the window run commands', async () => {
    expect(ipcMain.handle).toHaveBeenCalledWith(COMMAND_CHANNEL, expect.any(Function));
    const envelope = (await handler(from(window.webContents), 'snapshot', {})) as Envelope<Snapshot>;
    expect(envelope.ok).toBe(true);
    if (envelope.ok)
      expect(envelope.value).toMatchObject({
        jobs: { rows: [] },
        jobCount: 0,
        cursor: null,
        endpoints: [],
        host: { kind: 'electron', canReadPaths: true, vaultWarning: null },
      });
  });

  it('answers a malformed payload or an unknown command with INVALID_INPUT, and runs nothing', async () => {
    const engineAdd = vi.spyOn(service.engine, 'addJobs');
    for (const [command, request] of [
      ['addPaths', { endpointId: 'e', bucket: 'bucket', prefix: '', paths: 'not-a-list' }],
      ['addPaths', { endpointId: 'e', bucket: 'b', prefix: 'no-slash', paths: ['/tmp/x'] }],
      ['pauseJobs', { ids: [] }],
      ['setSettings', { resumeOnLaunch: 'yes' }],
      ['snapshot', 'not an object'],
      ['shell.openExternal', { url: 'https://evil.example' }],
      [{ toString: () => 'snapshot' }, {}],
    ] as const) {
      const envelope = await handler(from(window.webContents), command, request);
      expect(envelope, JSON.stringify(command)).toEqual({
        ok: false,
        error: { code: 'INVALID_INPUT', message: expect.any(String), retryable: false },
      });
    }
    expect(engineAdd).not.toHaveBeenCalled();
    expect(service.settings.resumeOnLaunch).toBe(true);
  });

  it('refuses a foreign sender with an error envelope, and nothing runs', async () => {
    const dispatch = vi.spyOn(service, 'dispatch');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const other = new FakeWebContents();
    other.url = 'app://ferry/index.html';
    const refused = [
      from(other), // another webContents, even on our page
      from(window.webContents, 'app://ferry/index.html', { url: 'app://ferry/index.html' }), // a subframe
      from(window.webContents, 'https://evil.example/'), // the top frame, navigated elsewhere
      from(window.webContents, 'file:///etc/passwd'),
      from(window.webContents, 'app://evil/index.html'),
      { sender: window.webContents, senderFrame: null } as unknown as InvokeEvent, // frame gone
    ];
    for (const event of refused) {
      expect(await handler(event, 'setSettings', { resumeOnLaunch: false })).toEqual(FOREIGN_SENDER);
    }
    window.destroyed = true;
    expect(await handler(from(window.webContents), 'setSettings', { resumeOnLaunch: false })).toEqual(FOREIGN_SENDER);
    expect(dispatch).not.toHaveBeenCalled();
    expect(service.settings.resumeOnLaunch).toBe(true);
    expect(warn).toHaveBeenCalledTimes(refused.length + 1);
    warn.mockRestore();
  });

  it('trusts only the top frame of the main window at app://ferry', () => {
    const win = window as unknown as BrowserWindow;
    expect(isTrustedSender(from(window.webContents, 'app://ferry/index.html#/endpoints'), win)).toBe(true);
    expect(isTrustedSender(from(window.webContents, 'app://ferry.evil/index.html'), win)).toBe(false);
    expect(isTrustedSender(from(window.webContents), null)).toBe(false);
  });
});

describe('events', () => {
  it('go to the window on the event channel, and not to a page that is not the app', async () => {
    const off = forwardEvents(service, () => window as unknown as BrowserWindow);
    await handler(from(window.webContents), 'setSettings', { theme: 'dark' });
    expect(window.webContents.send).toHaveBeenCalledWith(EVENT_CHANNEL, 'settingsChanged', {
      resumeOnLaunch: true,
      theme: 'dark',
      giveUpAfterMinutes: 15,
      filesAtOnce: 8,
      partsPerFile: 8,
      partSize: null,
      notifyOnFinish: true,
    });

    window.webContents.send.mockClear();
    window.webContents.url = 'https://evil.example/';
    await service.dispatch('setSettings', { theme: 'light' });
    expect(window.webContents.send).not.toHaveBeenCalled();

    window.webContents.url = 'app://ferry/index.html';
    off();
    await service.dispatch('setSettings', { theme: 'system' });
    expect(window.webContents.send).not.toHaveBeenCalled();
  });
});
