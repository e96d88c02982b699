/**
 * The browser host (`ferry serve`): the window's built renderer and a WebSocket carrying the
 * contract, on 127.0.0.1 only.
 *
 * Links and sessions:
 *   - A link (`http://127.0.0.1:PORT/?token=LINK`) is good for one session. The first GET that
 *     carries it consumes it and answers the window's page with a session credential in a
 *     `<meta name="ferry-session">` tag (no-store); the page keeps the credential in its tab's
 *     sessionStorage and removes the token from its address. Using the link again answers 410 with
 *     how to get a new one ({@link WebHost.newLink}; `ferry serve` prints one on Enter or SIGUSR2).
 *   - The credential is never a cookie (cookies reach every port of 127.0.0.1) and never in a URL:
 *     the page offers it as a WebSocket subprotocol (`ferry-session.<credential>`, beside `ferry`),
 *     compared in constant time. `/ws?token=` is refused. A socket without a valid session is
 *     closed with code 4401, which tells the page to ask for a new link.
 *   - The renderer's files hold no secret and are served to any request with this server's Host.
 *   - At most MAX_SESSIONS sessions (the least recently used idle one makes room) and
 *     MAX_SOCKETS_PER_SESSION sockets each; at most MAX_OPEN_LINKS links wait to be used.
 *   - Nothing here redirects.
 *
 * Robustness: every HTTP, upgrade, text and binary handler catches and answers; 'clientError' is
 * answered 400; text frames are at most 1 MiB; a binary frame is at most the file-data chunk the
 * host asked for (BrowserSession.acceptsFrame) and the socket's payload limit is one such chunk.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EventName, Events } from '../../shared/contract.ts';
import type { ServerMessage } from '../../shared/wire.ts';
import { FIRST_PAGE_ID } from '../../shared/wire.ts';
import { decodeFileData } from '../../shared/wire.ts';
import { toErrorInfo } from '../../shared/errors.ts';
import type { HostService } from '../host/service.ts';
import { MAX_FRAME_BYTES } from '../host/browserSession.ts';

/** The largest text (command) frame a page may send. */
export const MAX_TEXT_FRAME = 1024 * 1024;
export const MAX_SESSIONS = 8;
export const MAX_SOCKETS_PER_SESSION = 4;
export const MAX_OPEN_LINKS = 4;
/** A session whose last socket closed this long ago is forgotten. */
const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** Close code telling the page its session is unknown (it asks for a new link). */
export const CLOSE_NO_SESSION = 4401;
export const SUBPROTOCOL = 'ferry';
export const SESSION_PROTOCOL_PREFIX = 'ferry-session.';

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
const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface WebHostOptions {
  service: HostService;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** How a person gets a new link, shown on the page a used or unknown link leads to. */
  newLinkHint?: string;
}

export interface Link {
  url: string;
  /** Settles when the link has been exchanged for a session (or dropped unused). */
  used: Promise<void>;
}

export interface WebHost {
  /** The server's origin with a trailing slash (no secret). */
  origin: string;
  port: number;
  /** A new single-use link. */
  newLink(): Link;
  close(): Promise<void>;
}

interface Session {
  id: string;
  secret: Buffer;
  sockets: Set<WebSocket>;
  lastSeen: number;
  /** Paths browseFiles showed this session (addPaths accepts only these). */
  browsed: Set<string>;
}

