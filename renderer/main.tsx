/**
 * The window's entry: picks the bridge (Electron preload or the browser host's WebSocket), starts
 * the store and its connection, and renders the App.
 *
 * The connection comes first (issue #13, the first row of 10,000 jobs within 1 s): this chunk holds
 * only the bridge and the store, so the socket opens and the snapshot is asked for while React and
 * the components (their own chunk, fetched beside this one: vite.config.ts) load and start.
 */
import { desktopHelper } from './bridge/desktop.ts';
import { openBridge } from './bridge/index.ts';
import { startFerry } from './app.ts';
import { afterNextPaint, nextFrame } from './store/jobEventBatch.ts';

const bridge = openBridge();
// job events are applied once per frame: thousands of small files send dozens a second (issue #13);
// a snapshot's first page is drawn before its other pages are read
const { store } = startFerry({
  api: bridge.api,
  connection: bridge.connection,
  desktop: desktopHelper(),
  scheduleJobEvents: nextFrame,
  afterPaint: afterNextPaint,
  firstPage: bridge.firstPage,
});

const { renderWindow } = await import('./window.tsx');
renderWindow(store);
