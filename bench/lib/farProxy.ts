// A far endpoint, in user space (this machine has no kernel netem): an HTTP proxy in front of the S3 server
// that makes every client pay what a distant server costs.
//   - Latency: every request's answer comes back `rttMs` later than the server gave it (one round trip per
//     request), a new connection costs one more round trip before its first request (the TCP handshake), and
//     an `Expect: 100-continue` is answered by the proxy one round trip later (a client that waits for it
//     pays for it, as it would over a real link).
//   - Bandwidth: every byte, of every connection, goes through one shared link of `bitsPerSecond` each way
//     (full duplex): request bodies on the way up, responses on the way down, in the order they arrive.
// The TCP window is not modelled: one connection can fill the link on its own (as a well-tuned one does).
// Requests are forwarded byte for byte, Host included, so SigV4 signatures stay valid; `Expect` is not passed
// on (the proxy answered it; no client signs it). It also counts connections and requests by S3 operation, so
// the report can say how many requests each client needed per file.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { classify, type S3Op } from './proxy.ts';

export interface FarLink {
  /** added to every request (and once more to a connection's first one) */
  rttMs: number;
  /** the link's rate each way */
  bitsPerSecond: number;
}

export interface FarCounts {
  connections: number;
  requests: number;
  byOp: Partial<Record<S3Op, number>>;
  bytesUp: number;
  bytesDown: number;
}

export interface FarProxy {
  url: string;
  link: FarLink;
  counts: FarCounts;
  /** zeroes the counts (before each measured run) */
  reset(): void;
  close(): Promise<void>;
}

/**
 * One direction of the link: bytes leave it one after another at the link's rate. `delayFor(n)` reserves the
 * next n bytes' slot and says how long until they have left, from now. The reservation is in absolute time, so
 * a timer that fires late delays one chunk, never the link's rate.
 */
export class LinkPacer {
  readonly #bytesPerMs: number;
  #freeAt = 0;
  constructor(bitsPerSecond: number) {
    this.#bytesPerMs = bitsPerSecond / 8 / 1000;
  }
  delayFor(bytes: number, now = performance.now()): number {
    const start = Math.max(now, this.#freeAt);
    this.#freeAt = start + bytes / this.#bytesPerMs;
    return this.#freeAt - now;
  }
}

/** Passes chunks on once the link has carried them. */
function paced(pacer: LinkPacer, count: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      count(chunk.length);
      const wait = pacer.delayFor(chunk.length);
      if (wait < 1) callback(null, chunk);
      else setTimeout(() => callback(null, chunk), wait);
    },
  });
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startFarProxy(upstream: string, link: FarLink): Promise<FarProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const up = new LinkPacer(link.bitsPerSecond);
  const down = new LinkPacer(link.bitsPerSecond);
  const sockets = new Set<Socket>();
  /** sockets whose handshake round trip was paid */
  const connected = new WeakSet<Socket>();
  const counts: FarCounts = { connections: 0, requests: 0, byOp: {}, bytesUp: 0, bytesDown: 0 };

  /** The handshake's round trip, before a connection's first request is read. */
  const handshake = async (socket: Socket) => {
    if (connected.has(socket)) return;
    connected.add(socket);
    await delay(link.rttMs);
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const { op } = classify(req.method ?? 'GET', req.url ?? '/');
    counts.requests++;
    counts.byOp[op] = (counts.byOp[op] ?? 0) + 1;
    const headers = { ...req.headers };
    delete headers.expect;
    const upstreamReq = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (upstreamRes) => {
        // the answer's round trip, then its bytes down the link
        setTimeout(() => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(paced(down, (n) => (counts.bytesDown += n))).pipe(res);
        }, link.rttMs);
      },
    );
    upstreamReq.on('error', () => res.destroy());
    req.on('error', () => upstreamReq.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(paced(up, (n) => (counts.bytesUp += n))).pipe(upstreamReq);
  };

  const server = http.createServer((req, res) => {
    void handshake(req.socket).then(() => forward(req, res));
  });
  // a client that sends `Expect: 100-continue` waits a round trip for the go-ahead, as over a real link
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    void handshake(req.socket)
      .then(() => delay(link.rttMs))
      .then(() => {
        res.writeContinue();
        forward(req, res);
      });
  });
  server.on('connection', (socket: Socket) => {
    counts.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 120_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    link,
    counts,
    reset() {
      Object.assign(counts, { connections: 0, requests: 0, byOp: {}, bytesUp: 0, bytesDown: 0 });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
