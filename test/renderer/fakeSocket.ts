/**
 * A fake WebSocket for the bridge's tests, and a fake browser host on top of it that answers
 * commands from a FakeApi-like handler table. Timers are manual: `timers.runNext()` fires the
 * bridge's reconnect.
 */
import type { ServerMessage } from '../../shared/wire.ts';
import type { SocketLike } from '../../renderer/bridge/websocketBridge.ts';

export class FakeSocket implements SocketLike {
  binaryType: BinaryType = 'blob';
  readyState = 0;
  readonly url: string;
  readonly sent: (string | Uint8Array)[] = [];
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  /** Called when the page sends a text frame. */
  onSent: ((text: string) => void) | null = null;

  constructor(url: string) {
    this.url = url;
  }

  send(data: string | ArrayBufferLike | ArrayBufferView): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    if (typeof data === 'string') {
      this.sent.push(data);
      this.onSent?.(data);
    } else {
      this.sent.push(data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer));
    }
  }

  close(): void {
    this.drop();
  }

  // ---- the server's side ----

  accept(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  /** The connection fails or drops. */
  drop(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close', { code: 1006 }));
  }

  deliver(message: ServerMessage): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }));
  }

  /** Text frames sent by the page, parsed. */
  commands(): { type: string; id: number; command: string; request: unknown }[] {
    return this.sent
      .filter((frame): frame is string => typeof frame === 'string')
      .map((text) => JSON.parse(text) as { type: string; id: number; command: string; request: unknown });
  }
}

export class ManualTimers {
  readonly pending: { callback: () => void; ms: number }[] = [];
  set = (callback: () => void, ms: number): unknown => {
    const timer = { callback, ms };
    this.pending.push(timer);
    return timer;
  };
  clear = (handle: unknown): void => {
    const index = this.pending.indexOf(handle as { callback: () => void; ms: number });
    if (index >= 0) this.pending.splice(index, 1);
  };
  runNext(): void {
    const timer = this.pending.shift();
    if (!timer) throw new Error('no timer pending');
    timer.callback();
  }
}

/** Every socket the bridge opened, newest last. */
export function socketFactory() {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    create: (url: string) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    latest: () => {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket yet');
      return socket;
    },
  };
}
