/**
 * The state of the link between the page and the engine's host. Electron's IPC never drops; the
 * browser host's WebSocket can, and the window says so while it reconnects.
 */

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Reconnect attempts since the link was last open. */
  attempt: number;
  /** When the next attempt starts (ms since epoch), while reconnecting. */
  retryAt: number | null;
}

/** A link that can drop. `onDidReconnect` fires when it is open again after a drop (not the first open). */
export interface BridgeConnection {
  readonly status: ConnectionStatus;
  onDidChangeStatus(listener: (status: ConnectionStatus) => void): () => void;
  onDidReconnect(listener: () => void): () => void;
  /** Tries again now instead of waiting for the backoff. */
  reconnectNow(): void;
  close(): void;
}
