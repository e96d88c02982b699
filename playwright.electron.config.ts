import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { locateElectron } from './scripts/electronBinary.ts';

// End-to-end tests of the desktop app itself (test/e2e/electron.spec.ts): the real Electron binary
// runs the built app (npm run build first) against a real Ceph RGW that the spec starts (or the one
// named by FERRY_TEST_S3_*). Where the Electron binary is not installed (Electron >= 42 downloads
// it on first use, and this machine may have no network), every test is reported as skipped with
// the reason. On Linux without a display, run it under xvfb: `xvfb-run -a npm run test:electron`.
const electron = locateElectron(fileURLToPath(new URL('.', import.meta.url)));
// the list reporter does not print skip reasons: say it once, from the runner (not from each worker)
if (!electron.installed && !process.env.TEST_WORKER_INDEX) {
  console.log(
    `[ferry electron] SKIPPED: no Electron ${electron.version} binary at ${electron.path}; run \`npx install-electron\` with network access.`,
  );
}

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: 'electron.spec.ts',
  outputDir: 'test-results/electron',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  // one Electron at a time: each test owns a data directory, but the app is heavy
  workers: 1,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
});
