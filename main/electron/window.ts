/**
 * Ferry's one window, locked down (Electron's security checklist): the page runs sandboxed and
 * context-isolated without Node, may not navigate, open windows, attach webviews or get any
 * permission, and reaches main only through the preload's FerryApi.
 */
import { BrowserWindow, type BrowserWindowConstructorOptions, type Session } from 'electron';

/** The window's web preferences: exported so that a test can hold them to the checklist. */
export function secureWebPreferences(preloadPath: string): NonNullable<BrowserWindowConstructorOptions['webPreferences']> {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    // a file dropped outside the drop zone must not replace the page
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/** Refuses every permission (camera, notifications, clipboard, …): Ferry's page needs none. */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

export function createMainWindow(options: { preloadPath: string }): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Ferry',
    width: 1180,
    height: 760,
    minWidth: 720,
    minHeight: 480,
    show: false,
    webPreferences: secureWebPreferences(options.preloadPath),
  });
  const contents = window.webContents;
  // the page is one document loaded by main; it has no reason to go anywhere else
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  denyAllPermissions(contents.session);
  window.once('ready-to-show', () => window.show());
  return window;
}
