/**
 * The control channel of the engine that owns a data directory: while one process holds it (`ferry
 * upload`, `ferry run`, `ferry serve`, the desktop app), `ferry pause|resume|abort|retry` in another
 * terminal reach that engine through a local socket, instead of being refused for the lock.
 *
 *   where:  a Unix socket ferry-<hash of the data directory>.sock in the user's runtime directory
 *           (or the temporary directory), or the named pipe \\.\pipe\ferry-<hash> on Windows
 *   who:    the owner writes a random token to `control.token` (0600) in the data directory at each
 *           start; a request must carry it, so only a user who can read the data directory can steer it
 *   what:   one JSON line each way: {token, action, ids | null (= every job the action applies to)}
 *           → the contract's Envelope: {ok: true, value: {ids, notStarted}} | {ok: false, error: {code,
           message, retryable}} (shared/contract.ts, as IPC and the WebSocket answer); both validated with zod
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Envelope } from '../../shared/contract.ts';
import { ERROR_CODES, FerryError, isErrorCode, type ErrorCode } from '../../shared/errors.ts';

/** 'restart' is `ferry retry --restart`: a retry that starts the job over from the file as it is now. */
export const CONTROL_ACTIONS = ['pause', 'resume', 'abort', 'retry', 'restart'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
const TOKEN_FILE = 'control.token';

const requestSchema = z.object({
  token: z.string().min(1).max(200),
  action: z.enum(CONTROL_ACTIONS),
  ids: z.array(z.string().min(1).max(200)).max(100_000).nullable(),
});

/** `ferry limit RATE|off` (issue #12): the owner's bandwidth limit, in bytes per second or null for none. */
const limitRequestSchema = z.object({
  token: z.string().min(1).max(200),
  action: z.literal('limit'),
  bytesPerSecond: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable(),
});

const resultSchema = z.object({ ids: z.array(z.string()), notStarted: z.array(z.string()) });
const replySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: resultSchema }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }) }),
]);

export type ControlReply = z.infer<typeof resultSchema>;

/** A failed answer: the error as every transport carries it, with the code's retryable flag. */
function failure(code: ErrorCode, message: string): Envelope<ControlReply> {
  return { ok: false, error: { code, message, retryable: ERROR_CODES[code].retryable } };
}

/** Carries out a request in the owning engine: the ids acted on, and those queued that this engine will not start. */
export type ControlHandler = (action: ControlAction, ids: string[] | null) => Promise<{ ids: string[]; notStarted: string[] }>;

/** Sets the owning engine's bandwidth limit (bytes per second, or null for none). */
export type LimitHandler = (bytesPerSecond: number | null) => void;

/**
 * Where the owner of `dataDir` listens: outside the data directory, so that copying or backing it up
 * never meets a socket file. In the user's runtime directory (XDG_RUNTIME_DIR, 0700) where there is
 * one, else the temporary directory; a named pipe on Windows.
 */
export function controlPath(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const hash = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 16);
  if (process.platform === 'win32') return `\\\\.\\pipe\\ferry-${hash}`;
  const runtime = env.XDG_RUNTIME_DIR && isAbsolute(env.XDG_RUNTIME_DIR) ? env.XDG_RUNTIME_DIR : tmpdir();
  const path = join(runtime, `ferry-${hash}.sock`);
  // sun_path holds 104 bytes on macOS, 108 on Linux
  return Buffer.byteLength(path) < 100 ? path : join('/tmp', `ferry-${hash}.sock`);
}

export interface ControlServer {
  close(): Promise<void>;
}

