/**
 * The control channel of the engine that owns a data directory: while one process holds it (`ferry
 * upload`, `ferry run`, `ferry serve`, the desktop app), `ferry pause|resume|abort|retry` in another
 * terminal reach that engine through a local socket, instead of being refused for the lock. The host
 * opens it after the engine (serveControl), and reports a failure to listen; the engine never does.
 *
 *   where:  a Unix socket in a directory only this user can enter: the user's runtime directory
 *           ($XDG_RUNTIME_DIR, when it is ours and 0700), else a fresh private 0700 directory made
 *           with mkdtemp in the temporary directory; never a predictable name another user could
 *           take first. A named pipe \\.\pipe\ferry-<hash> on Windows.
 *   found:  once listening succeeded, the owner writes `control.json` (0600) in the data directory
 *           (itself 0700): the socket's path and a random token. Only a user who can read the data
 *           directory learns either; the file is removed when the owner stops.
 *   who:    the client refuses a socket (or its directory) that another user owns or may write to.
 *           The token itself never crosses the socket: a request carries a fresh nonce and an HMAC
 *           of itself under the token, and the reply an HMAC of the nonce and the reply, so a process
 *           that is not the owner neither learns the token nor can forge an answer.
 *   what:   one JSON line each way: {nonce, action, ids | null (= every job the action applies to), mac}
 *           → {ok: true, ids, notStarted, mac} | {ok: false, code, message, mac}; both validated with zod
 *   handoff: `ferry upload` while a host owns the directory (issue #13) sends `add` with a payload (the
 *           jobs to queue, JSON text covered by the MAC) and polls `status` for their views (`data` in
 *           the reply). A secret that goes with them (the SSE-C key) travels sealed: AES-256-GCM under a
 *           key derived from the token and the request's nonce, so the bytes on the socket never hold
 *           it in the clear; a listener that is not the owner (a squatted Windows pipe name, a socket
 *           swapped after the owner check) learns neither the token nor the key.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import * as z from 'zod';
import { ERROR_CODES, FerryError, isErrorCode } from '../../shared/errors.ts';

/**
 * 'restart' is `ferry retry --restart`: a retry that starts the job over from the file as it is now;
 * 'changed' is `ferry retry --changed-only`: send only what changed (issue #15).
 */
export const CONTROL_ACTIONS = ['pause', 'resume', 'abort', 'retry', 'restart', 'changed'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
export const CONTROL_FILE = 'control.json';

/** The handoff's actions (issue #13): queue jobs in the owner, and read their views. */
export type HandoffAction = 'add' | 'status';

const sealedSchema = z.object({
  iv: z.string().regex(/^[0-9a-f]{24}$/),
  data: z.string().regex(/^[0-9a-f]{2,2048}$/),
  tag: z.string().regex(/^[0-9a-f]{32}$/),
});
type Sealed = z.infer<typeof sealedSchema>;

const requestSchema = z.object({
  nonce: z.string().regex(/^[0-9a-f]{32}$/),
  // 'limit' is `ferry limit` (issue #12): its one "id" is the rate in bytes per second, none for no limit
  action: z.enum([...CONTROL_ACTIONS, 'limit', 'add', 'status']),
  ids: z.array(z.string().min(1).max(200)).max(100_000).nullable(),
  /** `add`: the jobs, as JSON text (the owner validates it). */
  payload: z.string().max(MAX_REQUEST_BYTES).optional(),
  /** `add`: the SSE-C key, sealed under the token (see the header). */
  secret: sealedSchema.optional(),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});

const replyBodySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), ids: z.array(z.string()), notStarted: z.array(z.string()), data: z.unknown().optional() }),
  // as every transport carries an error (shared/contract.ts Envelope): whether trying again may help
  z.object({ ok: z.literal(false), code: z.string(), message: z.string(), retryable: z.boolean() }),
]);
type ReplyBody = z.infer<typeof replyBodySchema>;

const controlFileSchema = z.object({ socket: z.string().min(1).max(4096), token: z.string().regex(/^[0-9a-f]{48}$/) });

export type ControlReply = Extract<ReplyBody, { ok: true }>;

/** Carries out a request in the owning engine: the ids acted on, and those queued that this engine will not start. */
export type ControlHandler = (action: ControlAction, ids: string[] | null) => Promise<{ ids: string[]; notStarted: string[] }>;

