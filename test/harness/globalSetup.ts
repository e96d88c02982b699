// Global setup of the `integration` project (vitest.config.ts): provides the S3 server every test uses.
//
// Default: starts a fresh single-node Ceph RGW (test/harness/rgw.ts, ~2 s) and stops it after the run.
// Another server (e.g. MinIO on macOS): set
//   FERRY_TEST_S3_ENDPOINT=http://127.0.0.1:9000 FERRY_TEST_S3_ACCESS_KEY_ID=... FERRY_TEST_S3_SECRET_ACCESS_KEY=...
//   [FERRY_TEST_S3_REGION=us-east-1] [FERRY_TEST_S3_VIRTUAL_HOSTED=1]
// No server -> the run fails with instructions. Integration tests are never skipped.
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import type { TestProject } from 'vitest/node';
import { RGW_APT_INSTALL, startRgw } from './rgw.ts';
import { testClient } from './s3.ts';
import type { TestS3 } from './s3env.ts';

const USE_ANOTHER_SERVER =
  'To use another S3-compatible server instead (e.g. MinIO; the key must be allowed to create buckets):\n' +
  '  FERRY_TEST_S3_ENDPOINT=http://127.0.0.1:9000 FERRY_TEST_S3_ACCESS_KEY_ID=... FERRY_TEST_S3_SECRET_ACCESS_KEY=... ' +
  '[FERRY_TEST_S3_REGION=us-east-1] [FERRY_TEST_S3_VIRTUAL_HOSTED=1] npm test';
const HOW_TO_GET_A_SERVER =
  'The integration tests need a real S3 server. Either install Ceph RGW, which the tests then start themselves ' +
  `(Debian/Ubuntu, as root):\n  ${RGW_APT_INSTALL}\n${USE_ANOTHER_SERVER}`;

function fromEnv(): TestS3 | undefined {
  const env = process.env;
  if (!env.FERRY_TEST_S3_ENDPOINT) return undefined;
  const missing = ['FERRY_TEST_S3_ACCESS_KEY_ID', 'FERRY_TEST_S3_SECRET_ACCESS_KEY'].filter((k) => !env[k]);
  if (missing.length > 0) {
    throw new Error(
      `FERRY_TEST_S3_ENDPOINT is set but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not.\n${HOW_TO_GET_A_SERVER}`,
    );
  }
  return {
    endpoint: env.FERRY_TEST_S3_ENDPOINT,
    region: env.FERRY_TEST_S3_REGION || 'us-east-1',
    accessKeyId: env.FERRY_TEST_S3_ACCESS_KEY_ID!,
    secretAccessKey: env.FERRY_TEST_S3_SECRET_ACCESS_KEY!,
    forcePathStyle: env.FERRY_TEST_S3_VIRTUAL_HOSTED !== '1',
  };
}

/** Fails fast when a server named by env vars cannot be reached or rejects the key. */
async function probe(s3: TestS3): Promise<void> {
  const client = testClient(s3);
  try {
    await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(15_000) });
  } catch (err) {
    const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    // a reachable server that only forbids ListBuckets (AccessDenied) is fine; a bad key or no server is not
    if (e.$metadata?.httpStatusCode !== undefined && e.name !== 'InvalidAccessKeyId' && e.name !== 'SignatureDoesNotMatch') return;
    throw new Error(
      `The S3 server ${s3.endpoint} (FERRY_TEST_S3_ENDPOINT) is not usable: ${e.name}: ${e.message}\n${HOW_TO_GET_A_SERVER}`,
      {
        cause: err,
      },
    );
  } finally {
    client.destroy();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = performance.now();
  const external = fromEnv();
  if (external) {
    await probe(external);
    project.provide('s3', external);
    project.provide('rgwDir', null);
    console.log(
      `[ferry tests] S3 server ${external.endpoint} (from FERRY_TEST_S3_ENDPOINT), checked in ${Math.round(performance.now() - t0)} ms`,
    );
    return async () => {};
  }

  let server;
  try {
    server = await startRgw();
  } catch (err) {
    throw new Error(`Could not start Ceph RGW for the integration tests. ${(err as Error).message}\n\n${USE_ANOTHER_SERVER}`, {
      cause: err,
    });
  }
  project.provide('s3', {
    endpoint: server.endpoint,
    region: server.region,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
  });
  project.provide('rgwDir', server.dir);
  console.log(
    `[ferry tests] S3 server Ceph RGW ${server.endpoint} (memstore, ${server.dir}) started in ${Math.round(performance.now() - t0)} ms`,
  );
  return async () => {
    await server.stop();
  };
}
