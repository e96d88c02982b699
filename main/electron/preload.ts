/**
 * The preload of Ferry's window (sandboxed; bundled by scripts/build-electron.mjs into one CommonJS
 * file). It exposes the contract of shared/contract.ts as one object, `window.ferry` (a FerryApi:
 * one method per command, generated from COMMAND_NAMES; `on` returns its unsubscribe), and
 * `window.ferryDesktop.getPathForFile` for dropped files. The page never gets ipcRenderer or a
 * generic invoke: every method sends exactly its own command, and main validates sender and payload.
 *
 * Errors: a failed command rejects with an Error carrying the envelope's message. The contextBridge
 * copies only an Error's message into the page (electron/electron#28346): a BridgeError's `code` and
 * `retryable` would not arrive, so the preload does not pretend to send them.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { CommandName, CommandResponse, Envelope, EventName, Events, FerryApi } from '../../shared/contract.ts';
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

function command<C extends CommandName>(name: C): FerryApi[C] {
  const send = async (request: unknown): Promise<CommandResponse<C>> => {
    const envelope = (await ipcRenderer.invoke(COMMAND_CHANNEL, name, request)) as Envelope<CommandResponse<C>>;
    if (envelope.ok) return envelope.value;
    throw new Error(envelope.error.message);
  };
  return send as FerryApi[C];
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

const commands = Object.fromEntries(COMMAND_NAMES.map((name) => [name, command(name)])) as { [C in CommandName]: FerryApi[C] };
const api: FerryApi = { ...commands, on, sendFileData };
/** What renderer/bridge/desktop.ts expects as `window.ferryDesktop`. */
const desktop = { getPathForFile: (file: File): string => webUtils.getPathForFile(file) };

contextBridge.exposeInMainWorld('ferry', api);
contextBridge.exposeInMainWorld('ferryDesktop', desktop);
