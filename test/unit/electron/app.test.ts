// The desktop app's lifecycle (mocked electron, a real HostService on a temp data directory):
// single instance and its hand-off, the window and the protocol, and a quit that closes the service
// before the process exits.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostService } from '../../../main/host/service.ts';
import { FileKeyVault } from '../../../main/endpoints/vault.ts';
import { EngineLockedError } from '../../../shared/errors.ts';
import { APP_URL, COMMAND_CHANNEL, EVENT_CHANNEL } from '../../../main/electron/channels.ts';
import { electron, FakeBrowserWindow, fakeEvent, resetElectron } from './fakeElectron.ts';

vi.mock('electron', async () => (await import('./fakeElectron.ts')).electron);
const { startFerry } = await import('../../../main/electron/app.ts');
type FerryApp = NonNullable<ReturnType<typeof startFerry>>;

const tick = () => new Promise((resolve) => setImmediate(resolve));
let dir: string;
let started: FerryApp | null;
const { app } = electron;

function openService(dataDir: string): Promise<HostService> {
  return HostService.open({ dataDir, vault: new FileKeyVault(dataDir), host: { kind: 'electron', version: 'test', canReadPaths: true } });
}

async function launch(argv: string[] = ['/opt/Ferry/ferry-desktop']): Promise<FerryApp> {
  started = startFerry({
    rendererDir: join(dir, 'renderer'),
    preloadPath: join(dir, 'preload.cjs'),
    openService,
    env: { FERRY_DATA_DIR: join(dir, 'data') },
    argv,
  });
  expect(started).not.toBeNull();
  await started!.ready;
  await tick(); // the page loads (did-finish-load)
  return started!;
}

beforeEach(() => {
  resetElectron();
  dir = mkdtempSync(join(tmpdir(), 'ferry-app-'));
  started = null;
});

