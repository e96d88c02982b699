// The tray, taskbar progress, power-save blocker and notifications (mocked electron, fake engine).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { inflateSync } from 'node:zlib';
import { electron, FakeBrowserWindow, FakeNotification, FakeTray, resetElectron } from './fakeElectron.ts';
import { FakeEngine, job } from './jobs.ts';

vi.mock('electron', async () => (await import('./fakeElectron.ts')).electron);
const { DesktopIndicators, noticeText, trayText } = await import('../../../main/electron/indicators.ts');
const { drawTrayIcon } = await import('../../../main/electron/trayIcon.ts');

type Window = ReturnType<ConstructorParameters<typeof DesktopIndicators>[0]['getWindow']>;
const tick = () => new Promise((resolve) => setImmediate(resolve));
let indicators: InstanceType<typeof DesktopIndicators> | null = null;
let engine: FakeEngine;
let window: FakeBrowserWindow;
const showWindow = vi.fn();
const quit = vi.fn();

beforeEach(() => {
  resetElectron();
  engine = new FakeEngine();
  window = new FakeBrowserWindow({});
});
afterEach(() => indicators?.dispose());

function start(notifyOnFinish?: () => boolean) {
  indicators = new DesktopIndicators({
    engine,
    getWindow: () => window as unknown as Window,
    showWindow,
    quit,
    platform: 'linux',
    ...(notifyOnFinish ? { notifyOnFinish } : {}),
  });
  return { tray: FakeTray.instances[0]! };
}

describe('DesktopIndicators', () => {
  it('shows an idle tray, no progress and no blocker when nothing runs', () => {
    const { tray } = start();
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Ferry — idle');
    expect(window.setProgressBar).toHaveBeenLastCalledWith(-1);
    expect(electron.powerSaveBlocker.start).not.toHaveBeenCalled();
  });

  it('while uploading: blocks app suspension, shows the fraction and the tooltip; all stop when done', async () => {
    const { tray } = start();
    const a = job({ size: 1000 });
    engine.add(a);
    engine.change(a.id, { state: 'uploading' });
    await tick();
    expect(electron.powerSaveBlocker.start).toHaveBeenCalledExactlyOnceWith('prevent-app-suspension');

    engine.events.emit({ type: 'progress', jobId: a.id, bytesDone: 250, bytesPerSecond: 12 * 1024 * 1024 });
    indicators!.redraw(); // what the once-a-second timer does after progress
    expect(window.setProgressBar).toHaveBeenLastCalledWith(0.25);
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Ferry — 1 uploading, 12.0 MiB/s');

    engine.change(a.id, { state: 'completed', bytesDone: 1000 });
    await tick();
    expect(electron.powerSaveBlocker.stop).toHaveBeenCalledExactlyOnceWith(1);
    expect(window.setProgressBar).toHaveBeenLastCalledWith(-1);
    expect(tray.setToolTip).toHaveBeenLastCalledWith('Ferry — idle');
    expect(FakeNotification.instances.map((each) => each.options)).toEqual([
      { title: 'Uploads finished', body: '1 file (1000 B) uploaded.' },
    ]);
    expect(FakeNotification.instances[0]!.show).toHaveBeenCalled();
    FakeNotification.instances[0]!.emit('click');
    expect(showWindow).toHaveBeenCalled();
  });

  it('notifies a failure', async () => {
    start();
    const a = job({ path: '/data/big.iso' });
    const b = job();
    engine.add(a, b);
    engine.change(a.id, { state: 'uploading' });
    engine.change(a.id, { state: 'failed', error: { code: 'NO_SUCH_BUCKET', message: 'The bucket does not exist.', retryable: false } });
    await tick();
    expect(FakeNotification.instances.map((each) => each.options)).toEqual([
      { title: 'Upload failed', body: 'big.iso: The bucket does not exist.' },
    ]);
  });

  it('keeps a finished batch to itself when Settings turned notifications off, but still tells a failure', async () => {
    start(() => false);
    const a = job({ size: 1000 });
    engine.add(a);
    engine.change(a.id, { state: 'uploading' });
    engine.change(a.id, { state: 'completed', bytesDone: 1000 });
    await tick();
    expect(FakeNotification.instances).toEqual([]);
    const b = job({ path: '/data/b.iso' });
    engine.add(b);
    engine.change(b.id, { state: 'uploading' });
    engine.change(b.id, { state: 'failed', error: { code: 'NO_SUCH_BUCKET', message: 'The bucket does not exist.', retryable: false } });
    await tick();
    expect(FakeNotification.instances.map((each) => each.options)).toEqual([
      { title: 'Upload failed', body: 'b.iso: The bucket does not exist.' },
    ]);
  });

  it('has a tray menu to show the window and to quit', () => {
    const { tray } = start();
    const menu = tray.setContextMenu.mock.calls[0]![0] as { template: { label?: string; click?: () => void }[] };
    menu.template.find((item) => item.label === 'Quit Ferry')!.click!();
    expect(quit).toHaveBeenCalled();
    tray.emit('click');
    expect(showWindow).toHaveBeenCalled();
  });

  it('takes everything down when disposed', async () => {
    const { tray } = start();
    const a = job();
    engine.add(a);
    await tick();
    indicators!.dispose();
    expect(electron.powerSaveBlocker.stop).toHaveBeenCalled();
    expect(window.setProgressBar).toHaveBeenLastCalledWith(-1);
    expect(tray.destroy).toHaveBeenCalled();
    engine.change(a.id, { state: 'uploading' });
    await tick();
    expect(electron.powerSaveBlocker.start).toHaveBeenCalledTimes(1);
  });
});

describe('texts', () => {
  it('say what runs and how fast', () => {
    expect(trayText({ active: 5, uploading: 3, queued: 2, bytesPerSecond: 12 * 1024 * 1024, fraction: 0.1 })).toBe(
      'Ferry — 3 uploading, 2 queued, 12.0 MiB/s',
    );
    expect(noticeText([{ kind: 'batch-finished', completed: 3, failed: 1, bytes: 3 * 1024 * 1024 }])).toEqual({
      title: 'Uploads finished, some failed',
      body: '3 files (3.00 MiB) uploaded; 1 failed.',
    });
    expect(
      noticeText([
        { kind: 'failed', name: 'a', message: 'x' },
        { kind: 'failed', name: 'b', message: 'y' },
      ])?.title,
    ).toBe('2 uploads failed');
    expect(noticeText([])).toBeNull();
  });
});

describe('the tray icon', () => {
  it('is a PNG with a transparent corner and an opaque disc', () => {
    const png = drawTrayIcon(32, false);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(32);
    const idat = png.indexOf('IDAT');
    const pixels = inflateSync(png.subarray(idat + 4, idat + 4 + png.readUInt32BE(idat - 4)));
    const alpha = (x: number, y: number) => pixels[y * (32 * 4 + 1) + 1 + x * 4 + 3];
    expect(alpha(0, 0)).toBe(0);
    expect(alpha(6, 16)).toBe(255);
  });
});
