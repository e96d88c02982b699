// An HTTP-level fault proxy in front of the test server. Per request kind (Create, UploadPart,
// ListParts, Complete, Abort, Head, Put) it injects what servers and networks do to uploads: an error
// status (500, 503 SlowDown, 429, 400 RequestTimeout), a response dropped after the server did the
// work, a connection reset after N body bytes, a delay, a stall. Faults come from scripted rules (the
// next N requests of a kind) or from a seeded mix: whether the n-th request of one identity (kind,
// path, part number) is hit, and how, is a function of the seed alone, so a run is reproducible
// whatever order the requests interleave in. Requests are forwarded byte for byte, Host header
// included, so SigV4 signatures stay valid. Loopback only.
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RequestKind = 'Create' | 'UploadPart' | 'ListParts' | 'Complete' | 'Abort' | 'Head' | 'Put' | 'other';

export type Fault =
  /** Answers with an S3 error instead of forwarding (the request body is read first, as a server does). */
  | { type: 'status'; status: 500 | 503 | 429 | 400; code: 'InternalError' | 'SlowDown' | 'TooManyRequests' | 'RequestTimeout' }
  /** Forwards the request, lets the server finish, and closes the connection instead of answering. */
  | { type: 'drop' }
  /** Forwards `afterBytes` of the request body, then resets both connections. */
  | { type: 'reset'; afterBytes: number }
  /** Waits `ms` before forwarding. */
  | { type: 'delay'; ms: number }
  /** Never answers and never reads: the client must time out. */
  | { type: 'stall' };

const FAULTED_KINDS: readonly RequestKind[] = ['Create', 'UploadPart', 'ListParts', 'Complete', 'Abort', 'Head', 'Put'];

export const FAULTS = {
  internalError: { type: 'status', status: 500, code: 'InternalError' },
  slowDown: { type: 'status', status: 503, code: 'SlowDown' },
  tooMany: { type: 'status', status: 429, code: 'TooManyRequests' },
  requestTimeout: { type: 'status', status: 400, code: 'RequestTimeout' },
  drop: { type: 'drop' },
} as const satisfies Record<string, Fault>;

export interface FaultRule {
  kind: RequestKind;
  fault: Fault;
  /** How many matching requests it hits (default 1; Infinity for all). */
  times?: number;
  /** Only requests for which this holds (e.g. a part number). */
  when?: (request: RequestInfo) => boolean;
}

export interface RequestInfo {
  kind: RequestKind;
  method: string;
  /** The path and query. */
  url: string;
  partNumber?: number;
}

export interface ProxyRecord extends RequestInfo {
  fault: Fault['type'] | null;
  /** The status the server answered (undefined if it was never asked or never answered). */
  status?: number;
  /** Request body bytes forwarded to the server. */
  bytesForwarded: number;
  /** The request's User-Agent header. */
  userAgent?: string;
}

export interface Chaos {
  seed: number;
  /** Chance that a request is hit (0..1). */
  rate: number;
  /** The kinds it applies to (default: every kind but 'other'). */
  kinds?: readonly RequestKind[];
  /** The faults to choose from, evenly. */
  faults: readonly Fault[];
}

export interface FaultProxy {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** Adds scripted faults, taken before the chaos mix. */
  inject(...rules: FaultRule[]): void;
  /** A seeded mix of faults over every request (null: none). */
  chaos(settings: Chaos | null): void;
  /** Called as each request arrives (before any fault). */
  onRequest: ((request: RequestInfo) => void) | null;
  /** Called when the server has answered a request in full (whether or not the answer reaches the client). */
  onAnswer: ((record: ProxyRecord) => void) | null;
  /** Every request so far. */
  readonly log: readonly ProxyRecord[];
  /** Request body bytes forwarded to the server, by kind. */
  bytesForwarded(kind?: RequestKind): number;
  /** Forgets the rules, the chaos mix and the log. */
  reset(): void;
  close(): Promise<void>;
}

export function classify(method: string, url: string): { kind: RequestKind; partNumber?: number } {
  const q = new URL(url, 'http://x').searchParams;
  if (method === 'PUT' && q.has('uploadId') && q.has('partNumber')) return { kind: 'UploadPart', partNumber: Number(q.get('partNumber')) };
  if (method === 'POST' && q.has('uploads')) return { kind: 'Create' };
  if (method === 'POST' && q.has('uploadId')) return { kind: 'Complete' };
  if (method === 'GET' && q.has('uploadId')) return { kind: 'ListParts' };
  if (method === 'DELETE' && q.has('uploadId')) return { kind: 'Abort' };
  if (method === 'HEAD') return { kind: 'Head' };
  // PutObject (the SDK adds ?x-id=PutObject); not a sub-resource such as ?tagging or ?acl
  if (method === 'PUT' && [...q.keys()].every((name) => name === 'x-id')) return { kind: 'Put' };
  return { kind: 'other' };
}