afterEach(async () => {
  await started?.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe('launch', () => {
  it('uses the data directory, serves app:// and opens one locked-down window on it', async () => {
    const ferry = await launch();
    expect(app.setPath).toHaveBeenCalledWith('userData', join(dir, 'data'));
    expect(electron.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([expect.objectContaining({ scheme: 'app' })]);
    expect(electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(electron.ipcMain.handlers.has(COMMAND_CHANNEL)).toBe(true);
    expect(FakeBrowserWindow.instances).toHaveLength(1);
    expect(ferry.window?.webContents.getURL()).toBe(APP_URL);
    expect(ferry.service?.engine.dataDir).toBe(join(dir, 'data'));
  });

  it('leaves it to the first instance when another one holds the lock', () => {
    app.requestSingleInstanceLock.mockReturnValueOnce(false);
    const open = vi.fn(openService);
    expect(startFerry({ rendererDir: dir, preloadPath: dir, openService: open, env: {}, argv: [] })).toBeNull();
    expect(app.quit).toHaveBeenCalled();
    expect(app.listenerCount('second-instance')).toBe(0);
    expect(open).not.toHaveBeenCalled();
  });

  it('says why and exits when the data directory cannot be opened', async () => {
    started = startFerry({
      rendererDir: dir,
      preloadPath: dir,
      openService: () => Promise.reject(new EngineLockedError('Another Ferry (PID 42) is using the data directory.')),
      env: {},
      argv: [],
    });
    await started!.ready;
    expect(electron.dialog.showErrorBox).toHaveBeenCalledWith('Ferry cannot start', 'Another Ferry (PID 42) is using the data directory.');
    expect(app.exit).toHaveBeenCalledWith(1);
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    started = null;
  });
});

describe('single instance', () => {
  it('a second launch focuses the window and hands it its paths as pathsOpened', async () => {
    const ferry = await launch();
    const window = ferry.window as unknown as FakeBrowserWindow;
    writeFileSync(join(dir, 'big.iso'), 'x');
    mkdirSync(join(dir, 'photos'));
    window.minimized = true;
    app.emit(
      'second-instance',
      fakeEvent(),
      ['/opt/Ferry/ferry-desktop', '--enable-features=Foo', 'big.iso', join(dir, 'photos'), 'missing.txt'],
      dir,
      {},
    );
    expect(window.webContents.send).toHaveBeenCalledWith(EVENT_CHANNEL, 'pathsOpened', {
      paths: [join(dir, 'big.iso'), join(dir, 'photos')],
    });
    expect(window.restore).toHaveBeenCalled();
    expect(window.show).toHaveBeenCalled();
    expect(window.focus).toHaveBeenCalled();
  });

  it('paths of the first launch reach the page once it has loaded', async () => {
    writeFileSync(join(dir, 'a.txt'), 'a');
    const ferry = await launch(['/opt/Ferry/ferry-desktop', join(dir, 'a.txt')]);
    const window = ferry.window as unknown as FakeBrowserWindow;
    expect(window.webContents.send).toHaveBeenCalledExactlyOnceWith(EVENT_CHANNEL, 'pathsOpened', { paths: [join(dir, 'a.txt')] });
  });
});

describe('quit', () => {
  it('holds the quit, closes the service (uploads interrupted, store flushed), then exits', async () => {
    const ferry = await launch();
    const order: string[] = [];
    const service = ferry.service!;
    const close = service.close.bind(service);
    vi.spyOn(service, 'close').mockImplementation(async () => {
      order.push('close started');
      await close();
      order.push('close finished');
    });
    app.exit.mockImplementation(() => order.push('exit'));

    const event = fakeEvent();
    app.emit('before-quit', event);
    expect(event.preventDefault).toHaveBeenCalled();
    await ferry.shutdown();
    expect(order).toEqual(['close started', 'close finished', 'exit']);
    expect(app.exit).toHaveBeenCalledWith(0);

    // a second quit (menu, then Ctrl-C) does not close twice
    app.quit();
    await ferry.shutdown();
    expect(service.close).toHaveBeenCalledTimes(1);

    // the store was let go: the next launch opens it
    const next = await openService(join(dir, 'data'));
    await next.close();
  });

  it('exits anyway when the service does not stop in time', async () => {
    started = startFerry({
      rendererDir: dir,
      preloadPath: dir,
      openService,
      env: { FERRY_DATA_DIR: join(dir, 'data') },
      argv: [],
      closeTimeoutMs: 20,
    });
    await started!.ready;
    const service = started!.service!;
    const close = service.close.bind(service);
    let release!: () => void;
    vi.spyOn(service, 'close').mockImplementation(() => new Promise<void>((resolve) => (release = resolve)));
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await started!.shutdown();
    expect(app.exit).toHaveBeenCalledWith(0);
    expect(error).toHaveBeenCalledWith(expect.stringContaining('did not stop in time'));
    release();
    await close();
    error.mockRestore();
  });

  it('quits when the last window closes (not on macOS), and on an OS shutdown', async () => {
    await launch();
    if (process.platform !== 'darwin') {
      app.emit('window-all-closed');
      expect(app.quit).toHaveBeenCalledTimes(1);
    }
    const shutdown = fakeEvent();
    electron.powerMonitor.emit('shutdown', shutdown);
    expect(shutdown.preventDefault).toHaveBeenCalled();
    expect(app.quit).toHaveBeenCalledTimes(process.platform !== 'darwin' ? 2 : 1);
  });
});

describe('packaging identity', () => {
  it("uses electron-builder.yml's appId as the Windows AppUserModelID", async () => {
    const { readFileSync } = await import('node:fs');
    const { APP_ID } = await import('../../../main/electron/app.ts');
    const yml = readFileSync(new URL('../../../electron-builder.yml', import.meta.url), 'utf8');
    expect(yml).toMatch(new RegExp(`^appId: ${APP_ID.replaceAll('.', '\\.')}$`, 'm'));
    expect(yml).toMatch(/^productName: Ferry$/m);
  });
});
