/**
 * Main's side of the window's IPC. One handler carries every command to HostService.dispatch, which
 * validates the command name and the request against the contract's schemas; before that, the
 * sender is checked (VS Code's validatedIpcMain): it must be the main window's webContents, its top
 * frame, showing the app's own origin (app://ferry). Anything else gets an error envelope and
 * nothing runs. Events go back to that window only.
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Envelope, EventName, Events } from '../../shared/contract.ts';
import type { HostService } from '../host/service.ts';
import { COMMAND_CHANNEL, EVENT_CHANNEL, isAppUrl } from './channels.ts';

/** What a sender that is not Ferry's window gets. */
export const FOREIGN_SENDER: Envelope<never> = {
  ok: false,
  error: { code: 'ACCESS_DENIED', message: "Refused: only Ferry's own window may send commands.", retryable: false },
};

/** Whether an IPC message comes from the top frame of `window`, showing one of the app's pages. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, window: BrowserWindow | null): boolean {
  if (!window || window.isDestroyed()) return false;
  if (event.sender !== window.webContents) return false;
  const frame = event.senderFrame;
  // null when the frame navigated away or was destroyed before the message was handled
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

/** Answers the window's commands through `service`; returns the function that stops it. */
export function serveCommands(ipcMain: IpcMain, service: Pick<HostService, 'dispatch'>, getWindow: () => BrowserWindow | null): () => void {
  ipcMain.handle(COMMAND_CHANNEL, async (event, command: unknown, request: unknown) => {
    if (!isTrustedSender(event, getWindow())) {
      console.warn(`ferry: refused a command from a foreign sender (${event.senderFrame?.url ?? 'no frame'})`);
      return FOREIGN_SENDER;
    }
    return service.dispatch(command, request);
  });
  return () => ipcMain.removeHandler(COMMAND_CHANNEL);
}

/** Sends one contract event to the window, if it shows the app (false when it was not sent). */
export function sendEvent<E extends EventName>(window: BrowserWindow | null, event: E, payload: Events[E]): boolean {
  if (!window || window.isDestroyed()) return false;
  const contents = window.webContents;
  if (contents.isDestroyed() || !isAppUrl(contents.getURL())) return false;
  contents.send(EVENT_CHANNEL, event, payload);
  return true;
}

/** Forwards every HostService event to the window; returns the unsubscribe. */
export function forwardEvents(service: Pick<HostService, 'onEvent'>, getWindow: () => BrowserWindow | null): () => void {
  return service.onEvent((event, payload) => {
    sendEvent(getWindow(), event, payload);
  });
}
