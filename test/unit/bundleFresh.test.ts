// bin/ferry.js runs the CLI's one-file build only while it is newer than every source it was made from:
// an edited checkout never runs stale code (and the benchmark refuses to measure the sources as the build).
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freshBundle } from '../../bin/bundleFresh.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A checkout with a build of main.ts made at `builtAt` (seconds) from a main.ts last changed at `editedAt`. */
function checkout(builtAt: number, editedAt: number): { root: string; url: URL } {
  const root = mkdtempSync(path.join(tmpdir(), 'ferry-bundle-fresh-'));
  roots.push(root);
  mkdirSync(path.join(root, 'dist', 'cli'), { recursive: true });
  writeFileSync(path.join(root, 'main.ts'), '');
  writeFileSync(path.join(root, 'dist', 'cli', 'inputs.json'), JSON.stringify({ inputs: ['main.ts'] }));
  writeFileSync(path.join(root, 'dist', 'cli', 'main.mjs'), '');
  utimesSync(path.join(root, 'main.ts'), editedAt, editedAt);
  utimesSync(path.join(root, 'dist', 'cli', 'main.mjs'), builtAt, builtAt);
  return { root, url: pathToFileURL(root + path.sep) };
}

describe('freshBundle', () => {
  it('runs the build when no source changed since it was made', () => {
    const { root, url } = checkout(2000, 1000);
    expect(freshBundle(url)).toBe(pathToFileURL(path.join(root, 'dist', 'cli', 'main.mjs')).href);
  });

  it('runs the sources when one was edited after the build', () => {
    expect(freshBundle(checkout(1000, 2000).url)).toBeNull();
  });

  it('runs the sources when the build is missing or a source it lists is gone', () => {
    const unbuilt = checkout(2000, 1000);
    rmSync(path.join(unbuilt.root, 'dist', 'cli', 'main.mjs'));
    expect(freshBundle(unbuilt.url)).toBeNull();

    const moved = checkout(2000, 1000);
    rmSync(path.join(moved.root, 'main.ts'));
    expect(freshBundle(moved.url)).toBeNull();
  });
});
