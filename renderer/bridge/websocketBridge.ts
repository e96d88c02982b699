/**
 * A FerryApi over the browser host's WebSocket (shared/wire.ts).
 *
 *   page -> host  {type:'command', id, command, request}          one number per command
 *   host -> page  {type:'result', id, envelope}                    settles that command's promise
 *                 {type:'event', event, payload}                   to the listeners of `on(event)`
 *   page -> host  binary [u32 LE length][header JSON][bytes]       sendFileData (encodeFileData)
 *
 * The host authenticates the socket with the page's session credential (./session.ts), offered as
 * the subprotocol `ferry-session.<credential>` beside `ferry`: never in a URL, never in a cookie.
 * A socket the host closes with 4401 (no such session: Ferry restarted, or the page was not opened
 * by a link) is not retried: `onSessionRejected` takes the page to the host's "get a new link" page.
 *
 * When the socket drops, commands waiting for an answer reject with a BridgeError, and the bridge
 * reconnects with exponential backoff (jittered, capped). Listeners stay registered across
 * reconnects; `connection.onDidReconnect` tells the store to take a new snapshot.
 * Commands issued before the first open wait for it; commands issued while reconnecting reject at
 * once, so that a click never silently does nothing.
 */
import {
  BridgeError,
  COMMAND_NAMES,
  openEnvelope,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
  type FerryApi,
  type FerryCommands,
} from '../../shared/contract.ts';
import type { ErrorInfo } from '../../shared/errors.ts';
import { commandMethods, encodeFileData, EventListeners, type ClientMessage, type ServerMessage } from '../../shared/wire.ts';
import type { BridgeConnection, ConnectionStatus } from './connection.ts';

/** The subset of the DOM WebSocket the bridge uses (a test passes a fake). */
export interface SocketLike {
  binaryType: BinaryType;
  readonly readyState: number;
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
}

