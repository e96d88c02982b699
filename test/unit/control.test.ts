// The control channel between `ferry pause|resume|abort|retry` and the process that owns the data
// directory: local sockets for real, the engine replaced by a recording handler.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chooseControlPath,
  readControlFile,
  sendControl,
  sendHandoff,
  serveControl,
  type ControlAction,
  type ControlServer,
} from '../../main/engine/control.ts';
import { FerryError } from '../../shared/errors.ts';

let dir: string;
let server: ControlServer | null;
const calls: Array<{ action: ControlAction; ids: string[] | null }> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-control-'));
  server = null;
  calls.length = 0;
});
afterEach(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function serve(dataDir = dir, env: NodeJS.ProcessEnv = {}): Promise<void> {
  server = await serveControl(
    dataDir,
    async (action, ids) => {
      calls.push({ action, ids });
      if (ids?.includes('nope')) throw new FerryError('JOB_NOT_FOUND', 'No job with id "nope". List jobs with: ferry jobs');
      if (ids?.includes('boom')) throw new Error('disk on fire');
      return { ids: ids ?? ['j1', 'j2'], notStarted: action === 'resume' ? ['j2'] : [] };
    },
    { env },
  );
}

/** Sends raw text to the socket and returns the one-line answer. */
function raw(text: string, dataDir = dir): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(readControlFile(dataDir).socket);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(JSON.parse(answer)));
    socket.on('error', reject);
  });
}

