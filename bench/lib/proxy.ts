// A recording HTTP proxy in front of the S3 server, for the resume scenario: it timestamps every S3
// request a client makes (so "time to the first part sent" is measured from outside, whatever the client),
// counts acknowledged UploadPart requests (so a client can be killed after N parts), and in `hold` mode
// never forwards UploadPart requests of the object being resumed (so a resume can be measured again and again
// from the same state; other keys, such as Ferry's integrity probe, pass).
// Requests are forwarded byte for byte, Host header included, so SigV4 signatures stay valid.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type S3Op =
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'ListParts'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'HeadObject'
  | 'PutObject'
  | 'other';

export interface ProxyEvent {
  op: S3Op;
  /** performance.now() when the request's head arrived */
  at: number;
  /** performance.now() when the response's head came back (undefined while held or pending) */
  answeredAt?: number;
  status?: number;
  partNumber?: number;
  /** The object key (path-style: the path after the bucket), decoded. */
  key: string;
}

export interface RecordingProxy {
  url: string;
  mode: 'forward' | 'hold';
  /** In hold mode, the key whose UploadPart requests are held; null: every key's. */
  holdKey: string | null;
  events: ProxyEvent[];
  /** called for each request when it arrives and again when it is answered */
  onEvent: ((event: ProxyEvent, phase: 'request' | 'response') => void) | null;
  reset(): void;
  close(): Promise<void>;
}

export function classify(method: string, url: string): { op: S3Op; partNumber?: number } {
  const q = new URL(url, 'http://x').searchParams;
  if (method === 'PUT' && q.has('uploadId') && q.has('partNumber')) return { op: 'UploadPart', partNumber: Number(q.get('partNumber')) };
  if (method === 'POST' && q.has('uploads')) return { op: 'CreateMultipartUpload' };
  if (method === 'POST' && q.has('uploadId')) return { op: 'CompleteMultipartUpload' };
  if (method === 'GET' && q.has('uploadId')) return { op: 'ListParts' };
  if (method === 'DELETE' && q.has('uploadId')) return { op: 'AbortMultipartUpload' };
  if (method === 'HEAD') return { op: 'HeadObject' };
  if (method === 'PUT') return { op: 'PutObject' };
  return { op: 'other' };
}

/** The object key of a path-style request: "/bucket/a%20b/c?x" gives "a b/c". */
export function objectKey(url: string): string {
  const path = new URL(url, 'http://x').pathname;
  const slash = path.indexOf('/', 1);
  return slash === -1 ? '' : decodeURIComponent(path.slice(slash + 1));
}

export async function startProxy(upstream: string): Promise<RecordingProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const proxy: RecordingProxy = {
    url: '',
    mode: 'forward',
    holdKey: null,
    events: [],
    onEvent: null,
    reset() {
      this.events = [];
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const { op, partNumber } = classify(req.method ?? 'GET', req.url ?? '/');
    const key = objectKey(req.url ?? '/');
    const event: ProxyEvent = { op, at: performance.now(), key, ...(partNumber !== undefined ? { partNumber } : {}) };
    proxy.events.push(event);
    proxy.onEvent?.(event, 'request');
    if (op === 'UploadPart' && proxy.mode === 'hold' && (proxy.holdKey === null || key === proxy.holdKey)) {
      // never answered: the client is killed by the benchmark; the server's state does not change
      req.resume();
      return;
    }
    const upstreamReq = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (upstreamRes) => {
        event.answeredAt = performance.now();
        event.status = upstreamRes.statusCode;
        proxy.onEvent?.(event, 'response');
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on('error', () => res.destroy());
    req.on('error', () => upstreamReq.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
