/**
 * The browser host's WebSocket wire format (pure; runs in Node and in the page).
 *   page -> host, text:   {type:'command', id, command, request}
 *   host -> page, text:   {type:'result', id, envelope} | {type:'event', event, payload}
 *   page -> host, binary: file bytes for a fileReadRequested event:
 *                         [u32 little-endian header length][header JSON {requestId, error?}][bytes]
 */
import type { CommandName, Envelope, EventName, Events } from './contract.ts';

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