/** A number in [0, 1) from the seed and a request's identity. */
function draw(seed: number, identity: string): number {
  return createHash('sha256').update(`${seed}:${identity}`).digest().readUInt32BE(0) / 2 ** 32;
}

function errorBody(code: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>Injected by the fault proxy</Message><RequestId>fault</RequestId></Error>`;
}

export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  let rules: (FaultRule & { left: number })[] = [];
  let chaos: Chaos | null = null;
  let log: ProxyRecord[] = [];
  /** Occurrences so far of each request identity, for the chaos draw. */
  let seen = new Map<string, number>();

  function choose(info: RequestInfo): Fault | null {
    const rule = rules.find((r) => r.left > 0 && r.kind === info.kind && (r.when?.(info) ?? true));
    if (rule) {
      rule.left -= 1;
      return rule.fault;
    }
    if (!chaos || info.kind === 'other' || !(chaos.kinds ?? FAULTED_KINDS).includes(info.kind)) return null;
    const identity = `${info.kind}|${new URL(info.url, 'http://x').pathname}|${info.partNumber ?? ''}`;
    const n = (seen.get(identity) ?? 0) + 1;
    seen.set(identity, n);
    const roll = draw(chaos.seed, `${identity}|${n}`);
    if (roll >= chaos.rate) return null;
    return chaos.faults[Math.floor((roll / chaos.rate) * chaos.faults.length)] ?? null;
  }

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const { kind, partNumber } = classify(method, url);
    const info: RequestInfo = { kind, method, url, ...(partNumber !== undefined ? { partNumber } : {}) };
    proxy.onRequest?.(info);
    const fault = choose(info);
    const record: ProxyRecord = { ...info, fault: fault?.type ?? null, bytesForwarded: 0, userAgent: req.headers['user-agent'] };
    log.push(record);
    const kill = () => {
      req.socket.destroy();
    };

    if (fault?.type === 'status' && fault.code === 'RequestTimeout' && !['PUT', 'POST'].includes(method)) {
      // S3 answers RequestTimeout to a body that did not arrive in time: a request without one goes through
      record.fault = null;
    } else if (fault?.type === 'status') {
      req.resume();
      req.on('end', () => {
        const body = method === 'HEAD' ? '' : errorBody(fault.code);
        res.writeHead(fault.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
      return;
    }
    if (fault?.type === 'stall') {
      req.pause(); // nothing read, nothing answered: the client's timeout ends it
      return;
    }

    const forward = () => {
      const upstreamReq = http.request(
        { host: target.hostname, port: target.port, method, path: url, headers: req.headers, agent },
        (upstreamRes) => {
          record.status = upstreamRes.statusCode;
          upstreamRes.on('end', () => proxy.onAnswer?.(record));
          if (fault?.type === 'drop') {
            // the server did the work; its answer never arrives
            upstreamRes.resume();
            upstreamRes.on('end', kill);
            return;
          }
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstreamReq.on('error', kill);
      req.on('error', () => upstreamReq.destroy());
      res.on('close', () => {
        // a dropped answer: the server finishes its work even if the client has gone
        if (!res.writableFinished && fault?.type !== 'drop') upstreamReq.destroy();
      });
      if (fault?.type === 'reset') {
        const resetBoth = () => {
          upstreamReq.destroy();
          kill();
        };
        req.on('data', (chunk: Buffer) => {
          const room = fault.afterBytes - record.bytesForwarded;
          if (room <= 0) return;
          const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
          record.bytesForwarded += piece.length;
          upstreamReq.write(piece);
          if (record.bytesForwarded >= fault.afterBytes) resetBoth();
        });
        req.on('end', resetBoth);
        return;
      }
      req.on('data', (chunk: Buffer) => (record.bytesForwarded += chunk.length));
      req.pipe(upstreamReq);
    };
    if (fault?.type === 'delay') {
      req.pause();
      setTimeout(() => {
        req.resume();
        forward();
      }, fault.ms).unref();
    } else {
      forward();
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const proxy: FaultProxy = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inject(...added) {
      rules.push(...added.map((rule) => ({ ...rule, left: rule.times ?? 1 })));
    },
    chaos(settings) {
      chaos = settings;
      seen = new Map();
    },
    onRequest: null,
    onAnswer: null,
    get log() {
      return log;
    },
    bytesForwarded(kind) {
      return log.filter((r) => kind === undefined || r.kind === kind).reduce((sum, r) => sum + r.bytesForwarded, 0);
    },
    reset() {
      rules = [];
      chaos = null;
      log = [];
      seen = new Map();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
