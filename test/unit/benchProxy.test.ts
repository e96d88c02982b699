// The resume benchmark's recording proxy (bench/lib/proxy.ts) holds back the parts of the object being
// resumed and nothing else: a Ferry with a fresh data directory first probes the endpoint's checks with a
// multipart upload of its own, and holding (and timing) that probe's part measured the probe, not the resume.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { objectKey, startProxy, type RecordingProxy } from '../../bench/lib/proxy.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** An upstream that answers every request 200 with an empty body. */
async function upstream(): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function put(proxy: RecordingProxy, path: string, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${proxy.url}${path}`, { method: 'PUT', signal, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end('part');
  });
}

describe('the resume benchmark proxy', () => {
  it('reads the key of a path-style request', () => {
    expect(objectKey('/bucket/resume.bin?partNumber=1&uploadId=u')).toBe('resume.bin');
    expect(objectKey('/bucket/a%20folder/%E2%9C%93.bin?uploads')).toBe('a folder/✓.bin');
    expect(objectKey('/bucket')).toBe('');
  });

  it("holds the resumed object's parts and lets the integrity probe's through", async () => {
    const proxy = await startProxy(await upstream());
    closers.push(() => proxy.close());
    proxy.mode = 'hold';
    proxy.holdKey = 'resume.bin';

    const stop = new AbortController();
    const held = put(proxy, '/bucket/resume.bin?partNumber=7&uploadId=u', stop.signal).catch(() => -1);
    // the probe's part goes through while the resumed object's part is held
    expect(await put(proxy, '/bucket/.ferry-probe-1?partNumber=1&uploadId=p')).toBe(200);
    await expect.poll(() => proxy.events.length).toBe(2);

    const [resumed, probe] = [proxy.events.find((e) => e.key === 'resume.bin')!, proxy.events.find((e) => e.key === '.ferry-probe-1')!];
    expect(resumed).toMatchObject({ op: 'UploadPart', partNumber: 7 });
    expect(resumed.answeredAt).toBeUndefined();
    expect(probe).toMatchObject({ op: 'UploadPart', partNumber: 1, status: 200 });
    stop.abort();
    expect(await held).toBe(-1);
  });
});
