// A setup file of the integration project (vitest.config.ts): after each test file, after the file's own
// hooks have closed its engines, hosts and servers, its temporary directories go.
import { afterAll } from 'vitest';
import { removeTempDirs } from './tempDirs.ts';

afterAll(() => {
  removeTempDirs();
});
