/**
 * Picks the page's way to the engine: Ferry's Electron preload (`window.ferry`, answering envelopes,
 * adapted by fromWire), or else the browser host's WebSocket. Everything above this file sees a FerryApi
 * and, for a link that can drop, a BridgeConnection.
 */
import { fromWire, type FerryApi } from '../../shared/contract.ts';
import type { BridgeConnection } from './connection.ts';
import './desktop.ts';
import { sessionRejected, takeSessionCredential } from './session.ts';
import { createWebSocketBridge, hostSocketProtocols, hostSocketUrl } from './websocketBridge.ts';

export interface Bridge {
  api: FerryApi;
  /** Null in Electron, whose IPC does not drop. */
  connection: BridgeConnection | null;
}

export function openBridge(target: Window = window): Bridge {
  if (target.ferry) return { api: fromWire(target.ferry), connection: null };
  return createWebSocketBridge({
    url: hostSocketUrl(target.location),
    protocols: hostSocketProtocols(takeSessionCredential(target)),
    onSessionRejected: () => sessionRejected(target),
  });
}

export type { BridgeConnection, ConnectionStatus, ConnectionState } from './connection.ts';
