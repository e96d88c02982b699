// Talking to the browser host (main/web/server.ts) as a page and as an attacker would: plain HTTP
// requests, raw bytes, a link exchanged for a session credential, and a stand-in for the page over
// the WebSocket (commands with promises, events to listeners, files answered from memory).
import { request } from 'node:http';
import { connect } from 'node:net';
import WebSocket from 'ws';
import type { CommandName, CommandResponses, Events, JobView } from '../../shared/contract.ts';
import { encodeFileData, type ServerMessage } from '../../shared/wire.ts';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function httpGet(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends `bytes` on a fresh TCP connection, ends it, and resolves with all the host answered once it closed. */
export function rawExchange(port: number, bytes: Uint8Array | string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
    socket.write(bytes);
    socket.end();
  });
}

/** The session credential the host put in the page it answered a link's first use with, or null. */
export function credentialIn(html: string): string | null {
  return /<meta name="ferry-session" content="([^"]+)">/.exec(html)?.[1] ?? null;
}

/** Opens `link` as a browser does and returns the session credential (throws when the host refused). */
export async function exchangeLink(link: string): Promise<string> {
  const url = new URL(link);
  const answer = await httpGet(Number(url.port), `${url.pathname}${url.search}`);
  const credential = credentialIn(answer.body);
  if (answer.status !== 200 || !credential) throw new Error(`the link was refused (${answer.status}): ${answer.body.slice(0, 200)}`);
  return credential;
}

/** A WebSocket to the host as the page opens it: its Origin, and the credential as a subprotocol. */
export function pageSocket(port: number, credential: string | null, options: { path?: string; origin?: string } = {}): WebSocket {
  return new WebSocket(
    `ws://127.0.0.1:${port}${options.path ?? '/ws'}`,
    credential ? ['ferry', `ferry-session.${credential}`] : ['ferry'],
    {
      headers: { origin: options.origin ?? `http://127.0.0.1:${port}` },
    },
  );
}

/**
 * How an upgrade ended: the HTTP status it was refused with; the close code the host closed it with
 * right after opening; or `answered` when the socket opened and a command on it was answered.
 */
export function upgradeOutcome(ws: WebSocket): Promise<{ opened: boolean; status?: number; closeCode?: number; answered?: true }> {
  return new Promise((resolve) => {
    let opened = false;
    ws.on('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode ?? 0 }));
    ws.on('open', () => {
      opened = true;
      ws.send(JSON.stringify({ type: 'command', id: 1, command: 'snapshot', request: {} }));
    });
    ws.on('message', () => {
      resolve({ opened, answered: true });
      ws.terminate();
    });
    ws.on('error', () => {});
    ws.on('close', (code) => resolve({ opened, closeCode: code }));
  });
}

/** A stand-in for the page. */
export class Page {
  readonly ws: WebSocket;
  readonly files = new Map<string, Buffer>();
  bytesServed = 0;
  #next = 1;
  readonly #pending = new Map<number, (message: ServerMessage & { type: 'result' }) => void>();
  readonly #listeners = new Set<(event: string, payload: unknown) => void>();
  /** Keys of the jobs events showed completed since the page opened. */
  readonly #completedKeys = new Set<string>();

  constructor(port: number, credential: string) {
    this.ws = pageSocket(port, credential);
    // a command the host never answers fails when the socket closes (a host that crashed, say)
    this.ws.on('close', (code) => {
      for (const settle of this.#pending.values())
        settle({
          type: 'result',
          id: 0,
          envelope: { ok: false, error: { code: 'HOST_DISCONNECTED', message: `socket closed (${code})`, retryable: true } },
        });
      this.#pending.clear();
    });
    this.ws.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as ServerMessage;
      if (message.type === 'result') this.#pending.get(message.id)?.(message);
      else {
        if (message.event === 'jobsChanged' || message.event === 'jobsAdded')
          for (const job of (message.payload as Events['jobsChanged']).jobs)
            if (job.state === 'completed') this.#completedKeys.add(job.key);
        if (message.event === 'fileReadRequested') this.#serve(message.payload as Events['fileReadRequested']);
        for (const listener of this.#listeners) listener(message.event, message.payload);
      }
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.ws
        .once('open', () => resolve())
        .once('error', reject)
        .once('close', (code) => reject(new Error(`closed (${code})`))),
    );
  }

  #serve({ requestId, fileId, start, end }: Events['fileReadRequested']): void {
    const file = this.files.get(fileId);
    if (!file) return this.ws.send(encodeFileData({ requestId, error: 'unknown file' }, null));
    this.bytesServed += end - start;
    this.ws.send(encodeFileData({ requestId }, file.subarray(start, end)));
  }

  call<C extends CommandName>(command: C, request: unknown): Promise<CommandResponses[C]> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (message) =>
        message.envelope.ok
          ? resolve(message.envelope.value as CommandResponses[C])
          : reject(Object.assign(new Error(message.envelope.error.message), message.envelope.error)),
      );
      this.ws.send(JSON.stringify({ type: 'command', id, command, request }));
    });
  }

  /** Calls `listener` with every event the host sends from now on, in order. */
  onEvent(listener: (event: string, payload: unknown) => void): void {
    this.#listeners.add(listener);
  }

  /** Resolves with the job once an event shows it passing `test`. */
  jobReaches(jobId: string, test: (job: JobView) => boolean): Promise<JobView> {
    return new Promise((resolve) => {
      const listener = (event: string, payload: unknown) => {
        if (event !== 'jobsChanged') return;
        const job = (payload as Events['jobsChanged']).jobs.find((j) => j.id === jobId);
        if (job && test(job)) {
          this.#listeners.delete(listener);
          resolve(job);
        }
      };
      this.#listeners.add(listener);
    });
  }

  /** Resolves once an event showed the job with `key` completed (also if it came before this call). */
  keyCompleted(key: string): Promise<void> {
    if (this.#completedKeys.has(key)) return Promise.resolve();
    return new Promise((resolve) => {
      const listener = () => {
        if (!this.#completedKeys.has(key)) return;
        this.#listeners.delete(listener);
        resolve();
      };
      this.#listeners.add(listener);
    });
  }

  progressAtLeast(jobId: string, bytes: number): Promise<void> {
    return new Promise((resolve) => {
      const listener = (event: string, payload: unknown) => {
        if (event === 'jobsProgress' && (payload as Events['jobsProgress']).updates.some((u) => u.id === jobId && u.bytesDone >= bytes)) {
          this.#listeners.delete(listener);
          resolve();
        }
      };
      this.#listeners.add(listener);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve();
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