describe('the control channel', () => {
  it('carries a command to the owner and its answer back', async () => {
    await serve();
    expect(await sendControl(dir, 'pause', ['abcd1234'])).toEqual({ ok: true, ids: ['abcd1234'], notStarted: [] });
    expect(await sendControl(dir, 'resume', null)).toEqual({ ok: true, ids: ['j1', 'j2'], notStarted: ['j2'] });
    expect(calls).toEqual([
      { action: 'pause', ids: ['abcd1234'] },
      { action: 'resume', ids: null },
    ]);
  });

  it("passes the owner's refusal on in its words, and an unexpected failure as one line", async () => {
    await serve();
    await expect(sendControl(dir, 'abort', ['nope'])).rejects.toMatchObject({
      code: 'JOB_NOT_FOUND',
      message: expect.stringContaining('ferry jobs'),
    });
    await expect(sendControl(dir, 'abort', ['boom'])).rejects.toMatchObject({
      code: 'UNKNOWN',
      message: 'The running engine could not abort: disk on fire',
    });
  });

  it('acts only on requests signed with the token of this run, and only on well-formed ones', async () => {
    await serve();
    const nonce = '0'.repeat(32);
    expect(await raw(`${JSON.stringify({ nonce, action: 'abort', ids: null, mac: 'f'.repeat(64) })}\n`)).toMatchObject({
      ok: false,
      code: 'ACCESS_DENIED',
    });
    expect(await raw('not json\n')).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
    expect(await raw(`${JSON.stringify({ nonce, action: 'delete-everything', ids: null, mac: 'f'.repeat(64) })}\n`)).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
    });
    expect(calls).toEqual([]);
  });

  it('never sends the token over the socket', async () => {
    await serve();
    const { socket, token } = readControlFile(dir);
    const seen: string[] = [];
    // a listener in the owner's place records what a client sends
    await server!.close();
    server = null;
    writeFileSync(join(dir, 'control.json'), JSON.stringify({ socket, token }), { mode: 0o600 });
    mkdirSync(join(socket, '..'), { recursive: true, mode: 0o700 });
    const spy = net.createServer((s) => s.on('data', (chunk) => seen.push(chunk.toString())));
    await new Promise<void>((resolve) => spy.listen(socket, resolve));
    try {
      await expect(sendControl(dir, 'pause', null, 2_000)).rejects.toBeInstanceOf(FerryError);
    } finally {
      spy.close();
    }
    expect(seen.join('')).toContain('"action":"pause"');
    expect(seen.join('')).not.toContain(token);
  });

  it('refuses an answer not signed by the owner', async () => {
    await serve();
    const { socket, token } = readControlFile(dir);
    await server!.close();
    server = null;
    writeFileSync(join(dir, 'control.json'), JSON.stringify({ socket, token }), { mode: 0o600 });
    mkdirSync(join(socket, '..'), { recursive: true, mode: 0o700 });
    const forger = net.createServer((s) => s.end(`${JSON.stringify({ ok: true, ids: ['x'], notStarted: [] })}\n`));
    await new Promise<void>((resolve) => forger.listen(socket, resolve));
    try {
      await expect(sendControl(dir, 'pause', null)).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
    } finally {
      forger.close();
      rmSync(join(socket, '..'), { recursive: true, force: true });
    }
  });

  it('handoff: carries add with its payload and sealed secret to the owner, and status with its ids; answers data', async () => {
    const received: Array<{ ids: string[] | null; payload: string | null; secret: string | null }> = [];
    server = await serveControl(dir, async () => ({ ids: [], notStarted: [] }), {
      env: {},
      onAdd: async (request) => {
        received.push(request);
        return { ids: ['j1'], data: { jobs: [{ id: 'j1' }] } };
      },
      onStatus: async (request) => {
        received.push(request);
        return { ids: request.ids ?? [], data: { jobs: [] } };
      },
    });
    const key = 'k'.repeat(43) + '=';
    expect(await sendHandoff(dir, 'add', { payload: '{"files":[]}', secret: key })).toMatchObject({
      ok: true,
      ids: ['j1'],
      data: { jobs: [{ id: 'j1' }] },
    });
    expect(await sendHandoff(dir, 'status', { ids: ['j1'] })).toMatchObject({ ok: true, ids: ['j1'], data: { jobs: [] } });
    expect(received).toEqual([
      { ids: null, payload: '{"files":[]}', secret: key },
      { ids: ['j1'], payload: null, secret: null },
    ]);
    // unsigned (another user, who cannot read the token): refused, nothing reaches the owner
    const nonce = '2'.repeat(32);
    expect(await raw(`${JSON.stringify({ nonce, action: 'add', ids: null, payload: '{}', mac: 'f'.repeat(64) })}\n`)).toMatchObject({
      ok: false,
      code: 'ACCESS_DENIED',
    });
    // signed, but a sealed secret that does not open under this nonce: refused in words
    const { token } = readControlFile(dir);
    const { createHmac } = await import('node:crypto');
    const secret = { iv: '0'.repeat(24), data: 'ab'.repeat(22), tag: '0'.repeat(32) };
    const mac = createHmac('sha256', token)
      .update(['request', nonce, 'add', 'null', '{}', JSON.stringify(secret)].join('\n'))
      .digest('hex');
    expect(await raw(`${JSON.stringify({ nonce, action: 'add', ids: null, payload: '{}', secret, mac })}\n`)).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
      message: 'The sealed secret of the request does not open.',
    });
    expect(received).toHaveLength(2);
  });

  it('handoff: an owner without add (ferry upload, ferry run) says so as ENGINE_LOCKED; a changed payload or sealed secret is refused', async () => {
    await serve();
    await expect(sendHandoff(dir, 'add', { payload: '{}' })).rejects.toMatchObject({ code: 'ENGINE_LOCKED' });
    const { token } = readControlFile(dir);
    const nonce = '1'.repeat(32);
    const { createHmac } = await import('node:crypto');
    const macOf = (...parts: string[]) => createHmac('sha256', token).update(parts.join('\n')).digest('hex');
    const secret = { iv: '0'.repeat(24), data: 'ab'.repeat(22), tag: '0'.repeat(32) };
    // signed for one payload, sent with another: refused before anything is read
    const mac = macOf('request', nonce, 'add', 'null', '{"a":1}', JSON.stringify(secret));
    expect(await raw(`${JSON.stringify({ nonce, action: 'add', ids: null, payload: '{"a":2}', secret, mac })}\n`)).toMatchObject({
      ok: false,
      code: 'ACCESS_DENIED',
    });
    expect(calls).toEqual([]);
  });

  it('handoff: the SSE-C key never crosses the socket in the clear, in any spelling', async () => {
    await serve();
    const { socket, token } = readControlFile(dir);
    await server!.close();
    server = null;
    writeFileSync(join(dir, 'control.json'), JSON.stringify({ socket, token }), { mode: 0o600 });
    mkdirSync(join(socket, '..'), { recursive: true, mode: 0o700 });
    const seen: string[] = [];
    const spy = net.createServer((s) => s.on('data', (chunk) => seen.push(chunk.toString())));
    await new Promise<void>((resolve) => spy.listen(socket, resolve));
    const keyBytes = Buffer.from('0123456789abcdef0123456789abcdef');
    const key = keyBytes.toString('base64');
    try {
      await expect(sendHandoff(dir, 'add', { payload: '{}', secret: key }, 2_000)).rejects.toBeInstanceOf(FerryError);
    } finally {
      spy.close();
    }
    const wire = seen.join('');
    expect(wire).toContain('"action":"add"');
    expect(wire).toContain('"secret":{');
    for (const spelling of [key, keyBytes.toString('hex'), keyBytes.toString('latin1'), token]) expect(wire).not.toContain(spelling);
  });

  it('keeps its token file and socket to the user, writes the file only once it listens, removes both when it stops', async () => {
    await serve();
    expect(statSync(join(dir, 'control.json')).mode & 0o777).toBe(0o600);
    const { socket } = readControlFile(dir);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(join(socket, '..')).mode & 0o777).toBe(0o700);
    await server!.close();
    server = null;
    expect(existsSync(join(dir, 'control.json'))).toBe(false);
    expect(existsSync(socket)).toBe(false);
    await expect(sendControl(dir, 'pause', null)).rejects.toMatchObject({ code: 'ENGINE_LOCKED' });
  });

  it('says why it cannot listen, and writes no token file then', async () => {
    const runtime = join(dir, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    const data = join(dir, 'data');
    mkdirSync(data);
    // a directory where the socket should be: listening fails
    const { path } = chooseControlPath(data, { XDG_RUNTIME_DIR: runtime });
    mkdirSync(path);
    writeFileSync(join(path, 'keep'), '');
    await expect(serve(data, { XDG_RUNTIME_DIR: runtime })).rejects.toMatchObject({
      message: expect.stringContaining('cannot listen'),
    });
    expect(existsSync(join(data, 'control.json'))).toBe(false);
  });

  it('listens outside the data directory, in the runtime directory only when it is private, else in a fresh private directory', () => {
    const runtime = join(dir, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    expect(chooseControlPath(dir, { XDG_RUNTIME_DIR: runtime }).path).toMatch(/\/runtime\/ferry-[0-9a-f]{16}\.sock$/);
    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    const fallback = chooseControlPath(dir, { XDG_RUNTIME_DIR: open });
    expect(fallback.path.startsWith(open)).toBe(false);
    expect(fallback.path.startsWith(dir)).toBe(false);
    expect(statSync(fallback.ownDir!).mode & 0o777).toBe(0o700);
    const again = chooseControlPath(dir, {});
    expect(again.path).not.toBe(fallback.path);
    rmSync(fallback.ownDir!, { recursive: true });
    rmSync(again.ownDir!, { recursive: true });
  });

  it('removes the socket directory an owner that died left behind, and nothing that is not such a directory', async () => {
    // the owner was killed: its control.json still names the private directory it made for its socket
    const dead = chooseControlPath(dir, {});
    writeFileSync(dead.path, '');
    writeFileSync(join(dir, 'control.json'), JSON.stringify({ socket: dead.path, token: 'a'.repeat(48) }));
    await serve();
    expect(existsSync(dead.ownDir!)).toBe(false);
    await server!.close();
    server = null;

    // directories a control.json may name that are not a dead owner's socket directory: left alone
    const elsewhere = join(dir, 'ferry-abcdef'); // the right shape, not in the temporary directory
    mkdirSync(elsewhere, { mode: 0o700 });
    writeFileSync(join(elsewhere, 'control.sock'), '');
    const open = chooseControlPath(dir, {}); // others may enter it
    writeFileSync(open.path, '');
    chmodSync(open.ownDir!, 0o755);
    const more = chooseControlPath(dir, {}); // it holds more than the socket
    writeFileSync(more.path, '');
    writeFileSync(join(more.ownDir!, 'notes.txt'), 'mine');
    for (const socket of [join(elsewhere, 'control.sock'), open.path, more.path]) {
      writeFileSync(join(dir, 'control.json'), JSON.stringify({ socket, token: 'a'.repeat(48) }));
      await serve();
      await server!.close();
      server = null;
    }
    expect(existsSync(join(elsewhere, 'control.sock'))).toBe(true);
    expect(existsSync(open.path)).toBe(true);
    expect(existsSync(join(more.ownDir!, 'notes.txt'))).toBe(true);
    rmSync(open.ownDir!, { recursive: true });
    rmSync(more.ownDir!, { recursive: true });
  });

  it('leaves the socket of a live owner alone when its data directory was copied while it ran', async () => {
    const original = join(dir, 'original');
    const copy = join(dir, 'copy');
    mkdirSync(original, { mode: 0o700 });
    mkdirSync(copy, { mode: 0o700 });
    await serve(original);
    const live = server!;
    try {
      // the copy's control.json names the running owner's socket
      writeFileSync(join(copy, 'control.json'), readFileSync(join(original, 'control.json')));
      await serve(copy);
      await server!.close();
      server = null;
      expect((await sendControl(original, 'pause', ['x'])).ids).toEqual(['x']);
    } finally {
      await live.close();
    }
  });

  it('works for a data directory whose path is too long for a socket', async () => {
    const deep = join(dir, 'a-rather-long-directory-name-for-ferry-data'.repeat(3));
    mkdirSync(deep, { recursive: true });
    await serve(deep);
    expect(readControlFile(deep).socket.startsWith(deep)).toBe(false);
    expect((await sendControl(deep, 'pause', ['x'])).ids).toEqual(['x']);
  });

  it('says that no owner answers when the token file is there but nobody listens (an owner that died)', async () => {
    writeFileSync(join(dir, 'control.json'), JSON.stringify({ socket: join(dir, 'gone.sock'), token: 'a'.repeat(48) }));
    await expect(sendControl(dir, 'pause', null)).rejects.toMatchObject({ code: 'ENGINE_LOCKED' });
  });
});
