// Opening Ferry's engine against the test S3 server, with a fresh data directory per test.
import { Engine, type EndpointResolver, type EngineEvent, type EngineOptions } from '../../main/engine/engine.ts';
import type { EndpointProfile } from '../../shared/endpoint.ts';
import type { Job, JobState } from '../../shared/job.ts';
import type { TestS3 } from './s3env.ts';
import { tempDir } from './tempDirs.ts';

export const TEST_ENDPOINT_ID = 'test-s3';

export function testProfile(s3: TestS3): EndpointProfile {
  return {
    id: TEST_ENDPOINT_ID,
    name: 'test S3',
    url: s3.endpoint,
    region: s3.region,
    addressing: s3.forcePathStyle ? 'path' : 'virtual',
    checksums: 'when-required',
  };
}

/** Resolves the test endpoint; `secret` overrides the secret key (to test a wrong one). */
export function testResolver(s3: TestS3, secret = s3.secretAccessKey): EndpointResolver {
  return {
    async resolve(endpointId) {
      if (endpointId !== TEST_ENDPOINT_ID) throw new Error(`unknown endpoint ${endpointId}`);
      return { profile: testProfile(s3), credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: secret } };
    },
  };
}

export { tempDir } from './tempDirs.ts';

export function openTestEngine(s3: TestS3, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return Engine.open({
    dataDir: options.dataDir ?? tempDir('data'),
    endpoints: testResolver(s3),
    retryPolicy: { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 500 },
    ...options,
  });
}

/** Resolves with the job once it reaches `state` (or rejects if it ends in another final state). */
export function waitForState(engine: Engine, jobId: string, state: JobState, timeoutMs = 60_000): Promise<Job> {
  return new Promise((resolve, reject) => {
    const current = engine.get(jobId);
    if (current?.state === state) return resolve(current);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`job ${jobId} did not become ${state} within ${timeoutMs} ms (is ${engine.get(jobId)?.state})`));
    }, timeoutMs);
    const off = engine.events.on((event: EngineEvent) => {
      if (event.type !== 'job-changed' || event.job.id !== jobId) return;
      if (event.job.state === state) {
        clearTimeout(timer);
        off();
        resolve(event.job);
      } else if (event.job.state === 'completed' || event.job.state === 'aborted' || (event.job.state === 'failed' && state !== 'failed')) {
        clearTimeout(timer);
        off();
        reject(new Error(`job ${jobId} became ${event.job.state} instead of ${state}: ${event.job.error?.message ?? ''}`));
      }
    });
  });
}

/** Resolves once the job has at least `bytes` bytes done (acknowledged or in flight). */
export function waitForBytes(engine: Engine, jobId: string, bytes: number, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`job ${jobId} did not reach ${bytes} bytes within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = engine.events.on((event) => {
      if (event.type === 'progress' && event.jobId === jobId && event.bytesDone >= bytes) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}

/** Resolves as soon as the server has acknowledged `count` parts of the job (they are in the store). */
export function waitForParts(engine: Engine, jobId: string, count: number, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (engine.parts(jobId).length >= count) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error(`job ${jobId} did not get ${count} parts within ${timeoutMs} ms (is ${engine.get(jobId)?.state})`));
    }, timeoutMs);
    const off = engine.events.on((event) => {
      if (event.type === 'part-uploaded' && event.jobId === jobId && engine.parts(jobId).length >= count) {
        clearTimeout(timer);
        off();
        resolve();
      }
    });
  });
}
