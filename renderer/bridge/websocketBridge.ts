/**
 * A FerryApi over the browser host's WebSocket (shared/wire.ts).
 *
 *   page -> host  {type:'command', id, command, request}          one number per command
 *   host -> page  {type:'result', id, envelope}                    settles that command's promise
 *                 {type:'event', event, payload}                   to the listeners of `on(event)`
 *   page -> host  binary [u32 LE length][header JSON][bytes]       sendFileData (encodeFileData)
 *
 * The host authenticates the socket with the cookie it set when the page was loaded with
 * `?token=…`; the token (if the page URL still has it) is passed on the socket URL as well.
 *
 * When the socket drops, commands waiting for an answer reject with a BridgeError, and the bridge
 * reconnects with exponential backoff (jittered, capped). Listeners stay registered across
 * reconnects; `connection.onDidReconnect` tells the store to take a new snapshot.
 * Commands issued before the first open wait for it; commands issued while reconnecting reject at
 * once, so that a click never silently does nothing.
 */
import {
  BridgeError,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
  type EventName,
  type FerryApi,
} from '../../shared/contract.ts';
import type { ErrorInfo } from '../../shared/errors.ts';
import { encodeFileData, type ClientMessage, type ServerMessage } from '../../shared/wire.ts';
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
  /** ws(s)://host/ws?token=…; see {@link hostSocketUrl}. */
  url: string;
  createSocket?: (url: string) => SocketLike;
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

/** The host's socket for a page at `location`: same host, ws or wss, with the page's `?token=` if any. */
export function hostSocketUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const token = new URLSearchParams(location.search).get('token');
  return `${scheme}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
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
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as SocketLike);
  const backoff = options.backoff ?? defaultBackoff;
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((callback: () => void, ms: number) => setTimeout(callback, ms));
  const clearTimer = options.clearTimer ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));

  const listeners = new Map<EventName, Set<(payload: never) => void>>();
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
      const envelope = message.envelope;
      if (envelope.ok) entry.resolve(envelope.value);
      else entry.reject(new BridgeError(envelope.error));
      return;
    }
    const set = listeners.get(message.event);
    if (!set) return;
    for (const listener of [...set]) (listener as (payload: unknown) => void)(message.payload);
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
      current = createSocket(options.url);
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
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      for (const [id, entry] of pending) {
        pending.delete(id);
        entry.reject(connectionLost(entry.command));
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

  function command<C extends CommandName>(name: C): (request: CommandRequest<C>) => Promise<CommandResponse<C>> {
    return (request) => send(name, request);
  }

  const api: FerryApi = {
    snapshot: command('snapshot'),
    addPaths: command('addPaths'),
    addBrowserFiles: command('addBrowserFiles'),
    attachBrowserFiles: command('attachBrowserFiles'),
    pauseJobs: command('pauseJobs'),
    resumeJobs: command('resumeJobs'),
    retryJobs: command('retryJobs'),
    abortJobs: command('abortJobs'),
    clearJobs: command('clearJobs'),
    addEndpoint: command('addEndpoint'),
    updateEndpoint: command('updateEndpoint'),
    removeEndpoint: command('removeEndpoint'),
    testEndpoint: command('testEndpoint'),
    listBuckets: command('listBuckets'),
    listOrphans: command('listOrphans'),
    abortOrphans: command('abortOrphans'),
    browseFiles: command('browseFiles'),
    setSettings: command('setSettings'),
    shareLink: command('shareLink'),
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
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
