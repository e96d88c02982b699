/**
 * Settings' files at once, parts per file and part size (issue #13) applied to a running engine
 * (main/engine/transferSettings.ts through Engine.setTransferSettings), against the in-memory FakeS3,
 * and the settings store that keeps them (main/store/settings.ts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../main/store/database.ts';
import { DEFAULT_SETTINGS, readSettings, writeSettings } from '../../main/store/settings.ts';
import { FakeS3 } from './fakeS3.ts';
import { FAKE_PART, fakeEngineEachTest, fakeSpecs as specs } from './fakeEngine.ts';

const PART = FAKE_PART;
const fixture = fakeEngineEachTest('transfer-settings');
const { open } = fixture;
const { files } = fixture;

describe('transfer settings applied to a running engine', () => {
  it('files at once: the next files start under the new count', async () => {
    const s3 = new FakeS3();
    const ferry = await open(s3, { maxActiveJobs: 8, maxRequests: 8, partConcurrency: 1 });
    ferry.setTransferSettings({ filesAtOnce: 1 });
    await ferry.addJobs(specs(files(4, 4 * PART)));
    await ferry.whenIdle();
    expect(s3.peakKeysInFlight).toBe(1);
    ferry.setTransferSettings({ filesAtOnce: 3 });
    // the new files' parts are held until three files have one in flight: the overlap is then
    // certain, not a matter of timing (on a loaded machine, quick fake answers let jobs end first)
    const held = s3.gate((call) => call.operation === 'UploadPart' && call.key.startsWith('more-'));
    await ferry.addJobs(specs(files(6, 4 * PART, 'more'), 'more'));
    await held.reached;
    while (s3.peakKeysInFlight < 3) await new Promise((resolve) => setImmediate(resolve));
    held.open();
    await ferry.whenIdle();
    expect(s3.peakKeysInFlight).toBe(3);
  });

  it('parts per file and part size: uploads added after the change are planned and sent with them', async () => {
    const s3 = new FakeS3();
    const ferry = await open(s3, { maxActiveJobs: 1, maxRequests: 8, partConcurrency: 8 });
    ferry.setTransferSettings({ partsPerFile: 2, partSize: 5 * 1024 * 1024 });
    const [path] = files(1, 12 * 1024 * 1024);
    const [job] = await ferry.addJobs(specs([path!]));
    expect(job).toMatchObject({ partSize: 5 * 1024 * 1024, partCount: 3, concurrency: 2 });
    await ferry.whenIdle();
    expect(ferry.get(job!.id)?.state).toBe('completed');
    expect(s3.peakByKey.get('key-0')).toBe(2);
    // automatic again: the default part size (16 MiB) makes the same file one request
    ferry.setTransferSettings({ partSize: null });
    const [again] = await ferry.addJobs([{ path: path!, endpointId: 'fake', bucket: 'bucket', key: 'again' }]);
    expect(again).toMatchObject({ multipart: false, partCount: 1 });
  });

  it('raises the request limit to the larger count, so that parts per file is not capped by it', async () => {
    const s3 = new FakeS3();
    const ferry = await open(s3, { maxActiveJobs: 1, maxRequests: 4, partConcurrency: 4 });
    ferry.setTransferSettings({ partsPerFile: 12 });
    await ferry.addJobs(specs(files(1, 48 * PART)));
    await ferry.whenIdle();
    expect(s3.peakInFlight).toBeGreaterThan(4);
    expect(s3.peakInFlight).toBeLessThanOrEqual(12);
  });

  it('files at once raised while an endpoint is in use: its sockets still carry every request let through', async () => {
    const s3 = new FakeS3();
    // the sockets each endpoint's client was made with (FakeS3 answers without them)
    const sockets: number[] = [];
    const ferry = await open(s3, {
      maxActiveJobs: 8,
      maxRequests: 8,
      partConcurrency: 1,
      createClient: (_profile, _credentials, options) => {
        sockets.push(options.maxSockets);
        return s3.client;
      },
    });
    await ferry.addJobs(specs(files(1, 512, 'first'), 'first'));
    await ferry.whenIdle();
    ferry.setTransferSettings({ filesAtOnce: 32 });
    const held = s3.gate((call) => call.operation === 'PutObject' && call.key.startsWith('small-'));
    await ferry.addJobs(specs(files(160, 512, 'small'), 'small'));
    await held.reached;
    // 32 files at once: up to four small requests in each of the 32 request slots
    while (s3.inFlight < 128) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sockets).toHaveLength(1);
    expect(sockets[0]).toBeGreaterThanOrEqual(s3.inFlight);
    held.open();
    await ferry.whenIdle();
  });

  it('refuses values outside the bounds in words', async () => {
    const ferry = await open(new FakeS3());
    expect(() => ferry.setTransferSettings({ filesAtOnce: 0 })).toThrow(/Files at once must be a whole number from 1 to 32/);
    expect(() => ferry.setTransferSettings({ partsPerFile: 2.5 })).toThrow(/Parts per file/);
    expect(() => ferry.setTransferSettings({ partSize: 1024 })).toThrow(/part size/);
  });
});

describe('the settings store', () => {
  it('keeps the transfer settings, notifications and destinations, and falls back on damaged or out-of-bounds values', () => {
    const db = openDatabase(join(fixture.dir, 'store'));
    try {
      expect(readSettings(db)).toEqual(DEFAULT_SETTINGS);
      const saved = writeSettings(db, {
        filesAtOnce: 2,
        partsPerFile: 16,
        partSize: 64 * 1024 * 1024,
        notifyOnFinish: false,
        destinations: { 'endpoint-1': { bucket: 'photos', prefix: '2026/' } },
        lastEndpointId: 'endpoint-1',
      });
      expect(saved).toMatchObject({ filesAtOnce: 2, partsPerFile: 16, partSize: 64 * 1024 * 1024, notifyOnFinish: false });
      expect(saved.destinations).toEqual({ 'endpoint-1': { bucket: 'photos', prefix: '2026/' } });
      const put = db.prepare('UPDATE settings SET value = ? WHERE key = ?');
      put.run('999', 'filesAtOnce');
      put.run('{not json', 'partsPerFile');
      put.run(JSON.stringify({ x: { bucket: 'ab', prefix: 'no-slash' } }), 'destinations');
      const read = readSettings(db);
      expect(read.filesAtOnce).toBe(DEFAULT_SETTINGS.filesAtOnce);
      expect(read.partsPerFile).toBe(DEFAULT_SETTINGS.partsPerFile);
      expect(read.destinations).toBeUndefined();
      expect(read.lastEndpointId).toBe('endpoint-1');
    } finally {
      db.close();
    }
  });
});
