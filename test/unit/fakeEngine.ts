/**
 * An Engine on a real store in `dataDir`, whose one endpoint ("fake") is the in-memory FakeS3: the
 * set-up the scheduler and transfer-settings unit tests share. Parts of `partSize` bytes (default
 * 1 KiB, so that small real files make several parts), two quick attempts per request.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Engine, type EngineOptions, type JobSpec } from '../../main/engine/engine.ts';
import type { FakeS3 } from './fakeS3.ts';

export const FAKE_PART = 1024;

export function openFakeEngine(dataDir: string, s3: FakeS3, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return Engine.open({
    dataDir,
    endpoints: {
      resolve: async () => ({
        profile: {
          id: 'fake',
          name: 'fake',
          url: 'http://fake.invalid',
          region: 'us-east-1',
          addressing: 'path',
          checksums: 'when-required',
          minPartSize: 1,
        },
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      }),
    },
    createClient: () => s3.client,
    partSize: FAKE_PART,
    retryPolicy: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    ...options,
  });
}

/** What fakeEngineEachTest gives a test: its directory, its engine, and files to upload. */
export interface FakeEngineFixture {
  /** This test's temporary directory (the engine's data directory is `data` in it). */
  readonly dir: string;
  /** Opens this test's engine (closed after the test). */
  open(s3: FakeS3, options?: Partial<EngineOptions>): Promise<Engine>;
  /** `count` files of `bytes` bytes each (file i filled with the byte i + 1), named `name-i`. */
  files(count: number, bytes: number, name?: string): string[];
}

/**
 * A temporary directory for each test of the file, and at most one fake engine in it: the engine is
 * closed and the directory removed after each test.
 */
export function fakeEngineEachTest(name: string): FakeEngineFixture {
  let dir = '';
  let engine: Engine | null = null;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `ferry-${name}-`));
    engine = null;
  });
  afterEach(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    async open(s3, options = {}) {
      engine = await openFakeEngine(join(dir, 'data'), s3, options);
      return engine;
    },
    files(count, bytes, fileName = 'file') {
      return Array.from({ length: count }, (_, i) => {
        const path = join(dir, `${fileName}-${i}`);
        writeFileSync(path, Buffer.alloc(bytes, i + 1));
        return path;
      });
    },
  };
}

/** Jobs uploading `paths` to the fake endpoint's bucket as `name-0`, `name-1`, ... */
export function fakeSpecs(paths: readonly string[], name = 'key'): JobSpec[] {
  return paths.map((path, i) => ({ path, endpointId: 'fake', bucket: 'bucket', key: `${name}-${i}` }));
}
