/**
 * Picks the page's way to the engine: Ferry's Electron preload (`window.ferry`, answering envelopes,
 * adapted by fromWire), or else the browser host's WebSocket. Everything above this file sees a FerryApi
 * and, for a link that can drop, a BridgeConnection.
 */
import { fromWire, type FerryApi, type Snapshot } from '../../shared/contract.ts';
import type { BridgeConnection } from './connection.ts';
import './desktop.ts';
import { takeFirstPage } from './firstPage.ts';
import { sessionRejected, takeSessionCredential } from './session.ts';
import { createWebSocketBridge, hostSocketProtocols, hostSocketUrl } from './websocketBridge.ts';

export interface Bridge {
  api: FerryApi;
  /** Null in Electron, whose IPC does not drop. */
  connection: BridgeConnection | null;
  /** The first page of a snapshot handed with the document (browser host, a link's first use), or null. */
  firstPage: Snapshot | null;
}

export function openBridge(target: Window = window): Bridge {
  if (target.ferry) return { api: fromWire(target.ferry), connection: null, firstPage: null };
  const firstPage = takeFirstPage(target);
  const bridge = createWebSocketBridge({
    url: hostSocketUrl(target.location),
    protocols: hostSocketProtocols(takeSessionCredential(target)),
    onSessionRejected: () => sessionRejected(target),
  });
  return { ...bridge, firstPage };
}

export type { BridgeConnection, ConnectionStatus, ConnectionState } from './connection.ts';
