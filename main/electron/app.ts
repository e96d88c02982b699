/**
 * The desktop app's lifecycle: one instance per data directory, the host service, the window, and a
 * quit that lets the store settle first.
 *
 * ```
 *   launch ──▶ single-instance lock ──(held elsewhere)──▶ hand argv to the first instance; quit
 *                   │
 *                   ▼ whenReady
 *   open HostService (data dir, safeStorage vault) ──(fails: locked by the CLI…)──▶ error box; exit 1
 *                   │  (uploads a previous run left 'uploading' resume or stay paused, per settings)
 *                   ▼
 *   app:// protocol, IPC, window, tray/progress/notifications ──▶ running
 *                   │ before-quit (menu, tray, last window closed, SIGINT/SIGTERM, OS shutdown)
 *                   ▼ preventDefault
 *   indicators off; await service.close() (running uploads interrupted, store flushed) ──▶ app.exit(0)
 * ```
 * A crash or kill skips the last step and loses nothing: the store is written as the engine goes,
 * and the next launch treats 'uploading' jobs as interrupted.
 */
import { BrowserWindow, app, dialog, ipcMain, powerMonitor, protocol } from 'electron';
import { resolve } from 'node:path';
import { HostService } from '../host/service.ts';
import { APP_SCHEME, APP_URL } from './channels.ts';
import { DesktopIndicators } from './indicators.ts';
import { forwardEvents, sendEvent, serveCommands } from './ipc.ts';
import { PathHandOff, pathsFromArgv } from './launchPaths.ts';
import { APP_SCHEME_PRIVILEGES, createRendererHandler } from './rendererProtocol.ts';
import { desktopVaults } from './safeStorageVault.ts';
import { createMainWindow } from './window.ts';

/** electron-builder.yml's appId: Windows shows notifications only for a known AppUserModelID. */
export const APP_ID = 'app.ferry.desktop';

export interface FerryAppOptions {
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** The bundled preload (dist/electron/preload.cjs). */
  preloadPath: string;
  /** Opens the host service on the data directory (default: HostService with the desktop vaults). */
  openService?: (dataDir: string) => Promise<HostService>;
  env?: NodeJS.ProcessEnv;
  argv?: readonly string[];
  /** How long quitting waits for the service to close before exiting anyway (the store is crash-safe). */
  closeTimeoutMs?: number;
}

export interface FerryApp {
  /** Settles when the window is up (or the start failed and the app is exiting). */
  readonly ready: Promise<void>;
  readonly service: HostService | null;
  readonly window: BrowserWindow | null;
  /** Closes the service, then exits (what before-quit does). */
  shutdown(): Promise<void>;
}

function openDesktopService(env: NodeJS.ProcessEnv): (dataDir: string) => Promise<HostService> {
  return (dataDir) => {
    const { vault, extraVaults } = desktopVaults(dataDir, env);
    return HostService.open({ dataDir, vault, extraVaults, host: { kind: 'electron', version: app.getVersion(), canReadPaths: true } });
  };
}

/** Starts Ferry's desktop app; null when another instance runs (it got our paths). */
export function startFerry(options: FerryAppOptions): FerryApp | null {
  const env = options.env ?? process.env;
  // FERRY_DATA_DIR moves everything, Chromium's profile and the instance lock included (the CLI
  // honours it too); otherwise userData is the CLI's default data directory (main/cli/dataDir.ts).
  if (env.FERRY_DATA_DIR) app.setPath('userData', resolve(env.FERRY_DATA_DIR));
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }

  const defaultApp = Boolean(process.defaultApp);
  let service: HostService | null = null;
  let window: BrowserWindow | null = null;
  let pageLoaded = false;
  let indicators: DesktopIndicators | null = null;
  const stops: (() => void)[] = [];
  let closing: Promise<void> | null = null;

  const handOff = new PathHandOff((paths) => pageLoaded && sendEvent(window, 'pathsOpened', { paths }));
  handOff.add(pathsFromArgv(options.argv ?? process.argv, process.cwd(), { defaultApp }));

  function createWindow(): BrowserWindow {
    const created = createMainWindow({ preloadPath: options.preloadPath });
    created.webContents.on('did-finish-load', () => {
      pageLoaded = true;
      handOff.flush();
    });
    created.on('closed', () => {
      if (window === created) {
        window = null;
        pageLoaded = false;
      }
    });
    void created.loadURL(APP_URL);
    window = created;
    return created;
  }

  function showWindow(): void {
    if (!service || closing) return;
    const shown = window && !window.isDestroyed() ? window : createWindow();
    if (shown.isMinimized()) shown.restore();
    shown.show();
    shown.focus();
  }

  app.on('second-instance', (_event, argv, workingDirectory) => {
    handOff.add(pathsFromArgv(argv, workingDirectory, { defaultApp }));
    showWindow();
  });
  // macOS: files dropped on the dock icon or opened with Ferry (may come before ready)
  app.on('open-file', (event, path) => {
    event.preventDefault();
    handOff.add([path]);
  });
  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', (event) => {
    event.preventDefault();
    void shutdown();
  });

  const ready = (async () => {
    await app.whenReady();
    try {
      service = await (options.openService ?? openDesktopService(env))(app.getPath('userData'));
    } catch (error) {
      dialog.showErrorBox('Ferry cannot start', error instanceof Error ? error.message : String(error));
      app.exit(1);
      return;
    }
    protocol.handle(APP_SCHEME, createRendererHandler(options.rendererDir));
    stops.push(serveCommands(ipcMain, service, () => window));
    stops.push(forwardEvents(service, () => window));
    createWindow();
    const open = service;
    indicators = new DesktopIndicators({
      engine: service.engine,
      getWindow: () => window,
      showWindow,
      quit: () => app.quit(),
      notifyOnFinish: () => open.settings.notifyOnFinish !== false,
    });
    // Linux/macOS shutdown or reboot: hold it while the store settles. The docs give the listener an
    // event to preventDefault; electron.d.ts 45 types it without one, hence the plain EventEmitter.
    (powerMonitor as NodeJS.EventEmitter).on('shutdown', (event: Electron.Event) => {
      event.preventDefault();
      app.quit();
    });
  })();

  function shutdown(): Promise<void> {
    closing ??= (async () => {
      await ready.catch(() => undefined);
      indicators?.dispose();
      for (const stop of stops.splice(0)) stop();
      if (service) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>(
          (resolve) => (timer = setTimeout(() => resolve('timeout'), options.closeTimeoutMs ?? 15_000)),
        );
        try {
          const result = await Promise.race([service.close().then(() => 'closed' as const), timeout]);
          if (result === 'timeout')
            console.error('ferry: the engine did not stop in time; exiting anyway (uploads resume at the next start).');
        } catch (error) {
          console.error('ferry: closing failed:', error instanceof Error ? error.message : error);
        } finally {
          clearTimeout(timer);
        }
      }
      app.exit(0);
    })();
    return closing;
  }

  return {
    ready,
    get service() {
      return service;
    },
    get window() {
      return window;
    },
    shutdown,
  };
}
