/**
 * The window is served from Ferry's own scheme, app://ferry/, by a `protocol.handle` handler that
 * reads only the built renderer (dist/renderer, inside app.asar when packaged), instead of file://:
 *   - the origin app://ferry holds the app's pages and nothing else (every file:// page would share
 *     a file origin and its extra privileges; the GrantFileProtocolExtraPrivileges fuse is off);
 *   - every response carries the Content-Security-Policy as a header, which also enforces what a
 *     <meta> cannot (frame-ancestors), on top of the page's own meta CSP;
 *   - main's IPC can pin the sender frame to this origin (ipc.ts).
 * Electron 45's protocol.registerSource serves directories without a handler but is experimental and
 * cannot add headers, so a small handler it is.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { CustomScheme } from 'electron';
import { APP_SCHEME, isAppUrl } from './channels.ts';

/**
 * No inline script or style, nothing from the network, no plugins, no frames, no forms. The page's
 * meta CSP also allows ws: for the browser host; this header (the stricter of the two wins) does not.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Registered before `ready` (Electron requires it). standard+secure give app://ferry a real, secure
 * origin (so module scripts, fetch and localStorage work as on https); codeCache keeps V8's code
 * cache for the bundle; nothing bypasses CSP.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

function refuse(status: number, text: string): Response {
  return new Response(`${text}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': CONTENT_SECURITY_POLICY },
  });
}

/** The handler for protocol.handle(APP_SCHEME, …): files under `rendererDir`, GET/HEAD only, with the CSP header. */
export function createRendererHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const root = resolve(rendererDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'Method not allowed.');
    if (!isAppUrl(request.url)) return refuse(404, 'Not found.');
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(request.url).pathname);
    } catch {
      return refuse(400, 'Bad request.');
    }
    const file = join(root, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(root + sep)) return refuse(404, 'Not found.');
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return refuse(404, pathname.endsWith('index.html') ? 'The window is not built: run `npm run build`.' : 'Not found.');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cache-control': 'no-cache',
      },
    });
  };
}