/** Sets the owning engine's bandwidth limit (bytes per second, or null for none). */
export type LimitHandler = (bytesPerSecond: number | null) => void;

/**
 * A handoff request in the owner: `payload` is the client's JSON text, unparsed (the handler
 * validates it), `secret` the unsealed secret or null. Answers the ids concerned and its data.
 */
export type HandoffHandler = (request: {
  ids: string[] | null;
  payload: string | null;
  secret: string | null;
}) => Promise<{ ids: string[]; data: unknown }>;

/** A failed answer, with the code's retryable flag. */
function failure(code: string, message: string, retryable?: boolean): ReplyBody {
  return { ok: false, code, message, retryable: retryable ?? (isErrorCode(code) ? ERROR_CODES[code].retryable : false) };
}

function mac(token: string, ...parts: string[]): string {
  return createHmac('sha256', token).update(parts.join('\n')).digest('hex');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function requestMac(token: string, nonce: string, action: string, ids: string[] | null, payload?: string, secret?: Sealed): string {
  // the fields of the handoff only when present: a pause is signed as before
  const extra = payload === undefined && secret === undefined ? [] : [payload ?? '', JSON.stringify(secret ?? null)];
  return mac(token, 'request', nonce, action, JSON.stringify(ids), ...extra);
}

/** The key that seals a request's secret: only the token's holder derives it, and only for this nonce. */
function sealKey(token: string, nonce: string): Buffer {
  return createHmac('sha256', token).update(`seal\n${nonce}`).digest();
}

function seal(token: string, nonce: string, action: string, secret: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(token, nonce), iv);
  cipher.setAAD(Buffer.from(`${nonce}\n${action}`));
  const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return { iv: iv.toString('hex'), data: data.toString('hex'), tag: cipher.getAuthTag().toString('hex') };
}

/** The sealed secret, or null when it does not open (then the request is refused). */
function unseal(token: string, nonce: string, action: string, sealed: Sealed): string | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', sealKey(token, nonce), Buffer.from(sealed.iv, 'hex'));
    decipher.setAAD(Buffer.from(`${nonce}\n${action}`));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'hex'));
    return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'hex')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

function replyMac(token: string, nonce: string, body: ReplyBody): string {
  return mac(token, 'reply', nonce, JSON.stringify(body));
}

/** True when `path` is a directory owned by this user that nobody else may enter or write to. */
function isPrivateDir(path: string): boolean {
  try {
    const stat = lstatSync(path);
    return stat.isDirectory() && stat.uid === process.getuid!() && (stat.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** The socket's name in a directory Ferry made for it (chooseControlPath; removeDeadOwnersDir knows it by it). */
const OWN_SOCKET = 'control.sock';

/**
 * Where the owner of `dataDir` will listen, and the directory Ferry made for it (removed at close),
 * if any. Outside the data directory, so that copying or backing it up never meets a socket file.
 */
export function chooseControlPath(dataDir: string, env: NodeJS.ProcessEnv = process.env): { path: string; ownDir: string | null } {
  const hash = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  if (process.platform === 'win32') return { path: `\\\\.\\pipe\\ferry-${hash}`, ownDir: null };
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime && isAbsolute(runtime) && isPrivateDir(runtime)) {
    const path = join(runtime, `ferry-${hash}.sock`);
    // sun_path holds 104 bytes on macOS, 108 on Linux
    if (Buffer.byteLength(path) < 100) return { path, ownDir: null };
  }
  const ownDir = mkdtempSync(join(socketBase(), 'ferry-'));
  chmodSync(ownDir, 0o700);
  return { path: join(ownDir, OWN_SOCKET), ownDir };
}

/** Where fresh socket directories are made: the temporary directory, unless its path is too long for a socket. */
function socketBase(): string {
  return Buffer.byteLength(tmpdir()) < 70 ? tmpdir() : '/tmp';
}

/**
 * Removes the socket directory an owner that died (killed, crashed) made, which its control.json still
 * names: without this, every such death left a `ferry-XXXXXX` directory in the temporary directory for
 * good. Only a directory of the shape chooseControlPath makes, in the place it makes them, private to
 * this user, holding nothing but the socket, and only when nobody listens on that socket: a copy of a
 * data directory taken while its owner ran names the live owner's socket, which must stay.
 */
async function removeDeadOwnersDir(controlFile: string): Promise<void> {
  let socket: string;
  try {
    socket = controlFileSchema.parse(JSON.parse(readFileSync(controlFile, 'utf8'))).socket;
  } catch {
    return; // none, or not one we can read: nothing to clean
  }
  const own = dirname(socket);
  if (basename(socket) !== OWN_SOCKET || !/^ferry-[A-Za-z0-9]{6}$/.test(basename(own))) return;
  if (dirname(own) !== socketBase() || !isPrivateDir(own)) return;
  try {
    if (readdirSync(own).some((name) => name !== OWN_SOCKET)) return;
    if (!(await nobodyListens(socket))) return;
    rmSync(own, { recursive: true, force: true });
  } catch {
    // best effort: a directory left behind costs nothing but its name
  }
}

/** True when connecting to the socket is refused, or no socket is there: no process answers on it. */
function nobodyListens(socket: string): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const probe = net.connect(socket);
    probe.setTimeout(2_000, () => {
      probe.destroy();
      resolveProbe(false);
    });
    probe.once('connect', () => {
      probe.destroy();
      resolveProbe(false);
    });
    probe.once('error', (error: NodeJS.ErrnoException) => resolveProbe(error.code === 'ECONNREFUSED' || error.code === 'ENOENT'));
  });
}

