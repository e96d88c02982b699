// The browser host against a real server: its security checks, the contract over its WebSocket, and
// a browser-sourced upload (a Node client stands in for the page: it answers read requests from memory).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostService } from '../../main/host/service.ts';
import { FileKeyVault } from '../../main/endpoints/vault.ts';
import { startWebHost, type WebHost } from '../../main/web/server.ts';
import type { CommandName, EndpointView, Events, JobView } from '../../shared/contract.ts';
import { MiB } from '../../shared/partPlan.ts';
import { decodeJobPage } from '../../shared/jobPage.ts';
import { createTestBucket, listUploads, objectSha256, testClient, testEndpointInput } from '../harness/s3.ts';
import { tempDir } from '../harness/engine.ts';
import { Page, exchangeLink, httpGet, pageSocket, upgradeOutcome } from '../harness/web.ts';

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

/** A page of a fresh session: the host's next link, exchanged as a browser does. */
async function newPage(host: WebHost): Promise<Page> {
  return new Page(host.port, await exchangeLink(host.newLink().url));
}

describe('the browser host refuses', () => {
  let service: HostService;
  let host: WebHost;
  beforeAll(async () => ({ service, host } = await startHost(tempDir('web-sec'))));
  afterAll(async () => {
    await host?.close();
    await service?.close();
  });

  it('a link it did not give (401), and serves the window with a session credential for its own link', async () => {
    expect((await httpGet(host.port, '/?token=wrong')).status).toBe(401);
    const link = new URL(host.newLink().url);
    const page = await httpGet(host.port, `/${link.search}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Ferry</title>');
    expect(page.body).toMatch(/<meta name="ferry-session" content="[^"]+">/);
    // the snapshot's first page comes with the link's document (issue #13), never with another one
    const data = /<script type="application\/json" id="ferry-first-page">([^<]*)<\/script>/.exec(page.body);
    expect(JSON.parse(data![1]!)).toMatchObject({ jobs: { rows: [] }, jobCount: 0, cursor: null });
    expect((await httpGet(host.port, '/')).body).not.toContain('ferry-first-page');
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(String(page.headers['content-security-policy'])).toContain("default-src 'self'");
  });

  it('a foreign Host header (DNS rebinding) and a foreign Origin on the WebSocket', async () => {
    const credential = await exchangeLink(host.newLink().url);
    expect((await httpGet(host.port, '/', { host: 'evil.example:80' })).status).toBe(403);
    expect(await upgradeOutcome(pageSocket(host.port, credential, { origin: 'http://evil.example' }))).toMatchObject({ status: 403 });
    expect(await upgradeOutcome(pageSocket(host.port, null))).toMatchObject({ closeCode: 4401 });
  });

  it('a malformed command payload, in words', async () => {
    const page = await newPage(host);
    await page.opened();
    await expect(page.call('pauseJobs', { ids: 'not-a-list' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('Invalid pauseJobs request'),
    });
    await expect(page.call('rmRf' as CommandName, {})).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Unknown command: rmRf' });
    await page.close();
  });
});

describe('the snapshot of many jobs', () => {
  it('comes in pages: the first at once, the rest by its cursor, every job once and in order', async () => {
    const { service, host } = await startHost(tempDir('web-pages'));
    const page = await newPage(host);
    await page.opened();
    const endpoint: EndpointView = await page.call('addEndpoint', {
      name: 'rgw',
      url: s3.endpoint,
      region: s3.region,
      addressing: 'path',
      checksums: 'when-required',
      credential: { kind: 'static', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const files = Array.from({ length: 450 }, (_, index) => ({
      fileId: `f${index}`,
      name: `f${index}.bin`,
      relativePath: 'many/',
      size: 1024,
      lastModified: 1_700_000_000_000,
    }));
    const { jobs } = await page.call('addBrowserFiles', { endpointId: endpoint.id, bucket, prefix: 'pages/', files });
    await page.call('pauseJobs', { ids: jobs.map((job) => job.id) });

    const snapshot = await page.call('snapshot', {});
    expect(snapshot).toMatchObject({ jobCount: 450, cursor: expect.any(String) });
    const first = decodeJobPage(snapshot.jobs);
    expect(first.length).toBeLessThan(450);
    const rest = await page.call('jobsPage', { cursor: snapshot.cursor! });
    expect(rest.cursor).toBeNull();
    const all = [...first, ...decodeJobPage(rest.jobs)];
    expect(all.map((job) => job.id)).toEqual(jobs.map((job) => job.id));
    expect(all[449]).toMatchObject({ name: 'f449.bin', key: 'pages/many/f449.bin', batchName: 'many', size: 1024 });

    // a cursor read to its end is forgotten; one the host never gave is refused in words
    await expect(page.call('jobsPage', { cursor: snapshot.cursor! })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(page.call('jobsPage', { cursor: 'x'.repeat(500) })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await page.close();
    await host.close();
    await service.close();
  });
});

describe('a file dropped in the page', () => {
  it('uploads through the host, waits for its file across a host restart, and resumes where it stopped', async () => {
    const dataDir = tempDir('web-data');
    let { service, host } = await startHost(dataDir);
    let page = await newPage(host);
    await page.opened();
    const endpoint: EndpointView = await page.call('addEndpoint', testEndpointInput(s3));
    expect(JSON.stringify(endpoint)).not.toContain(s3.secretAccessKey);

    const data = randomBytes(40 * MiB);
    const file = { fileId: 'f1', name: 'movie.bin', relativePath: 'trip/', size: data.length, lastModified: 1_700_000_000_000 };
    page.files.set('f1', data);
    const added: JobView[] = [];
    page.onEvent((event, payload) => {
      if (event === 'jobsAdded') added.push(...(payload as Events['jobsAdded']).jobs);
    });
    const { jobs } = await page.call('addBrowserFiles', { endpointId: endpoint.id, bucket, prefix: 'drops/', files: [file] });
    expect(jobs[0]).toMatchObject({ key: 'drops/trip/movie.bin', source: 'browser', name: 'movie.bin', waitingForFile: false });
    // the event that tells the window of the new job says the same: the page holds its file (a
    // window applying the event after the answer showed "Waiting for its file" until the job started)
    await expect.poll(() => added.length).toBe(1);
    expect(added[0]).toMatchObject({ id: jobs[0]!.id, waitingForFile: false });
    const jobId = jobs[0]!.id;

    // the host stops mid-upload (after a few parts)
    await page.progressAtLeast(jobId, 15 * MiB);
    await page.close();
    await host.close();
    await service.close();

    ({ service, host } = await startHost(dataDir));
    page = await newPage(host);
    await page.opened();
    const snapshot = await page.call('snapshot', {});
    const waiting = decodeJobPage(snapshot.jobs).find((j) => j.id === jobId)!;
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
