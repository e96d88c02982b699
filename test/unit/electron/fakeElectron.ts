/**
 * A fake of the parts of `electron` that main/electron uses, for vi.mock('electron', …): the real
 * package cannot load outside Electron (and would download its binary). Objects keep their identity
 * across tests; resetElectron() clears their state and listeners.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/** An Electron-style event: preventDefault is a spy. */
export function fakeEvent<T extends object>(extra?: T): { preventDefault: ReturnType<typeof vi.fn> } & T {
  return { preventDefault: vi.fn(), ...(extra as T) };
}

export class FakeSession {
  permissionRequestHandler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  deviceHandler: ((...args: unknown[]) => boolean) | null = null;
  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']) {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheckHandler']) {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: FakeSession['deviceHandler']) {
    this.deviceHandler = handler;
  }
}

let nextId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly session = new FakeSession();
  url = '';
  destroyed = false;
  readonly send = vi.fn();
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly mainFrame = { url: '', parent: null };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = handler;
  }
  getURL() {
    return this.url;
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly options: Record<string, unknown>;
  readonly webContents = new FakeWebContents();
  destroyed = false;
  minimized = false;
  readonly show = vi.fn();
  readonly focus = vi.fn();
  readonly restore = vi.fn();
  readonly setProgressBar = vi.fn();

  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
    FakeBrowserWindow.instances.push(this);
  }
  async loadURL(url: string) {
    this.webContents.url = url;
    this.webContents.mainFrame.url = url;
    // as Chromium: the page loads, then did-finish-load
    setImmediate(() => this.webContents.emit('did-finish-load'));
  }
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return this.minimized;
  }
}

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  readonly setToolTip = vi.fn();
  readonly setContextMenu = vi.fn();
  readonly destroy = vi.fn();
  readonly image: unknown;
  constructor(image: unknown) {
    super();
    this.image = image;
    FakeTray.instances.push(this);
  }
}

export class FakeNotification extends EventEmitter {
  static instances: FakeNotification[] = [];
  static isSupported = () => true;
  readonly show = vi.fn();
  readonly options: { title: string; body: string };
  constructor(options: { title: string; body: string }) {
    super();
    this.options = options;
    FakeNotification.instances.push(this);
  }
}

class FakeApp extends EventEmitter {
  userData = '/nonexistent/Ferry';
  readonly setPath = vi.fn((name: string, path: string) => {
    if (name === 'userData') this.userData = path;
  });
  readonly getPath = vi.fn((name: string) => (name === 'userData' ? this.userData : `/nonexistent/${name}`));
  readonly getVersion = vi.fn(() => '0.1.0-test');
  readonly setAppUserModelId = vi.fn();
  readonly requestSingleInstanceLock = vi.fn(() => true);
  readonly whenReady = vi.fn(() => Promise.resolve());
  readonly exit = vi.fn();
  /** As Electron: quitting asks before-quit first; a listener may prevent it. */
  readonly quit = vi.fn(() => {
    this.emit('before-quit', fakeEvent());
  });
}

let blockerIds = 0;

export const electron = {
  app: new FakeApp(),
  BrowserWindow: FakeBrowserWindow,
  Tray: FakeTray,
  Notification: FakeNotification,
  Menu: { buildFromTemplate: vi.fn((template: unknown) => ({ template })) },
  nativeImage: { createFromBuffer: vi.fn(() => ({ addRepresentation: vi.fn(), setTemplateImage: vi.fn() })) },
  powerSaveBlocker: { start: vi.fn(() => ++blockerIds), stop: vi.fn() },
  powerMonitor: new EventEmitter(),
  protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
  ipcMain: {
    handlers: new Map<string, (...args: unknown[]) => unknown>(),
    handle: vi.fn((channel: string, handler: (...args: unknown[]) => unknown) => electron.ipcMain.handlers.set(channel, handler)),
    removeHandler: vi.fn((channel: string) => electron.ipcMain.handlers.delete(channel)),
  },
  dialog: { showErrorBox: vi.fn() },
  safeStorage: {
    backend: 'gnome_libsecret' as string,
    available: true,
    isEncryptionAvailable: vi.fn(() => electron.safeStorage.available),
    getSelectedStorageBackend: vi.fn(() => electron.safeStorage.backend),
    // a reversible stand-in for the OS keychain: not the plain text, and tagged
    encryptString: vi.fn((plain: string) => Buffer.from(`keychain:${Buffer.from(plain).reverse().toString('latin1')}`, 'latin1')),
    decryptString: vi.fn((sealed: Buffer) => {
      const text = sealed.toString('latin1');
      if (!text.startsWith('keychain:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(text.slice('keychain:'.length), 'latin1').reverse().toString();
    }),
  },
};

/** Back to a fresh state: no windows, trays or notifications, no listeners, spies cleared. */
export function resetElectron(): void {
  const { app } = electron;
  app.removeAllListeners();
  app.userData = '/nonexistent/Ferry';
  electron.powerMonitor.removeAllListeners();
  electron.ipcMain.handlers.clear();
  FakeBrowserWindow.instances = [];
  FakeTray.instances = [];
  FakeNotification.instances = [];
  electron.safeStorage.backend = 'gnome_libsecret';
  electron.safeStorage.available = true;
  vi.clearAllMocks();
}
