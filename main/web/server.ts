/**
 * The browser host (`ferry serve`): the window's built renderer and a WebSocket carrying the
 * contract, on 127.0.0.1 only.
 *
 * Security: a random per-run token is required (in the printed URL's query once; then an HttpOnly,
 * SameSite=Strict cookie), compared in constant time; every request's Host header must name this
 * server (DNS rebinding) and a WebSocket's Origin must be this server's; everything else is refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EventName, Events } from '../../shared/contract.ts';
import type { ClientMessage, ServerMessage } from '../../shared/wire.ts';
import { decodeFileData } from '../../shared/wire.ts';
import type { HostService } from '../host/service.ts';

const COOKIE = 'ferry_token';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export interface WebHostOptions {
  service: HostService;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token (tests); default: 24 random bytes. */
  token?: string;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(request: IncomingMessage): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const { service, rendererDir } = options;
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const refuse = (response: ServerResponse, status: number, text: string) => {
    response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    response.end(`${text}\n`);
  };

  const server: Server = createServer(async (request, response) => {
    try {
      if (!allowedHosts().has(request.headers.host ?? '')) return refuse(response, 403, 'Forbidden: unexpected Host header.');
      const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
      const queryToken = url.searchParams.get('token');
      if (queryToken !== null) {
        if (!tokenMatches(queryToken, token))
          return refuse(response, 401, 'Unauthorized: this link is not valid. Use the URL that `ferry serve` printed.');
        // the token moves into a cookie, and out of the address bar and history
        response.writeHead(303, {
          location: url.pathname,
          'set-cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
          'cache-control': 'no-store',
        });
        return response.end();
      }
      if (!tokenMatches(cookieToken(request), token)) {
        return refuse(response, 401, 'Unauthorized: open the URL that `ferry serve` printed (it carries a token).');
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'Method not allowed.');
      const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
      const file = normalize(join(rendererDir, relative));
      if (!file.startsWith(rendererDir + sep)) return refuse(response, 404, 'Not found.');
      let body: Buffer;
      try {
        body = await readFile(file);
      } catch {
        return refuse(response, 404, relative === 'index.html' ? 'The window is not built: run `npm run build`.' : 'Not found.');
      }
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cache-control': relative === 'index.html' ? 'no-store' : 'max-age=3600',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch {
      refuse(response, 500, 'Internal error.');
    }
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 * 1024 });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/ws') return reject(404, 'Not Found');
    if (!allowedHosts().has(request.headers.host ?? '')) return reject(403, 'Forbidden');
    if (!allowedOrigins().has(request.headers.origin ?? '')) return reject(403, 'Forbidden');
    if (!tokenMatches(cookieToken(request) ?? url.searchParams.get('token'), token)) return reject(401, 'Unauthorized');
    sockets.handleUpgrade(request, socket, head, (ws) => connect(ws));
  });

  const connections = new Set<WebSocket>();
  const send = (ws: WebSocket, message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const offEvents = service.onEvent((event, payload) => {
    const message = JSON.stringify({ type: 'event', event, payload });
    for (const ws of connections) if (ws.readyState === ws.OPEN) ws.send(message);
  });

  function connect(ws: WebSocket): void {
    connections.add(ws);
    const session = service.openSession(<E extends EventName>(event: E, payload: Events[E]) =>
      send(ws, { type: 'event', event, payload } as ServerMessage),
    );
    ws.on('message', async (raw: RawData, isBinary: boolean) => {
      if (isBinary) {
        try {
          const frame = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
          const { header, data } = decodeFileData(frame);
          session.deliver(header, data);
        } catch {
          ws.close(1003, 'malformed file data');
        }
        return;
      }
      let message: ClientMessage;
      try {
        message = JSON.parse(raw.toString()) as ClientMessage;
      } catch {
        return ws.close(1003, 'malformed message');
      }
      if (message?.type !== 'command' || typeof message.id !== 'number') return ws.close(1003, 'malformed message');
      const envelope = await service.dispatch(message.command, message.request, session);
      send(ws, { type: 'result', id: message.id, envelope });
    });
    ws.on('close', () => {
      connections.delete(ws);
      void service.closeSession(session);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    async close() {
      offEvents();
      for (const ws of connections) ws.terminate();
      sockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
