// The window's security options and the handlers that keep it on Ferry's page (mocked electron).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow, fakeEvent, resetElectron } from './fakeElectron.ts';

vi.mock('electron', async () => (await import('./fakeElectron.ts')).electron);
const { createMainWindow } = await import('../../../main/electron/window.ts');

beforeEach(() => resetElectron());

function open(): FakeBrowserWindow {
  createMainWindow({ preloadPath: '/app/dist/electron/preload.cjs' });
  expect(FakeBrowserWindow.instances).toHaveLength(1);
  return FakeBrowserWindow.instances[0]!;
}

describe('the main window', () => {
  it('runs the page sandboxed and context-isolated, without Node, with web security', () => {
    const preferences = open().options.webPreferences as Record<string, unknown>;
    expect(preferences).toMatchObject({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
    // nothing that would loosen them
    expect(preferences).not.toHaveProperty('enableRemoteModule');
    expect(preferences).not.toHaveProperty('additionalArguments');
  });

  it('blocks every navigation, webview and new window', () => {
    const { webContents } = open();
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-attach-webview']) {
      const event = fakeEvent({ url: 'https://evil.example/', isMainFrame: true });
      webContents.emit(name, event);
      expect(event.preventDefault, name).toHaveBeenCalledOnce();
    }
    expect(webContents.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(webContents.windowOpenHandler?.({ url: 'app://ferry/index.html' })).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check', () => {
    const { session } = open().webContents;
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal']) {
      const callback = vi.fn();
      session.permissionRequestHandler?.({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    expect(session.permissionCheckHandler?.({}, 'clipboard-sanitized-write')).toBe(false);
    expect(session.deviceHandler?.({})).toBe(false);
  });

  it('shows itself when the page is ready to paint, not before', () => {
    const window = open();
    expect(window.options.show).toBe(false);
    window.emit('ready-to-show');
    expect(window.show).toHaveBeenCalledOnce();
  });
});
