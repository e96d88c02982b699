import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Levels of tests (house style #10): `unit` runs pure logic with fakes; `renderer` runs the window's
// components in jsdom; `integration` runs the engine against a real Ceph RGW that test/harness/globalSetup.ts starts (or one named by env vars).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // CPU-bound tests (scrypt in the passphrase vault, hashing) took 7 s against vitest's 5 s
          // default with a CPU hog beside `npm test`; a time limit is for hangs, not for speed
          testTimeout: 30_000,
        },
      },
      {
        // components and the store of the window, in jsdom, against a fake FerryApi
        plugins: [react()],
        test: {
          name: 'renderer',
          include: ['test/renderer/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['test/renderer/setup.ts'],
          // user-event types key by key: on a loaded 2-core machine a form test took over the default
          // 5 s, and the timed-out test went on typing into the next one's form ("meu-west-1")
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          // test/security: attacks on the hosts, the control channel and the vault; test/faults: injected
          // server, network and file-system faults. Both need the real server, so they share this project.
          include: ['test/integration/**/*.test.ts', 'test/security/**/*.test.ts', 'test/faults/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/harness/globalSetup.ts'],
          // removes each file's temporary directories after it (a full run left about 10 GiB behind)
          setupFiles: ['test/harness/cleanup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // RGW on 2 cores: a few files at a time keeps the server responsive.
          maxWorkers: 2,
          fileParallelism: true,
          // runs after the fast projects (vitest requires its own group for a different maxWorkers)
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
