/**
 * The engine's work shown outside the window: a tray icon whose tooltip tells the state ("Ferry — 3
 * uploading, 12.0 MiB/s"), the taskbar/dock progress of the current batch (-1 when idle), a
 * power-save blocker ('prevent-app-suspension') while anything is queued or uploading, and a system
 * notification when a batch finishes or an upload fails. The arithmetic is in activity.ts.
 *
 * Progress events arrive several times a second per job: they only mark the view dirty and it is
 * redrawn once a second; state changes redraw on the next tick.
 */
import { Menu, Notification, Tray, nativeImage, powerSaveBlocker, type BrowserWindow } from 'electron';
import { formatBytes } from '../../shared/partPlan.ts';
import type { Engine } from '../engine/engine.ts';
import { ActivityTracker, type ActivityNotice, type ActivitySummary } from './activity.ts';
import { drawTrayIcon } from './trayIcon.ts';

export interface IndicatorOptions {
  engine: Pick<Engine, 'list' | 'events'> & { sources: Pick<Engine['sources'], 'isWaitingForFile'> };
  getWindow: () => BrowserWindow | null;
  showWindow: () => void;
  quit: () => void;
  platform?: NodeJS.Platform;
  redrawIntervalMs?: number;
  /** Whether Settings allows the notification of a finished batch (failures are always told); default yes. */
  notifyOnFinish?: () => boolean;
}

/** The tray's tooltip for a summary. */
export function trayText(summary: ActivitySummary): string {
  if (summary.active === 0) return 'Ferry — idle';
  const parts = [`${summary.uploading} uploading`];
  if (summary.queued > 0) parts.push(`${summary.queued} queued`);
  if (summary.uploading > 0) parts.push(`${formatBytes(summary.bytesPerSecond)}/s`);
  return `Ferry — ${parts.join(', ')}`;
}

/** The notification for what happened in one tick (null: nothing to say). */
export function noticeText(notices: readonly ActivityNotice[]): { title: string; body: string } | null {
  const failures = notices.filter((notice) => notice.kind === 'failed');
  const finished = notices.find((notice) => notice.kind === 'batch-finished');
  if (failures.length === 1) return { title: 'Upload failed', body: `${failures[0]!.name}: ${failures[0]!.message}` };
  if (failures.length > 1) return { title: `${failures.length} uploads failed`, body: `${failures[0]!.name}: ${failures[0]!.message}` };
  if (finished) {
    const files = `${finished.completed} file${finished.completed === 1 ? '' : 's'} (${formatBytes(finished.bytes)})`;
    return {
      title: finished.failed > 0 ? 'Uploads finished, some failed' : 'Uploads finished',
      body: finished.failed > 0 ? `${files} uploaded; ${finished.failed} failed.` : `${files} uploaded.`,
    };
  }
  return null;
}

export class DesktopIndicators {
  readonly #options: IndicatorOptions;
  readonly #tracker: ActivityTracker;
  readonly #tray: Tray | null;
  readonly #offEngine: () => void;
  readonly #timer: NodeJS.Timeout;
  #blocker: number | null = null;
  #dirty = false;
  #redrawScheduled = false;
  #notices: ActivityNotice[] = [];
  #disposed = false;

  constructor(options: IndicatorOptions) {
    this.#options = options;
    const { engine } = options;
    this.#tracker = new ActivityTracker(engine.list(), (job) => engine.sources.isWaitingForFile(job));
    this.#tray = this.#createTray(options.platform ?? process.platform);
    this.#offEngine = engine.events.on((event) => {
      this.#notices.push(...this.#tracker.apply(event));
      if (event.type === 'progress') this.#dirty = true;
      else this.#scheduleRedraw();
    });
    this.#timer = setInterval(() => {
      if (this.#dirty) this.redraw();
    }, options.redrawIntervalMs ?? 1000);
    this.#timer.unref();
    this.redraw();
  }

  /** Applies the current summary to the blocker, the progress bar and the tray; shows pending notices. */
  redraw(): void {
    if (this.#disposed) return;
    this.#dirty = false;
    const summary = this.#tracker.summary();
    if (summary.active > 0 && this.#blocker === null) this.#blocker = powerSaveBlocker.start('prevent-app-suspension');
    if (summary.active === 0 && this.#blocker !== null) this.#stopBlocker();
    const window = this.#options.getWindow();
    if (window && !window.isDestroyed()) window.setProgressBar(summary.fraction ?? -1);
    this.#tray?.setToolTip(trayText(summary));
    const notices = this.#notices.splice(0);
    const allowed = this.#options.notifyOnFinish?.() ?? true;
    const text = noticeText(allowed ? notices : notices.filter((notice) => notice.kind !== 'batch-finished'));
    if (text && Notification.isSupported()) {
      const notification = new Notification(text);
      notification.on('click', () => this.#options.showWindow());
      notification.show();
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#offEngine();
    clearInterval(this.#timer);
    this.#stopBlocker();
    const window = this.#options.getWindow();
    if (window && !window.isDestroyed()) window.setProgressBar(-1);
    this.#tray?.destroy();
  }

  #stopBlocker(): void {
    if (this.#blocker === null) return;
    powerSaveBlocker.stop(this.#blocker);
    this.#blocker = null;
  }

  #scheduleRedraw(): void {
    if (this.#redrawScheduled) return;
    this.#redrawScheduled = true;
    setImmediate(() => {
      this.#redrawScheduled = false;
      this.redraw();
    });
  }

  #createTray(platform: NodeJS.Platform): Tray | null {
    const template = platform === 'darwin';
    const image = nativeImage.createFromBuffer(drawTrayIcon(16, template), { scaleFactor: 1 });
    image.addRepresentation({ scaleFactor: 2, buffer: drawTrayIcon(32, template) });
    if (template) image.setTemplateImage(true);
    let tray: Tray;
    try {
      tray = new Tray(image);
    } catch (error) {
      // some Linux desktops have no tray: the window and the taskbar still tell the state
      console.warn(`ferry: no tray icon: ${(error as Error).message}`);
      return null;
    }
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show Ferry', click: () => this.#options.showWindow() },
        { type: 'separator' },
        { label: 'Quit Ferry', click: () => this.#options.quit() },
      ]),
    );
    tray.on('click', () => this.#options.showWindow());
    return tray;
  }
}
