/**
 * The window's entry: picks the bridge (Electron preload or the browser host's WebSocket), starts
 * the store and its connection, and renders the App.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { desktopHelper } from './bridge/desktop.ts';
import { openBridge } from './bridge/index.ts';
import { startFerry } from './app.ts';
import { App } from './components/App.tsx';
import { nextFrame } from './store/jobEventBatch.ts';

const bridge = openBridge();
// job events are applied once per frame: thousands of small files send dozens a second (issue #13)
const { store } = startFerry({ api: bridge.api, connection: bridge.connection, desktop: desktopHelper(), scheduleJobEvents: nextFrame });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
);
