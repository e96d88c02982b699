// The control channel between `ferry pause|resume|abort|retry` and the process that owns the data
// directory: local sockets for real, the engine replaced by a recording handler.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlPath, sendControl, serveControl, type ControlAction, type ControlServer } from '../../main/engine/control.ts';
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

async function serve(dataDir = dir): Promise<void> {
  server = await serveControl(dataDir, async (action, ids) => {
    calls.push({ action, ids });
    if (ids?.includes('nope')) throw new FerryError('JOB_NOT_FOUND', 'No job with id "nope". List jobs with: ferry jobs');
    if (ids?.includes('boom')) throw new Error('disk on fire');
    if (ids?.includes('busy')) throw new FerryError('STORE_ERROR', 'The store is busy; try again.', { retryable: true });
    return { ids: ids ?? ['j1', 'j2'], notStarted: action === 'resume' ? ['j2'] : [] };
  });
}

/** Sends raw text to the socket and returns the one-line answer. */
function raw(text: string, dataDir = dir): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(controlPath(dataDir));
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
    expect(await sendControl(dir, 'pause', ['abcd1234'])).toEqual({ ids: ['abcd1234'], notStarted: [] });
    expect(await sendControl(dir, 'resume', null)).toEqual({ ids: ['j1', 'j2'], notStarted: ['j2'] });
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
      retryable: false,
    });
    // whether the user may try again crosses the socket too
    await expect(sendControl(dir, 'pause', ['busy'])).rejects.toMatchObject({ code: 'STORE_ERROR', retryable: true });
  });

  it('acts only on requests that carry the token of this run, and only on well-formed ones', async () => {
    await serve();
    // the answer is the contract's Envelope, its error with the retryable flag, as over IPC and the WebSocket
    expect(await raw(`${JSON.stringify({ token: 'guessed', action: 'abort', ids: null })}\n`)).toEqual({
      ok: false,
      error: { code: 'ACCESS_DENIED', message: expect.any(String), retryable: false },
    });
    expect(await raw('not json\n')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', retryable: false } });
    expect(await raw(`${JSON.stringify({ token: 'x', action: 'delete-everything', ids: null })}\n`)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', retryable: false },
    });
    expect(calls).toEqual([]);
  });

  it('keeps its token and socket to the user, and removes the token when it stops', async () => {
    await serve();
    expect(statSync(join(dir, 'control.token')).mode & 0o777).toBe(0o600);
    expect(statSync(controlPath(dir)).mode & 0o777).toBe(0o600);
    await server!.close();
    server = null;
    await expect(sendControl(dir, 'pause', null)).rejects.toMatchObject({ code: 'ENGINE_LOCKED' });
  });

  it('takes over a socket file left by an owner that died', async () => {
    writeFileSync(controlPath(dir), 'stale');
    await serve();
    expect((await sendControl(dir, 'retry', ['a'])).ids).toEqual(['a']);
  });

  it('listens outside the data directory (a copy or backup of it never meets a socket), in the runtime directory if any', () => {
    expect(controlPath(dir).startsWith(dir)).toBe(false);
    expect(controlPath(dir, { XDG_RUNTIME_DIR: '/run/user/1000' })).toMatch(/^\/run\/user\/1000\/ferry-[0-9a-f]{16}\.sock$/);
    expect(controlPath(dir, { XDG_RUNTIME_DIR: '/run/user/1000' })).not.toBe(
      controlPath(`${dir}-other`, { XDG_RUNTIME_DIR: '/run/user/1000' }),
    );
  });

  it('works for a data directory whose path is too long for a socket', async () => {
    const deep = join(dir, 'a-rather-long-directory-name-for-ferry-data'.repeat(3));
    mkdirSync(deep, { recursive: true });
    expect(controlPath(deep).startsWith(deep)).toBe(false);
    await serve(deep);
    expect((await sendControl(deep, 'pause', ['x'])).ids).toEqual(['x']);
  });

  it('says that no owner answers when the token is there but nobody listens (an owner that died)', async () => {
    writeFileSync(join(dir, 'control.token'), 'left-behind');
    await expect(sendControl(dir, 'pause', null)).rejects.toMatchObject({ code: 'ENGINE_LOCKED' });
  });
});
