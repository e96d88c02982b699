/**
 * The Electron entry (bundled to dist/electron/main.cjs; package.json "main"). Everything happens in
 * app.ts; this file only knows where the built files are and turns signals into a normal quit.
 */
import './warnings.ts';
import { app } from 'electron';
import { join } from 'node:path';
import { startFerry } from './app.ts';

// dist/electron/main.cjs: the preload beside it, the window in dist/renderer (inside app.asar when packaged)
const started = startFerry({ rendererDir: join(__dirname, '..', 'renderer'), preloadPath: join(__dirname, 'preload.cjs') });

if (started) {
  // Ctrl-C in the terminal of `npm start`, or a service manager's SIGTERM: quit as the menu does
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}
