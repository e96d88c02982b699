// The browser host against a real server: its security checks, the contract over its WebSocket, and
// a browser-sourced upload (a Node client stands in for the page: it answers read requests from memory).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import WebSocket from 'ws';
import { HostService } from '../../main/host/service.ts';
import { FileKeyVault } from '../../main/endpoints/vault.ts';
import { startWebHost, type WebHost } from '../../main/web/server.ts';
import type { CommandName, CommandResponses, EndpointView, Events, JobView } from '../../shared/contract.ts';
import { encodeFileData, type ServerMessage } from '../../shared/wire.ts';
import { MiB } from '../../shared/partPlan.ts';
import { createTestBucket, listUploads, objectSha256, testClient } from '../harness/s3.ts';
import { tempDir } from '../harness/engine.ts';

const s3 = inject('s3');
let client: S3Client;
let bucket: string;
const rendererDir = tempDir('renderer');
mkdirSync(rendererDir, { recursive: true });
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Ferry</title>');

beforeAll(async () => {
  client = testClient(s3);
  bucket = await createTestBucket(s3, 'webhost');
});
afterAll(() => client?.destroy());

async function startHost(dataDir: string): Promise<{ service: HostService; host: WebHost }> {
  const service = await HostService.open({
    dataDir,
    vault: new FileKeyVault(dataDir),
    host: { kind: 'browser', version: 'test', canReadPaths: false },
    engine: { partSize: 5 * MiB, partConcurrency: 2 },
    progressIntervalMs: 50,
  });
  const host = await startWebHost({ service, rendererDir });
  return { service, host };
}

function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A stand-in for the page: commands with promises, events to listeners, files answered from memory. */
class Page {
  readonly ws: WebSocket;
  readonly files = new Map<string, Buffer>();
  bytesServed = 0;
  #next = 1;
  readonly #pending = new Map<number, (message: ServerMessage & { type: 'result' }) => void>();
  readonly #listeners = new Set<(event: string, payload: unknown) => void>();