interface PendingLink {
  hash: string;
  settle: () => void;
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

function sameSecret(given: string, expected: Buffer): boolean {
  const a = Buffer.from(given);
  return a.length === expected.length && timingSafeEqual(a, expected);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function explanationPage(title: string, text: string, hint: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Ferry: ${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><p>${escapeHtml(hint)}</p></body></html>\n`;
}

/** The request target's path and query, or null when it is not a plain origin-form path. */
function parseTarget(raw: string | undefined): { pathname: string; search: URLSearchParams } | null {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.length > 8192) return null;
  try {
    const url = new URL(raw, 'http://127.0.0.1');
    if (url.host !== '127.0.0.1') return null;
    return { pathname: url.pathname, search: url.searchParams };
  } catch {
    return null;
  }
}

function frameBuffer(raw: RawData): Buffer {
  return Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { service, rendererDir } = options;
  const hint = options.newLinkHint ?? 'To get a new link, press Enter in the terminal where `ferry serve` runs (or restart `ferry serve`).';
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const sessions = new Map<string, Session>();
  const openLinks = new Map<string, PendingLink>();
  const usedLinks = new Set<string>();

  const answer = (response: ServerResponse, status: number, type: string, body: string): void => {
    if (response.headersSent) {
      response.end();
      return;
    }
    response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...SECURITY_HEADERS });
    response.end(body);
  };
  const refuse = (response: ServerResponse, status: number, text: string): void =>
    answer(response, status, 'text/plain; charset=utf-8', `${text}\n`);
  const explain = (response: ServerResponse, status: number, title: string, text: string): void =>
    answer(response, status, 'text/html; charset=utf-8', explanationPage(title, text, hint));

  function forgetIdleSessions(now: number): void {
    for (const [id, session] of sessions) if (session.sockets.size === 0 && now - session.lastSeen > SESSION_IDLE_MS) sessions.delete(id);
  }

  /** A new session, or null when MAX_SESSIONS are in use with open sockets. */
  function createSession(): { session: Session; credential: string } | null {
    const now = Date.now();
    forgetIdleSessions(now);
    if (sessions.size >= MAX_SESSIONS) {
      const idle = [...sessions.values()].filter((s) => s.sockets.size === 0).sort((a, b) => a.lastSeen - b.lastSeen)[0];
      if (!idle) return null;
      sessions.delete(idle.id);
    }
    const id = randomBytes(12).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const session: Session = { id, secret: Buffer.from(secret), sockets: new Set(), lastSeen: now, browsed: new Set() };
    sessions.set(id, session);
    return { session, credential: `${id}.${secret}` };
  }

  function sessionOf(credential: string | undefined): Session | null {
    if (!credential) return null;
    const dot = credential.indexOf('.');
    if (dot <= 0) return null;
    const session = sessions.get(credential.slice(0, dot));
    if (!session) return null;
    if (!sameSecret(credential.slice(dot + 1), session.secret)) return null;
    if (session.sockets.size === 0 && Date.now() - session.lastSeen > SESSION_IDLE_MS) {
      sessions.delete(session.id);
      return null;
    }
    return session;
  }

  /**
   * The window's files are read synchronously: they are small and in the page cache, while an
   * asynchronous read waits in libuv's thread pool behind the uploads' file reads (stat, open, read,
   * close of each file). Under a batch of small files that wait put 0.1 to 0.4 s on each of the
   * page's requests, and so on its first row (issue #13).
   */
  function readRendererFile(file: string): Buffer {
    return readFileSync(file);
  }

  /** JSON inside a <script> data block: no `<` that could close it or open a comment. */
  function jsonInHtml(value: unknown): string {
    return JSON.stringify(value)
      .replace(/</g, '\\u003c')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029');
  }

  async function servePage(response: ServerResponse, head: boolean, credential: string | null): Promise<void> {
    let html: string;
    try {
      html = readRendererFile(join(rendererDir, 'index.html')).toString('utf8');
    } catch {
      return refuse(response, 404, 'The window is not built: run `npm run build`.');
    }
    if (credential !== null) {
      let meta = `<meta name="ferry-session" content="${escapeHtml(credential)}">`;
      // the snapshot's first page with the document, for the page that holds the session (issue #13):
      // the first rows show without waiting for the socket and its snapshot, two round trips to a
      // host that may be busy uploading; the page still takes its own snapshot over the socket
      meta += `<script type="application/json" id="${FIRST_PAGE_ID}">${jsonInHtml(service.previewSnapshot())}</script>`;
      html = /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (tag) => `${tag}${meta}`) : `${meta}${html}`;
    }
    response.writeHead(200, { 'content-type': TYPES['.html']!, 'cache-control': 'no-store', ...SECURITY_HEADERS });
    response.end(head ? undefined : html);
  }

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!allowedHosts().has(request.headers.host ?? '')) return refuse(response, 403, 'Forbidden: unexpected Host header.');
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'Method not allowed.');
    const target = parseTarget(request.url);
    if (!target) return refuse(response, 400, 'Bad request.');
    const head = request.method === 'HEAD';
    const link = target.search.get('token');
    if (link !== null) {
      if (target.pathname !== '/') return refuse(response, 404, 'Not found.');
      const hash = digest(link);
      const pending = openLinks.get(hash);
      if (!pending) {
        if (usedLinks.has(hash))
          return explain(response, 410, 'This link was already used', 'A link from `ferry serve` opens one window, once.');
        return explain(
          response,
          401,
          'This link is not valid',
          'It is not a link this `ferry serve` gave out, or it was replaced by a newer one.',
        );
      }
      if (head) return servePage(response, true, null);
      const created = createSession();
      if (!created)
        return explain(
          response,
          503,
          'Too many Ferry windows',
          `Ferry serves at most ${MAX_SESSIONS} windows at once: close one, then open a new link.`,
        );
      openLinks.delete(hash);
      usedLinks.add(hash);
      if (usedLinks.size > 256) usedLinks.delete(usedLinks.values().next().value!);
      pending.settle();
      return servePage(response, false, created.credential);
    }
    if (target.pathname === '/' || target.pathname === '/index.html') return servePage(response, head, null);
    if (target.pathname === '/new-link')
      return explain(
        response,
        200,
        'This window has no session with Ferry',
        'A link from `ferry serve` opens one window, once; this one was not opened by a link, or Ferry restarted.',
      );
    let relative: string;
    try {
      relative = decodeURIComponent(target.pathname.slice(1));
    } catch {
      return refuse(response, 400, 'Bad request.');
    }
    const file = normalize(join(rendererDir, relative));
    if (relative.includes('\0') || !file.startsWith(rendererDir + sep)) return refuse(response, 404, 'Not found.');
    let body: Buffer;
    try {
      body = readRendererFile(file);
    } catch {
      return refuse(response, 404, 'Not found.');
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'max-age=3600',
      ...SECURITY_HEADERS,
    });
    response.end(head ? undefined : body);
  }

  const server: Server = createServer((request, response) => {
    handleRequest(request, response).catch(() => {
      try {
        refuse(response, 500, 'Internal error.');
      } catch {
        response.destroy();
      }
    });
  });
  server.on('clientError', (_error, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
  sockets.on('error', () => {});
  sockets.on('wsClientError', (_error, socket) => socket.destroy());

  function sessionProtocol(request: IncomingMessage): string | undefined {
    const header = request.headers['sec-websocket-protocol'];
    if (typeof header !== 'string') return undefined;
    const offered = header.split(',').map((p) => p.trim());
    return offered.find((p) => p.startsWith(SESSION_PROTOCOL_PREFIX))?.slice(SESSION_PROTOCOL_PREFIX.length);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const reject = (status: number, text: string) => {
      if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else socket.destroy();
    };
    try {
      if (request.url !== '/ws') return request.url?.startsWith('/ws?') ? reject(400, 'Bad Request') : reject(404, 'Not Found');
      if (!allowedHosts().has(request.headers.host ?? '')) return reject(403, 'Forbidden');
      if (!allowedOrigins().has(request.headers.origin ?? '')) return reject(403, 'Forbidden');
      const session = sessionOf(sessionProtocol(request));
      if (session && session.sockets.size >= MAX_SOCKETS_PER_SESSION) return reject(429, 'Too Many Requests');
      sockets.handleUpgrade(request, socket, head, (ws) => {
        // ws answers protocol errors (bad frames, 1009 too big) with a close frame itself
        ws.on('error', () => {});
        if (!session) return ws.close(CLOSE_NO_SESSION, 'no session: open a new link from ferry serve');
        connect(ws, session);
      });
    } catch {
      reject(400, 'Bad Request');
    }
  });

  const connections = new Set<WebSocket>();
  const send = (ws: WebSocket, message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const offEvents = service.onEvent((event, payload) => {
    const message = JSON.stringify({ type: 'event', event, payload });
    for (const ws of connections) if (ws.readyState === ws.OPEN) ws.send(message);
  });

  function connect(ws: WebSocket, webSession: Session): void {
    connections.add(ws);
    webSession.sockets.add(ws);
    webSession.lastSeen = Date.now();
    const session = service.openSession(
      <E extends EventName>(event: E, payload: Events[E]) => send(ws, { type: 'event', event, payload } as ServerMessage),
      webSession.browsed,
    );

    async function onText(raw: Buffer): Promise<void> {
      if (raw.length > MAX_TEXT_FRAME) return ws.close(1009, 'message too big');
      let message: unknown;
      try {
        message = JSON.parse(raw.toString('utf8'));
      } catch {
        return ws.close(1003, 'malformed message');
      }
      if (typeof message !== 'object' || message === null || Array.isArray(message)) return ws.close(1003, 'malformed message');
      const { type, id, command, request } = message as Record<string, unknown>;
      if (type !== 'command' || typeof id !== 'number' || !Number.isSafeInteger(id)) return ws.close(1003, 'malformed message');
      let envelope;
      try {
        envelope = await service.dispatch(command, request, session);
      } catch (error) {
        envelope = { ok: false as const, error: toErrorInfo(error) };
      }
      send(ws, { type: 'result', id, envelope });
    }

    function onBinary(raw: Buffer): void {
      if (!session.acceptsFrame(raw.length)) return ws.close(1009, 'file data nobody asked for');
      let decoded;
      try {
        decoded = decodeFileData(raw);
      } catch {
        return ws.close(1003, 'malformed file data');
      }
      session.deliver(decoded.header, decoded.data);
    }

    ws.on('message', (raw: RawData, isBinary: boolean) => {
      try {
        const frame = frameBuffer(raw);
        if (isBinary) onBinary(frame);
        else onText(frame).catch(() => ws.close(1011, 'internal error'));
      } catch {
        ws.close(1011, 'internal error');
      }
    });
    ws.on('close', () => {
      connections.delete(ws);
      webSession.sockets.delete(ws);
      webSession.lastSeen = Date.now();
      service.closeSession(session).catch(() => {});
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {});
  port = (server.address() as { port: number }).port;
  const origin = `http://127.0.0.1:${port}/`;
  return {
    origin,
    port,
    newLink() {
      const secret = randomBytes(24).toString('base64url');
      let settle!: () => void;
      const used = new Promise<void>((resolve) => (settle = resolve));
      openLinks.set(digest(secret), { hash: digest(secret), settle });
      while (openLinks.size > MAX_OPEN_LINKS) {
        const [oldest, pending] = openLinks.entries().next().value!;
        openLinks.delete(oldest);
        pending.settle();
      }
      return { url: `${origin}?token=${secret}`, used };
    },
    async close() {
      offEvents();
      for (const pending of openLinks.values()) pending.settle();
      openLinks.clear();
      for (const ws of connections) ws.terminate();
      sockets.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
