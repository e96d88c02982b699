/**
 * A large part's body from the file (main/engine/fileSource.ts): sent into an HTTP request through
 * pooled read buffers that go back to the pool as the socket takes them. What a user would notice if
 * a buffer were reused too early: other bytes arriving than the file's. Several parts at once, over
 * real sockets, each compared byte for byte with the file; and the pool stays bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pooledBuffers, SourceFile } from '../../main/engine/fileSource.ts';

const MiB = 1024 * 1024;
const PART = 5 * MiB + 12345;
const PARTS = 6;

let dir: string;
let data: Buffer;
let file: string;
let server: http.Server;
let url: string;
/** The SHA-256 of each request's body as it arrived, by path. */
const received = new Map<string, string>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-filesource-'));
  data = randomBytes(PART * PARTS - 999);
  file = path.join(dir, 'big.bin');
  await writeFile(file, data);
  server = http.createServer((req, res) => {
    const hash = createHash('sha256');
    // a slow reader now and then, so that writes queue up behind a full socket
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      if (Math.random() < 0.2) {
        req.pause();
        setTimeout(() => req.resume(), 2);
      }
    });
    req.on('end', () => {
      received.set(req.url!, hash.digest('hex'));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Sends `body` as the SDK does (body.pipe(request)) and waits for the answer. */
function post(name: string, body: Readable, length: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}/${name}`, { method: 'PUT', headers: { 'content-length': length } }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    request.on('error', reject);
    body.pipe(request);
  });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('SourceFile: a large part streamed into a request', () => {
  it('sends every part byte for byte while parts go at once, and the read buffers stay pooled', async () => {
    const source = await SourceFile.open(file);
    try {
      const signal = new AbortController().signal;
      const sends = [];
      for (let part = 0; part < PARTS; part++) {
        const start = part * PART;
        const end = Math.min(data.length, start + PART);
        sends.push(
          (async () => {
            const prepared = await source.prepare(start, end, signal, 'sha256');
            expect(prepared.digest.value).toBe(sha256(data.subarray(start, end)));
            let counted = 0;
            const body = prepared.body((bytes) => (counted += bytes)) as Readable;
            await post(`part-${part}`, body, end - start);
            expect(counted).toBe(end - start);
          })(),
        );
      }
      await Promise.all(sends);
      for (let part = 0; part < PARTS; part++) {
        const start = part * PART;
        expect(received.get(`/part-${part}`)).toBe(sha256(data.subarray(start, Math.min(data.length, start + PART))));
      }
      expect(pooledBuffers()).toBeGreaterThan(0);
      expect(pooledBuffers()).toBeLessThanOrEqual(16);
    } finally {
      await source.close();
    }
  });

  it('sends the same bytes through anything else it is piped into (a chunk handed on is never reused)', async () => {
    const source = await SourceFile.open(file);
    try {
      const prepared = await source.prepare(0, PART, new AbortController().signal, 'md5');
      const through = new PassThrough();
      const chunks: Buffer[] = [];
      through.on('data', (chunk: Buffer) => chunks.push(chunk));
      const body = prepared.body(() => undefined) as Readable;
      body.pipe(through);
      await new Promise((resolve) => through.on('end', resolve));
      // read only after the whole part went through: a reused buffer would show as wrong bytes here
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(data.subarray(0, PART)));
    } finally {
      await source.close();
    }
  });
});
