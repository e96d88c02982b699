/**
 * The wire of the contract (pure; runs in Node, the preload and the page): what every transport of
 * shared/contract.ts shares (one method per command, built from COMMAND_NAMES; the event listeners),
 * and the browser host's WebSocket format. Every command answers an Envelope, whatever the transport:
 * Electron IPC, the WebSocket, and the control socket (main/engine/control.ts).
 *
 * The WebSocket format:
 *   page -> host, text:   {type:'command', id, command, request}
 *   host -> page, text:   {type:'result', id, envelope} | {type:'event', event, payload}
 *   page -> host, binary: file bytes for a fileReadRequested event:
 *                         [u32 little-endian header length][header JSON {requestId, error?}][bytes]
 */
import type { CommandName, CommandRequest, Envelope, EventName, Events, FerryCommands, FerryWireCommands } from './contract.ts';

/**
 * The id of the `<script type="application/json">` data block in which the browser host hands the
 * page that opens its link the answer to `snapshot` (a Snapshot: the first page of the jobs) with
 * the document: the first rows show before the socket is open (issue #13). A preview only: the page
 * takes its own snapshot over the socket, from which it follows the events.
 */
export const FIRST_PAGE_ID = 'ferry-first-page';

/**
 * One method per command of the contract, made by `make` for each name: the preload, the WebSocket
 * bridge and the window's test fake build their FerryApi this way, so a new command needs no edit there.
 */
export function commandMethods<M extends FerryCommands | FerryWireCommands>(
  names: readonly CommandName[],
  make: <C extends CommandName>(name: C) => (request: CommandRequest<C>) => Promise<unknown>,
): M {
  // (TypeScript cannot relate a generic C's request to its response across the union of commands, so
  // `make` is checked on the request and M names what the methods answer.)
  return Object.fromEntries(names.map((name) => [name, make(name)])) as M;
}

/** The listeners of a FerryApi's `on`, by event; `on` returns the unsubscribe. */
export class EventListeners {
  readonly #listeners = new Map<EventName, Set<(payload: never) => void>>();

  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const entry = listener as (payload: never) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) (listener as (value: Events[E]) => void)(payload);
  }

  count(event: EventName): number {
    return this.#listeners.get(event)?.size ?? 0;
  }
}

export type ClientMessage = { type: 'command'; id: number; command: CommandName; request: unknown };
export type ServerMessage =
  | { type: 'result'; id: number; envelope: Envelope<unknown> }
  | { [E in EventName]: { type: 'event'; event: E; payload: Events[E] } }[EventName];

export interface FileDataHeader {
  requestId: string;
  error?: string;
}

export function encodeFileData(header: FileDataHeader, data: ArrayBuffer | Uint8Array | null): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify(header));
  const body = data === null ? new Uint8Array(0) : data instanceof Uint8Array ? data : new Uint8Array(data);
  const out = new Uint8Array(4 + head.length + body.length);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  out.set(body, 4 + head.length);
  return out;
}

/** Splits a binary frame; throws on a malformed one. `data` views the frame's memory (no copy). */
export function decodeFileData(frame: Uint8Array): { header: FileDataHeader; data: Uint8Array } {
  if (frame.length < 4) throw new Error('file-data frame too short');
  const length = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, true);
  if (length > 4096 || 4 + length > frame.length) throw new Error('file-data frame header malformed');
  const header = JSON.parse(new TextDecoder().decode(frame.subarray(4, 4 + length))) as FileDataHeader;
  if (typeof header.requestId !== 'string') throw new Error('file-data frame without requestId');
  return { header, data: frame.subarray(4 + length) };
}