  constructor(host: WebHost) {
    this.ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, {
      headers: { origin: `http://127.0.0.1:${host.port}`, cookie: `ferry_token=${host.token}` },
    });
    this.ws.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as ServerMessage;
      if (message.type === 'result') this.#pending.get(message.id)?.(message);
      else {
        if (message.event === 'fileReadRequested') this.#serve(message.payload as Events['fileReadRequested']);
        for (const listener of this.#listeners) listener(message.event, message.payload);
      }
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => this.ws.once('open', () => resolve()).once('error', reject));
  }

  #serve({ requestId, fileId, start, end }: Events['fileReadRequested']): void {
    const file = this.files.get(fileId);
    if (!file) return this.ws.send(encodeFileData({ requestId, error: 'unknown file' }, null));
    this.bytesServed += end - start;
    this.ws.send(encodeFileData({ requestId }, file.subarray(start, end)));
  }

  call<C extends CommandName>(command: C, request: unknown): Promise<CommandResponses[C]> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (message) =>
        message.envelope.ok
          ? resolve(message.envelope.value as CommandResponses[C])
          : reject(Object.assign(new Error(message.envelope.error.message), message.envelope.error)),
      );
      this.ws.send(JSON.stringify({ type: 'command', id, command, request }));
    });
  }

  /** Resolves with the job once an event shows it in `state`. */
  jobReaches(jobId: string, test: (job: JobView) => boolean): Promise<JobView> {
    return new Promise((resolve) => {
      const listener = (event: string, payload: unknown) => {
        if (event !== 'jobsChanged') return;
        const job = (payload as Events['jobsChanged']).jobs.find((j) => j.id === jobId);
        if (job && test(job)) {
          this.#listeners.delete(listener);
          resolve(job);
        }
      };
      this.#listeners.add(listener);
    });
  }

  progressAtLeast(jobId: string, bytes: number): Promise<void> {
    return new Promise((resolve) => {
      const listener = (event: string, payload: unknown) => {
        if (event === 'jobsProgress' && (payload as Events['jobsProgress']).updates.some((u) => u.id === jobId && u.bytesDone >= bytes)) {
          this.#listeners.delete(listener);
          resolve();
        }
      };
      this.#listeners.add(listener);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

describe('the browser host refuses', () => {
  let service: HostService;
  let host: WebHost;
  beforeAll(async () => ({ service, host } = await startHost(tempDir('web-sec'))));
  afterAll(async () => {
    await host?.close();
    await service?.close();
  });

  it('a request without the token (401), a wrong token (401), and serves with it via a cookie', async () => {
    expect((await get(host.port, '/')).status).toBe(401);
    expect((await get(host.port, '/?token=wrong')).status).toBe(401);
    const entry = await get(host.port, `/?token=${host.token}`);
    expect(entry.status).toBe(303);
    expect(String(entry.headers['set-cookie'])).toContain('HttpOnly; SameSite=Strict');
    const page = await get(host.port, '/', { cookie: `ferry_token=${host.token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Ferry</title>');
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'");
  });

  it('a foreign Host header (DNS rebinding) and a foreign Origin on the WebSocket', async () => {
    expect((await get(host.port, '/', { host: 'evil.example:80', cookie: `ferry_token=${host.token}` })).status).toBe(403);
    const foreign = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, {
      headers: { origin: 'http://evil.example', cookie: `ferry_token=${host.token}` },
    });
    const status = await new Promise<number>((resolve) => foreign.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
    const anonymous = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers: { origin: `http://127.0.0.1:${host.port}` } });
    expect(await new Promise<number>((resolve) => anonymous.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))).toBe(
      401,
    );
  });

  it('a malformed command payload, in words', async () => {
    const page = new Page(host);
    await page.opened();
    await expect(page.call('pauseJobs', { ids: 'not-a-list' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('Invalid pauseJobs request'),
    });
    await expect(page.call('rmRf' as CommandName, {})).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Unknown command: rmRf' });
    await page.close();
  });
});

describe('a file dropped in the page', () => {
  it('uploads through the host, waits for its file across a host restart, and resumes where it stopped', async () => {
    const dataDir = tempDir('web-data');
    let { service, host } = await startHost(dataDir);
    let page = new Page(host);
    await page.opened();
    const endpoint: EndpointView = await page.call('addEndpoint', {
      name: 'rgw',
      url: s3.endpoint,
      region: s3.region,
      addressing: 'path',
      checksums: 'when-required',
      credential: { kind: 'static', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    expect(JSON.stringify(endpoint)).not.toContain(s3.secretAccessKey);

    const data = randomBytes(40 * MiB);
    const file = { fileId: 'f1', name: 'movie.bin', relativePath: 'trip/', size: data.length, lastModified: 1_700_000_000_000 };
    page.files.set('f1', data);
    const { jobs } = await page.call('addBrowserFiles', { endpointId: endpoint.id, bucket, prefix: 'drops/', files: [file] });
    expect(jobs[0]).toMatchObject({ key: 'drops/trip/movie.bin', source: 'browser', name: 'movie.bin', waitingForFile: false });
    const jobId = jobs[0]!.id;

    // the host stops mid-upload (after a few parts)
    await page.progressAtLeast(jobId, 15 * MiB);
    await page.close();
    await host.close();
    await service.close();

    ({ service, host } = await startHost(dataDir));
    page = new Page(host);
    await page.opened();
    const snapshot = await page.call('snapshot', {});
    const waiting = snapshot.jobs.find((j) => j.id === jobId)!;
    expect(waiting).toMatchObject({ waitingForFile: true, state: 'queued' });
    const heldBytes = waiting.bytesDone;
    expect(heldBytes).toBeGreaterThan(0);

    // the same file dropped again (a new page-side id) resumes the job; nothing else is added
    page.files.set('f2', data);
    const done = page.jobReaches(jobId, (j) => j.state === 'completed');
    const { attached } = await page.call('attachBrowserFiles', { files: [{ ...file, fileId: 'f2' }] });
    expect(attached).toEqual([{ jobId, fileId: 'f2' }]);
    await done;
    // parts the server held but the store had not written yet are read once more, to be hashed and adopted
    expect(page.bytesServed).toBeLessThanOrEqual(data.length - heldBytes + 2 * 5 * MiB);
    expect(await objectSha256(client, bucket, 'drops/trip/movie.bin')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(await listUploads(client, bucket, 'drops/')).toEqual([]);
    await page.close();
    await host.close();
    await service.close();
  });
});