export interface ControlServer {
  /** Where it listens. */
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Starts answering control requests for `dataDir`; the caller holds the directory's lock. Rejects
 * with a FerryError in words when it cannot listen (the host reports it; uploads work without it).
 */
export async function serveControl(
  dataDir: string,
  handler: ControlHandler,
  options: { env?: NodeJS.ProcessEnv; onLimit?: LimitHandler; onAdd?: HandoffHandler; onStatus?: HandoffHandler } = {},
): Promise<ControlServer> {
  const token = randomBytes(24).toString('hex');
  const controlFile = join(dataDir, CONTROL_FILE);
  // a file left by an owner that died: the lock is ours now, and its socket no longer answers
  await removeDeadOwnersDir(controlFile);
  rmSync(controlFile, { force: true });
  // the token file of Ferry before control.json (sent over a socket anyone could take first)
  rmSync(join(dataDir, 'control.token'), { force: true });
  let chosen: { path: string; ownDir: string | null };
  try {
    chosen = chooseControlPath(dataDir, options.env);
  } catch (error) {
    throw new FerryError(
      'UNKNOWN',
      `ferry pause|resume|abort|retry cannot reach this process: no private directory for its socket (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      { cause: error },
    );
  }
  const { path, ownDir } = chosen;

  async function answer(text: string): Promise<string> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return JSON.stringify(failure('INVALID_INPUT', 'The control request is not JSON.'));
    }
    const request = requestSchema.safeParse(parsed);
    if (!request.success) return JSON.stringify(failure('INVALID_INPUT', 'The control request is malformed.'));
    const { nonce, action, ids, payload, secret } = request.data;
    const sign = (reply: ReplyBody) => {
      const body = replyBodySchema.parse(reply);
      return JSON.stringify({ ...body, mac: replyMac(token, nonce, body) });
    };
    if (!sameHex(request.data.mac, requestMac(token, nonce, action, ids, payload, secret))) {
      // unsigned: whoever sent it does not know the token
      return JSON.stringify(failure('ACCESS_DENIED', 'The control request did not prove the running engine’s token.'));
    }
    if (action === 'limit') {
      const rate = ids === null ? null : Number(ids[0]);
      if (!options.onLimit) return sign(failure('INVALID_INPUT', 'The running engine has no bandwidth limit to change.'));
      if (rate !== null && (!Number.isSafeInteger(rate) || rate < 1))
        return sign(failure('INVALID_INPUT', 'The bandwidth limit is malformed.'));
      options.onLimit(rate);
      return sign({ ok: true, ids: [], notStarted: [] });
    }
    if (action === 'add' || action === 'status') {
      const handler = action === 'add' ? options.onAdd : options.onStatus;
      // `ferry upload` and `ferry run` own their jobs only: the client then says who holds the lock
      if (!handler) return sign(failure('ENGINE_LOCKED', 'The running Ferry process does not take uploads from another command.'));
      const opened = secret === undefined ? null : unseal(token, nonce, action, secret);
      if (secret !== undefined && opened === null) return sign(failure('INVALID_INPUT', 'The sealed secret of the request does not open.'));
      try {
        const done = await handler({ ids, payload: payload ?? null, secret: opened });
        return sign({ ok: true, ids: done.ids, notStarted: [], data: done.data });
      } catch (error) {
        if (error instanceof FerryError) return sign(failure(error.code, error.message, error.retryable));
        return sign(
          failure(
            'UNKNOWN',
            `The running engine could not ${action === 'add' ? 'queue the uploads' : 'tell their state'}: ${(error as Error).message}`,
          ),
        );
      }
    }
    try {
      return sign({ ok: true, ...(await handler(action, ids)) });
    } catch (error) {
      if (error instanceof FerryError) return sign(failure(error.code, error.message, error.retryable));
      return sign(failure('UNKNOWN', `The running engine could not ${action}: ${(error as Error).message}`));
    }
  }

  const sockets = new Set<net.Socket>();
  /** Answers being worked out: closing waits for them (an abort that ends the owner's last upload still gets its reply). */
  const answering = new Set<Promise<void>>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(10_000, () => socket.destroy());
    socket.setEncoding('utf8');
    let received = '';
    const onData = (chunk: string) => {
      received += chunk;
      if (received.length > MAX_REQUEST_BYTES) return socket.destroy();
      const end = received.indexOf('\n');
      if (end < 0) return;
      socket.off('data', onData);
      // the whole request is in: an answer that takes time (an add checks the bucket first) is not idleness
      socket.setTimeout(120_000);
      const replied = answer(received.slice(0, end)).then((reply) => {
        socket.end(`${reply}\n`);
      });
      answering.add(replied);
      void replied.finally(() => answering.delete(replied));
    };
    socket.on('data', onData);
  });
  const removeOwn = () => {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  };
  try {
    // in our own runtime directory, a socket file of the same name is one a dead owner left
    if (process.platform !== 'win32' && !ownDir) rmSync(path, { force: true });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
    if (process.platform !== 'win32') chmodSync(path, 0o600);
    // only now that it listens does anyone learn where, and the token
    const temporary = `${controlFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ socket: path, token }), { mode: 0o600 });
    renameSync(temporary, controlFile);
  } catch (error) {
    server.close();
    removeOwn();
    throw new FerryError(
      'UNKNOWN',
      `ferry pause|resume|abort|retry cannot reach this process: it cannot listen on ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
      { cause: error },
    );
  }
  return {
    path,
    async close() {
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      try {
        // remove the file only if it is still this run's (a later owner may have written its own)
        if (controlFileSchema.parse(JSON.parse(readFileSync(controlFile, 'utf8'))).token === token) rmSync(controlFile, { force: true });
      } catch {
        // gone or not ours
      }
      await Promise.race([Promise.allSettled([...answering]), new Promise((resolveWait) => setTimeout(resolveWait, 5_000).unref())]);
      // a reply written just now still reaches its reader; idle or stuck connections are cut
      for (const socket of sockets) if (socket.writableLength === 0 && !socket.writableEnded) socket.destroy();
      await closed;
      removeOwn();
    },
  };
}

/** Where the owner of `dataDir` listens and its token, from `control.json`; ENGINE_LOCKED when there is none. */
export function readControlFile(dataDir: string): { socket: string; token: string } {
  let text: string;
  try {
    text = readFileSync(join(dataDir, CONTROL_FILE), 'utf8');
  } catch {
    throw new FerryError('ENGINE_LOCKED', 'The running engine does not take commands (it has no control channel).');
  }
  const parsed = controlFileSchema.safeParse(
    (() => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return null;
      }
    })(),
  );
  if (!parsed.success) throw new FerryError('ENGINE_LOCKED', `The running engine's ${CONTROL_FILE} is damaged.`);
  return parsed.data;
}

/** Refuses a socket that is not this user's, or that lies in a directory others may write to. */
function checkSocketOwner(path: string): void {
  if (process.platform === 'win32') return;
  const uid = process.getuid!();
  let socket;
  let dir;
  try {
    socket = lstatSync(path);
    dir = lstatSync(dirname(path));
  } catch {
    throw new FerryError('ENGINE_LOCKED', 'Cannot reach the running engine: its socket is gone.');
  }
  if (!socket.isSocket() || socket.uid !== uid || !dir.isDirectory() || dir.uid !== uid || (dir.mode & 0o022) !== 0) {
    throw new FerryError(
      'ACCESS_DENIED',
      `Refusing the control socket ${path}: it belongs to another user or lies in a directory others can write to. Nothing was sent.`,
    );
  }
}

/**
 * Sends one request to the engine that owns `dataDir`. Rejects with the engine's FerryError, with
 * ENGINE_LOCKED when no engine answers (none listens, or one without the channel), or ACCESS_DENIED
 * when the socket or its answer is not the owner's.
 */
export function sendControl(dataDir: string, action: ControlAction, ids: string[] | null, timeoutMs = 60_000): Promise<ControlReply> {
  return sendRequest(dataDir, action, ids, timeoutMs);
}

/** `ferry limit`: sets the bandwidth limit of the engine that owns `dataDir` (null: no limit). */
export function sendLimit(dataDir: string, bytesPerSecond: number | null, timeoutMs = 10_000): Promise<ControlReply> {
  return sendRequest(dataDir, 'limit', bytesPerSecond === null ? null : [String(bytesPerSecond)], timeoutMs);
}

/**
 * A handoff request (issue #13): `payload` is JSON text for the owner to validate; `secret`, when
 * given, travels sealed under the token. The reply's `data` is the owner's, still to be validated.
 */
export function sendHandoff(
  dataDir: string,
  action: HandoffAction,
  request: { ids?: string[] | null; payload?: string; secret?: string },
  timeoutMs = 60_000,
): Promise<ControlReply> {
  return sendRequest(dataDir, action, request.ids ?? null, timeoutMs, request.payload, request.secret);
}

async function sendRequest(
  dataDir: string,
  action: ControlAction | 'limit' | HandoffAction,
  ids: string[] | null,
  timeoutMs: number,
  payload?: string,
  secretText?: string,
): Promise<ControlReply> {
  const { socket: path, token } = readControlFile(dataDir);
  checkSocketOwner(path);
  const nonce = randomBytes(16).toString('hex');
  const secret = secretText === undefined ? undefined : seal(token, nonce, action, secretText);
  const request = {
    nonce,
    action,
    ids,
    ...(payload === undefined ? {} : { payload }),
    ...(secret === undefined ? {} : { secret }),
    mac: requestMac(token, nonce, action, ids, payload, secret),
  };
  const text = await new Promise<string>((resolveReply, reject) => {
    const socket = net.connect(path);
    let received = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new FerryError('TIMEOUT', `The running engine did not answer within ${Math.round(timeoutMs / 1000)} s.`)),
    );
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.length > MAX_REQUEST_BYTES) socket.destroy(new FerryError('UNKNOWN', 'The running engine answered too much.'));
    });
    socket.on('end', () => resolveReply(received));
    socket.on('error', (error) =>
      reject(
        error instanceof FerryError
          ? error
          : new FerryError('ENGINE_LOCKED', `Cannot reach the running engine: ${(error as NodeJS.ErrnoException).code ?? error.message}.`),
      ),
    );
  });
  // the owner closing (its connections cut before they were answered) is no answer, not a garbled one
  if (text.trim() === '')
    throw new FerryError('ENGINE_LOCKED', 'The running engine closed the connection without answering (it is stopping?).');
  let parsed: Record<string, unknown>;
  let body: ReplyBody;
  try {
    parsed = z.record(z.string(), z.unknown()).parse(JSON.parse(text.trim()));
    body = replyBodySchema.parse(parsed);
  } catch {
    throw new FerryError('UNKNOWN', 'The running engine gave an answer Ferry does not understand.');
  }
  if (typeof parsed.mac !== 'string' || !sameHex(parsed.mac, replyMac(token, nonce, body))) {
    if (!body.ok && body.code === 'ACCESS_DENIED' && parsed.mac === undefined) {
      throw new FerryError('ACCESS_DENIED', 'The running engine refused the request: its token changed (it restarted?). Try again.');
    }
    throw new FerryError('ACCESS_DENIED', 'The answer on the control socket is not from the running engine: ignored.');
  }
  if (!body.ok) throw new FerryError(isErrorCode(body.code) ? body.code : 'UNKNOWN', body.message, { retryable: body.retryable });
  return body;
}
