// Starts the S3 server for the end-to-end tests (or takes the one named by FERRY_TEST_S3_*), and
// hands it to the workers through the environment. Never skips: no server or no Chromium fails.
import { accessSync, constants } from 'node:fs';
import { startRgw, RGW_APT_INSTALL } from '../harness/rgw.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const chromium = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';
  try {
    accessSync(chromium, constants.X_OK);
  } catch {
    throw new Error(`The end-to-end tests need Chromium at ${chromium}: apt-get install -y chromium (or set FERRY_CHROMIUM).`);
  }
  if (process.env.FERRY_TEST_S3_ENDPOINT) return async () => {};
  let server;
  try {
    server = await startRgw();
  } catch (error) {
    throw new Error(`Could not start Ceph RGW for the end-to-end tests: ${(error as Error).message}\nInstall it with: ${RGW_APT_INSTALL}`, {
      cause: error,
    });
  }
  process.env.FERRY_TEST_S3_ENDPOINT = server.endpoint;
  process.env.FERRY_TEST_S3_ACCESS_KEY_ID = server.accessKeyId;
  process.env.FERRY_TEST_S3_SECRET_ACCESS_KEY = server.secretAccessKey;
  process.env.FERRY_TEST_S3_REGION = server.region;
  console.log(`[ferry e2e] S3 server Ceph RGW ${server.endpoint}`);
  return () => server.stop();
}
