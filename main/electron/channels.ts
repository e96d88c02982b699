/**
 * The names the Electron main process and the preload agree on: the IPC channels and the app's own
 * origin. No `electron` import here, so that main, the preload bundle and tests can all use it.
 */

/** ipcRenderer.invoke(COMMAND_CHANNEL, command, request) -> Envelope (main validates both). */
export const COMMAND_CHANNEL = 'ferry:command';
/** webContents.send(EVENT_CHANNEL, event, payload): a contract event for the window. */
export const EVENT_CHANNEL = 'ferry:event';

/** The window is served from app://ferry/ (see rendererProtocol.ts), never from file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'ferry';
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Whether `url` is one of the app's own pages. (WHATWG URL gives non-special schemes an opaque
 * origin, so `new URL(url).origin` is "null" for app://: compare scheme and host instead.)
 */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}
