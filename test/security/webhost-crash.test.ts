// Issue #10, finding 3: "Anyone can crash ferry serve". The host runs in a process of its own; each
// attack is followed by a request a real page makes, which must still be answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { exchangeLink, httpGet, pageSocket, Page, rawExchange, upgradeOutcome } from '../harness/web.ts';
import { startHostProcess, type HostProcess } from './hostHarness.ts';

let host: HostProcess;
beforeAll(async () => {
  host = await startHostProcess();
});
afterAll(() => host?.stop());

/** The host is alive: the process runs, it serves the window, and a session's command is answered. */
async function stillAnswers(credential: string): Promise<void> {
  expect(host.child.exitCode, `the host exited: ${host.stderr()}`).toBeNull();
  expect((await httpGet(host.port, '/')).status).toBe(200);
  const page = new Page(host.port, credential);
  await page.opened();
  await expect(page.call('snapshot', {})).resolves.toMatchObject({ jobs: { rows: expect.any(Array) } });
  await page.close();
}

function upgradeRequest(target: string, extra = ''): string {
  return (
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:${host.port}\r\n${extra}\r\n`
  );
}

/** Sends one text or binary frame on an open session socket and resolves with the close code (or 'open' after a probe). */
async function frameOutcome(credential: string, frame: string | Buffer): Promise<number | 'answered'> {
  const ws = pageSocket(host.port, credential);
  await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('error', () => {});
  ws.send(frame, { binary: Buffer.isBuffer(frame) });
  ws.send(JSON.stringify({ type: 'command', id: 999_999, command: 'snapshot', request: {} }));
  const answered = new Promise<'answered'>((resolve) =>
    ws.on('message', (raw) => {
      if ((JSON.parse(raw.toString()) as { id?: number }).id === 999_999) resolve('answered');
    }),
  );
  const outcome = await Promise.race([closed, answered]);
  ws.terminate();
  return outcome;
}

describe('the browser host is not knocked over', () => {
  let credential: string;
  beforeAll(async () => {
    credential = await exchangeLink(host.link);
  });

  it('by a WebSocket upgrade to //[ (no session needed: any web page can send it)', async () => {
    const answer = await rawExchange(host.port, upgradeRequest('//['));
    expect(answer).toMatch(/^HTTP\/1\.1 (400|404)/);
    await stillAnswers(credential);
  });

  it('by a command whose name is an object ({"toString":1}): it is answered INVALID_INPUT', async () => {
    const page = new Page(host.port, credential);
    await page.opened();
    await expect(page.call({ toString: 1 } as never, {})).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await page.close();
    await stillAnswers(credential);
  });

  it('by a text frame over 1 MiB or a binary frame nobody asked for: closed with 1009, nothing held', async () => {
    expect(await frameOutcome(credential, 'x'.repeat(1024 * 1024 + 1))).toBe(1009);
    expect(await frameOutcome(credential, randomBytes(64 * 1024))).toBe(1009);
    // far above any chunk the host asks for: refused from the frame's header, before its bytes arrive
    expect(await frameOutcome(credential, Buffer.alloc(64 * 1024 * 1024))).toBe(1009);
    await stillAnswers(credential);
  });
});

/** Mulberry32: a small seeded generator, so that a failing run can be replayed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 0x5eed_f377;

describe('a fuzzer', () => {
  it(`sends 1,200 malformed requests, upgrades and messages (seed ${SEED}) and the host answers the next valid request`, async () => {
    const random = generator(SEED);
    const int = (n: number) => Math.floor(random() * n);
    const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
    const credential = await exchangeLink(await host.newLink());

    const paths = [
      '//[',
      '/.//evil.example/?token=x',
      '//evil.example/',
      '/%',
      '/%00',
      '/..%2f..%2fetc/passwd',
      '/ws?token=x',
      '/ws/',
      '/ws#',
      '*',
      'http://evil.example/',
      '/?token=',
      '/?token=%ff',
      '/?__proto__=1',
      `/${'a'.repeat(9000)}`,
      '/new-link',
      '/\\evil.example',
    ];
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'G\0T', ''];
    const protoKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];
    const values = (): unknown =>
      pick<() => unknown>([
        () => null,
        () => int(1e9) - 5e8,
        () => 1e308 * 10,
        () => pick(protoKeys),
        () => bytes(int(40)).toString('latin1'),
        () => [values(), values()],
        () => ({ [pick(protoKeys)]: values() }),
        () => ({ toString: 1 }),
        () => true,
      ])();
    const textMessages = (): string =>
      pick<() => string>([
        () => bytes(int(200)).toString('latin1'),
        () => JSON.stringify(values()),
        () => JSON.stringify({ type: 'command', id: values(), command: values(), request: values() }),
        () => JSON.stringify({ type: 'command', id: int(1000), command: { toString: 1 }, request: {} }),
        () => `{"__proto__":{"type":"command","id":1},"command":"snapshot"}`,
        () => `{"type":"command","id":${int(1000)},"command":"${pick(protoKeys)}","request":{}}`,
        () =>
          `{"type":"command","id":${int(1000)},"command":"addPaths","request":{"__proto__":{"paths":["/etc/passwd"]},"endpointId":"x","bucket":"bbb","prefix":""}}`,
        () =>
          `{"type":"command","id":${int(1000)},"command":"browseFiles","request":{"path":${JSON.stringify(pick(['/proc', '..', 'relative', '/dev/zero', '\u0000']))}}}`,
        () => '['.repeat(5000),
      ])();

    let socket: WebSocket | null = null;
    const openSocket = async (): Promise<WebSocket> => {
      if (socket && socket.readyState === WebSocket.OPEN) return socket;
      const ws = pageSocket(host.port, credential);
      ws.on('error', () => {});
      await new Promise<void>((resolve, reject) =>
        ws.once('open', () => resolve()).once('close', (code) => reject(new Error(`refused (${code})`))),
      );
      socket = ws;
      return ws;
    };
    /** Sends a frame, then a snapshot; resolves when the snapshot is answered or the host closed the socket. */
    const sendAndProbe = async (frame: string | Buffer, binary: boolean) => {
      const ws = await openSocket();
      await new Promise<void>((resolve) => {
        const done = () => {
          ws.off('message', onMessage);
          ws.off('close', done);
          resolve();
        };
        const onMessage = (raw: WebSocket.RawData) => {
          if ((JSON.parse(raw.toString()) as { id?: number }).id === -1) done();
        };
        ws.on('message', onMessage);
        ws.on('close', done);
        ws.send(frame, { binary });
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'command', id: -1, command: 'snapshot', request: {} }));
      });
    };

    const kinds = { raw: 0, http: 0, upgrade: 0, text: 0, binary: 0, oversized: 0 };
    const CASES = 1200;
    for (let n = 0; n < CASES; n++) {
      const kind = n % 97 === 0 ? 'oversized' : pick(['raw', 'http', 'upgrade', 'text', 'binary'] as const);
      kinds[kind]++;
      switch (kind) {
        case 'raw':
          await rawExchange(host.port, bytes(1 + int(2048)));
          break;
        case 'http': {
          const headers = Array.from(
            { length: int(4) },
            () =>
              `${pick(['Host', 'Cookie', 'Content-Length', 'Transfer-Encoding', 'X-' + int(9)])}: ${bytes(int(30))
                .toString('latin1')
                .replace(/[\r\n]/g, '')}\r\n`,
          ).join('');
          await rawExchange(
            host.port,
            `${pick(methods)} ${pick(paths)} HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n${headers}\r\n${bytes(int(64)).toString('latin1')}`,
          );
          break;
        }
        case 'upgrade': {
          const extra = pick([
            '',
            'Sec-WebSocket-Protocol: ferry, ferry-session.\r\n',
            `Sec-WebSocket-Protocol: ferry, ferry-session.${credential}x\r\n`,
            'Sec-WebSocket-Protocol: ,,,\r\n',
            'Origin: null\r\n',
          ]);
          await rawExchange(host.port, Buffer.concat([Buffer.from(upgradeRequest(pick([...paths, '/ws']), extra)), bytes(int(256))]));
          break;
        }
        case 'text':
          await sendAndProbe(textMessages(), false);
          break;
        case 'binary': {
          const frame = pick<() => Buffer>([
            () => bytes(int(512)),
            () => Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0x7f]), bytes(int(64))]),
            () => {
              const head = Buffer.from(JSON.stringify({ requestId: pick([...protoKeys, 'nope']), error: values() }));
              const length = Buffer.alloc(4);
              length.writeUInt32LE(head.length);
              return Buffer.concat([length, head, bytes(int(128))]);
            },
          ])();
          await sendAndProbe(frame, true);
          break;
        }
        case 'oversized':
          await sendAndProbe(random() < 0.5 ? 'y'.repeat(2 * 1024 * 1024) : Buffer.alloc(6 * 1024 * 1024), random() >= 0.5);
          break;
      }
      if (n % 200 === 199) await stillAnswers(credential);
    }
    (socket as WebSocket | null)?.terminate();
    expect(Object.values(kinds).reduce((a, b) => a + b)).toBe(CASES);
    for (const count of Object.values(kinds)) expect(count).toBeGreaterThan(0);
    await stillAnswers(credential);
  });
});

describe('a session cannot be replayed from a link or a URL', () => {
  it('refuses /ws?token= and a socket with no session', async () => {
    const link = await host.newLink();
    const token = new URL(link).searchParams.get('token')!;
    const credential = await exchangeLink(link);
    expect(
      await upgradeOutcome(
        new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${token}`, { headers: { origin: `http://127.0.0.1:${host.port}` } }),
      ),
    ).toMatchObject({ opened: false, status: 400 });
    expect(
      await upgradeOutcome(
        new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${credential}`, { headers: { origin: `http://127.0.0.1:${host.port}` } }),
      ),
    ).toMatchObject({ opened: false, status: 400 });
    expect(await upgradeOutcome(pageSocket(host.port, null))).toMatchObject({ closeCode: 4401 });
    await stillAnswers(credential);
  });
});