export interface WebSocketBridgeOptions {
  /** ws(s)://host/ws; see {@link hostSocketUrl}. */
  url: string;
  /** The subprotocols offered (the session credential travels as one). */
  protocols?: string[];
  /** The host refused the session (close code 4401); the bridge stops reconnecting. */
  onSessionRejected?: () => void;
  createSocket?: (url: string, protocols?: string[]) => SocketLike;
  /** Delay before reconnect attempt `attempt` (1-based), in ms. */
  backoff?: (attempt: number) => number;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export interface WebSocketBridge {
  api: FerryApi;
  connection: BridgeConnection;
}

const OPEN = 1;

/** 0.5 s, 1 s, 2 s, 4 s, 8 s, then every 10 s, each ±20 % so that many pages do not reconnect in step. */
export function defaultBackoff(attempt: number): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Close code of a socket whose session the host does not know (main/web/server.ts). */
export const CLOSE_NO_SESSION = 4401;

/** The host's socket for a page at `location`: same host, ws or wss, no secret in the address. */
export function hostSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws`;
}

/** The subprotocols a page offers: `ferry`, and its session credential if it has one. */
export function hostSocketProtocols(credential: string | null): string[] {
  return credential ? ['ferry', `ferry-session.${credential}`] : ['ferry'];
}

function connectionLost(command: string): BridgeError {
  return new BridgeError({
    code: 'HOST_DISCONNECTED',
    retryable: true,
    message: `The connection to Ferry was lost before it answered (${command}). Try again when it is back.`,
  });
}

function notConnected(): BridgeError {
  return new BridgeError({
    code: 'HOST_DISCONNECTED',
    retryable: true,
    message: 'Ferry is not connected right now (reconnecting). Try again when the connection is back.',
  });
}

interface Pending {
  command: CommandName;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export function createWebSocketBridge(options: WebSocketBridgeOptions): WebSocketBridge {
  const createSocket = options.createSocket ?? ((url: string, protocols?: string[]) => new WebSocket(url, protocols) as SocketLike);
  const backoff = options.backoff ?? defaultBackoff;
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  const clearTimer = options.clearTimer ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));

  const listeners = new EventListeners();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();
  const reconnectListeners = new Set<() => void>();
  /** Commands sent and not yet answered, by number. */
  const pending = new Map<number, Pending>();
  /** Commands issued before the first open. */
  const outbox: string[] = [];
  let nextId = 1;
  let socket: SocketLike | null = null;
  let everOpen = false;
  let closed = false;
  let retryTimer: unknown = null;
  let status: ConnectionStatus = { state: 'connecting', attempt: 0, retryAt: null };

  function setStatus(next: ConnectionStatus): void {
    status = next;
    for (const listener of [...statusListeners]) listener(status);
  }

  function dispatch(message: ServerMessage): void {
    if (message.type === 'result') {
      const entry = pending.get(message.id);
      if (!entry) return;
      pending.delete(message.id);
      try {
        entry.resolve(openEnvelope(message.envelope));
      } catch (error) {
        entry.reject(error as BridgeError);
      }
      return;
    }
    listeners.emit(message.event, message.payload);
  }

  function onMessage(event: MessageEvent): void {
    if (typeof event.data !== 'string') return; // the host sends no binary frames
    let message: unknown;
    try {
      message = JSON.parse(event.data);
    } catch {
      console.warn('Ferry: a message from the host is not JSON; ignored.');
      return;
    }
    if (!isServerMessage(message)) {
      console.warn('Ferry: a message from the host has an unknown shape; ignored.');
      return;
    }
    dispatch(message);
  }

  function open(): void {
    retryTimer = null;
    let current: SocketLike;
    try {
      current = createSocket(options.url, options.protocols);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = current;
    current.binaryType = 'arraybuffer';
    current.onmessage = onMessage;
    current.onopen = () => {
      if (socket !== current) return;
      const reconnected = everOpen;
      everOpen = true;
      setStatus({ state: 'open', attempt: 0, retryAt: null });
      for (const text of outbox.splice(0)) current.send(text);
      if (reconnected) for (const listener of [...reconnectListeners]) listener();
    };
    current.onerror = () => {
      // a close event follows; it decides what to do
    };
    current.onclose = (event) => {
      if (socket !== current) return;
      socket = null;
      for (const [id, entry] of pending) {
        pending.delete(id);
        entry.reject(connectionLost(entry.command));
      }
      if (event?.code === CLOSE_NO_SESSION && options.onSessionRejected) {
        closed = true;
        options.onSessionRejected();
        return;
      }
      if (!closed) scheduleReconnect();
    };
  }

  function scheduleReconnect(): void {
    const attempt = status.attempt + 1;
    const delay = backoff(attempt);
    setStatus({ state: everOpen ? 'reconnecting' : 'connecting', attempt, retryAt: now() + delay });
    retryTimer = setTimer(open, delay);
  }

  function send<C extends CommandName>(command: C, request: CommandRequest<C>): Promise<CommandResponse<C>> {
    if (closed) return Promise.reject(notConnected());
    const ready = socket !== null && socket.readyState === OPEN;
    if (!ready && everOpen) return Promise.reject(notConnected());
    const id = nextId++;
    const message: ClientMessage = { type: 'command', id, command, request };
    const text = JSON.stringify(message);
    return new Promise<CommandResponse<C>>((resolve, reject) => {
      pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject });
      if (ready) socket!.send(text);
      else outbox.push(text);
    });
  }

  const api: FerryApi = {
    ...commandMethods<FerryCommands>(COMMAND_NAMES, (name) => (request) => send(name, request)),
    on: (event, listener) => listeners.on(event, listener),
    sendFileData(requestId, data, error) {
      // Without a socket the host has lost the request too; it asks again after the reconnect.
      if (!socket || socket.readyState !== OPEN) return;
      const header = error === undefined ? { requestId } : { requestId, error };
      socket.send(encodeFileData(header, data));
    },
  };

  const connection: BridgeConnection = {
    get status() {
      return status;
    },
    onDidChangeStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    onDidReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    reconnectNow() {
      if (closed || socket !== null || retryTimer === null) return;
      clearTimer(retryTimer);
      open();
    },
    close() {
      closed = true;
      if (retryTimer !== null) clearTimer(retryTimer);
      retryTimer = null;
      const current = socket;
      socket = null;
      current?.close(1000, 'page closed');
      for (const [id, entry] of pending) {
        pending.delete(id);
        entry.reject(connectionLost(entry.command));
      }
    },
  };

  open();
  return { api, connection };
}

function isErrorInfo(value: unknown): value is ErrorInfo {
  if (typeof value !== 'object' || value === null) return false;
  const error = value as Record<string, unknown>;
  return typeof error.code === 'string' && typeof error.message === 'string';
}

/** A cheap shape check: the host is trusted, but a garbled frame must not throw in a listener. */
function isServerMessage(value: unknown): value is ServerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const message = value as Record<string, unknown>;
  if (message.type === 'result') {
    const envelope = message.envelope as Record<string, unknown> | null;
    if (typeof message.id !== 'number' || typeof envelope !== 'object' || envelope === null) return false;
    return envelope.ok === true ? 'value' in envelope : envelope.ok === false && isErrorInfo(envelope.error);
  }
  return message.type === 'event' && typeof message.event === 'string' && typeof message.payload === 'object' && message.payload !== null;
}