/** Starts answering control requests for `dataDir`; the caller holds the directory's lock. */
export async function serveControl(dataDir: string, handler: ControlHandler, onLimit?: LimitHandler): Promise<ControlServer> {
  const token = randomBytes(24).toString('hex');
  const tokenFile = join(dataDir, TOKEN_FILE);
  writeFileSync(tokenFile, token, { mode: 0o600 });
  const path = controlPath(dataDir);
  // a socket file left by an owner that died: the lock is ours now, so is the path
  if (process.platform !== 'win32') rmSync(path, { force: true });

  async function answer(text: string): Promise<Envelope<ControlReply>> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return failure('INVALID_INPUT', 'The control request is not JSON.');
    }
    const limit = limitRequestSchema.safeParse(parsed);
    const request = limit.success ? limit : requestSchema.safeParse(parsed);
    if (!request.success) return failure('INVALID_INPUT', 'The control request is malformed.');
    const given = Buffer.from(request.data.token);
    const expected = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return failure('ACCESS_DENIED', 'The control request did not carry the running engine’s token.');
    }
    if (request.data.action === 'limit') {
      if (!onLimit) return failure('INVALID_INPUT', 'The running engine has no bandwidth limit to change.');
      onLimit(request.data.bytesPerSecond);
      return { ok: true, value: { ids: [], notStarted: [] } };
    }
    const jobRequest = request.data;
    try {
      return { ok: true, value: await handler(jobRequest.action, jobRequest.ids) };
    } catch (error) {
      if (error instanceof FerryError) return { ok: false, error: error.toInfo() };
      return failure('UNKNOWN', `The running engine could not ${jobRequest.action}: ${(error as Error).message}`);
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
      const replied = answer(received.slice(0, end)).then((reply) => {
        socket.end(`${JSON.stringify(reply)}\n`);
      });
      answering.add(replied);
      void replied.finally(() => answering.delete(replied));
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  if (process.platform !== 'win32') chmodSync(path, 0o600);
  return {
    async close() {
      const closed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
      rmSync(tokenFile, { force: true });
      await Promise.race([Promise.allSettled([...answering]), new Promise((resolveWait) => setTimeout(resolveWait, 5_000).unref())]);
      // a reply written just now still reaches its reader; idle or stuck connections are cut
      for (const socket of sockets) if (socket.writableLength === 0 && !socket.writableEnded) socket.destroy();
      await closed;
    },
  };
}

/**
 * Sends one request to the engine that owns `dataDir`. Rejects with the engine's FerryError, or with
 * ENGINE_LOCKED when no engine answers (none listens, or one without the channel).
 */
export function sendControl(dataDir: string, action: ControlAction, ids: string[] | null, timeoutMs = 60_000): Promise<ControlReply> {
  return sendRequest(dataDir, { action, ids }, timeoutMs);
}

/** `ferry limit`: sets the bandwidth limit of the engine that owns `dataDir` (null: no limit). */
export function sendLimit(dataDir: string, bytesPerSecond: number | null, timeoutMs = 10_000): Promise<ControlReply> {
  return sendRequest(dataDir, { action: 'limit', bytesPerSecond }, timeoutMs);
}

async function sendRequest(dataDir: string, body: Record<string, unknown>, timeoutMs: number): Promise<ControlReply> {
  let token: string;
  try {
    token = readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim();
  } catch {
    throw new FerryError('ENGINE_LOCKED', 'The running engine does not take commands (no control token).');
  }
  const text = await new Promise<string>((resolveReply, reject) => {
    const socket = net.connect(controlPath(dataDir));
    let received = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new FerryError('TIMEOUT', `The running engine did not answer within ${Math.round(timeoutMs / 1000)} s.`)),
    );
    socket.on('connect', () => socket.write(`${JSON.stringify({ token, ...body })}\n`));
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
  let reply: z.infer<typeof replySchema>;
  try {
    reply = replySchema.parse(JSON.parse(text.trim()));
  } catch {
    throw new FerryError('UNKNOWN', 'The running engine gave an answer Ferry does not understand.');
  }
  if (!reply.ok) {
    const { code, message, retryable } = reply.error;
    throw new FerryError(isErrorCode(code) ? code : 'UNKNOWN', message, { retryable });
  }
  return reply.value;
}
