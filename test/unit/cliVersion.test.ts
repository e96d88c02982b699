// `ferry --version` answers from bin/ferry.js without loading the CLI (issue #14, start-up): it must say the
// same version as the CLI itself does when it is loaded (here with --data-dir before the flag).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FERRY = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const ferry = (args: string[]) =>
  spawnSync(process.execPath, [FERRY, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });

describe('ferry --version', () => {
  it.each([['--version'], ['-V'], ['--data-dir', '/nonexistent-ferry-dir', '--version']])('ferry %s prints the version', (...args) => {
    const result = ferry(args);
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(VERSION);
    expect(result.stderr).toBe('');
  });
});
