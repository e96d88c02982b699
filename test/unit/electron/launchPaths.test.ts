// Paths handed to Ferry on a launch's command line, and their hand-off to the window.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PathHandOff, pathsFromArgv } from '../../../main/electron/launchPaths.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-argv-'));
  writeFileSync(join(dir, 'a.iso'), 'a');
  mkdirSync(join(dir, 'photos'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pathsFromArgv', () => {
  it('takes existing files and folders, leaves out the executable, switches and missing paths', () => {
    const argv = [
      '/opt/Ferry/ferry-desktop',
      '--allow-file-access-from-files',
      '--original-process-start-time=1',
      join(dir, 'a.iso'),
      'photos',
      'missing.txt',
      join(dir, 'a.iso'),
    ];
    expect(pathsFromArgv(argv, dir, { defaultApp: false })).toEqual([join(dir, 'a.iso'), join(dir, 'photos')]);
  });

  it('skips the app path too when run as `electron .`', () => {
    expect(pathsFromArgv(['/usr/bin/electron', dir, 'a.iso'], dir, { defaultApp: true })).toEqual([join(dir, 'a.iso')]);
    expect(pathsFromArgv(['/usr/bin/electron', '.'], dir, { defaultApp: true })).toEqual([]);
  });
});

describe('PathHandOff', () => {
  it('keeps paths until the window takes them, then delivers them once', () => {
    let ready = false;
    const deliver = vi.fn(() => ready);
    const handOff = new PathHandOff(deliver);
    handOff.add(['/a']);
    handOff.add(['/b', '/a']);
    expect(deliver).toHaveBeenLastCalledWith(['/a', '/b']);
    ready = true;
    handOff.flush();
    expect(deliver).toHaveBeenLastCalledWith(['/a', '/b']);
    deliver.mockClear();
    handOff.flush();
    expect(deliver).not.toHaveBeenCalled();
    handOff.add([]);
    expect(deliver).not.toHaveBeenCalled();
  });
});
