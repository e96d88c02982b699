/**
 * An Engine on a real store in `dataDir`, whose one endpoint ("fake") is the in-memory FakeS3: the
 * set-up the scheduler and transfer-settings unit tests share. Parts of `partSize` bytes (default
 * 1 KiB, so that small real files make several parts), two quick attempts per request.
 */
import { Engine, type EngineOptions } from '../../main/engine/engine.ts';
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
