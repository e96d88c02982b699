/**
 * The preload of Ferry's window (sandboxed; bundled by scripts/build-electron.mjs into one CommonJS
 * file). It exposes the contract of shared/contract.ts as one object, `window.ferry` (a FerryApi:
 * one method per command, generated from COMMAND_NAMES; `on` returns its unsubscribe), and
 * `window.ferryDesktop.getPathForFile` for dropped files. The page never gets ipcRenderer or a
 * generic invoke: every method sends exactly its own command, and main validates sender and payload.
 *
 * Errors: each method resolves with the command's Envelope ({ok, value} or {ok: false, error:
 * {code, message, retryable}}): the contextBridge copies plain data intact but only the message of a
 * rejected Error (electron/electron#28346). The page adapts it with fromWire (shared/contract.ts).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type {
  CommandName,
  CommandRequest,
  CommandResponse,
  Envelope,
  EventName,
  Events,
  FerryWireApi,
  FerryWireCommands,
} from '../../shared/contract.ts';
import { commandMethods } from '../../shared/wire.ts';
import { COMMAND_CHANNEL, EVENT_CHANNEL } from './channels.ts';
import { COMMAND_NAMES, EVENT_NAMES } from './contractNames.ts';

type Listener = (payload: unknown) => void;
const listeners = new Map<EventName, Set<Listener>>();

ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  const subscribed = listeners.get(name as EventName);
  if (!subscribed) return;
  for (const listener of [...subscribed]) {
    try {
      listener(payload);
    } catch (error) {
      console.error(`ferry: a ${String(name)} listener failed:`, error);
    }
  }
});

function command<C extends CommandName>(name: C): (request: CommandRequest<C>) => Promise<Envelope<CommandResponse<C>>> {
  return (request) => ipcRenderer.invoke(COMMAND_CHANNEL, name, request);
}

function on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  if (!EVENT_NAMES.includes(event)) throw new TypeError(`Unknown Ferry event: ${String(event).slice(0, 64)}`);
  if (typeof listener !== 'function') throw new TypeError('The listener must be a function.');
  let subscribed = listeners.get(event);
  if (!subscribed) listeners.set(event, (subscribed = new Set()));
  // a fresh wrapper per call: the bridge hands the page's function over as a new proxy each time
  const wrapper: Listener = (payload) => listener(payload as Events[E]);
  subscribed.add(wrapper);
  return () => {
    subscribed.delete(wrapper);
  };
}

function sendFileData(): void {
  throw new Error('sendFileData is for the browser host: the desktop app reads files from disk by their paths.');
}

const api: FerryWireApi = { ...commandMethods<FerryWireCommands>(COMMAND_NAMES, command), on, sendFileData };
/** What renderer/bridge/desktop.ts expects as `window.ferryDesktop`. */
const desktop = { getPathForFile: (file: File): string => webUtils.getPathForFile(file) };

contextBridge.exposeInMainWorld('ferry', api);
contextBridge.exposeInMainWorld('ferryDesktop', desktop);
