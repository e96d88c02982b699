// Finding the Electron binary without require('electron') (which would download it), as npm start does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canDownload, downloadUrl, isZipCached, locateElectron } from '../../../scripts/electronBinary.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ferry-electron-bin-'));
  mkdirSync(join(root, 'node_modules', 'electron', 'dist'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'electron', 'package.json'), JSON.stringify({ version: '45.4.1' }));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function install(version = 'v45.4.1', pathTxt = 'electron') {
  const dist = join(root, 'node_modules', 'electron', 'dist');
  writeFileSync(join(dist, 'electron'), '');
  writeFileSync(join(dist, 'version'), version);
  writeFileSync(join(root, 'node_modules', 'electron', 'path.txt'), pathTxt);
}

describe('locateElectron', () => {
  it('is not installed with an empty dist (as after npm ci with Electron >= 42)', () => {
    expect(locateElectron(root, {}, 'linux')).toEqual({
      version: '45.4.1',
      path: join(root, 'node_modules/electron/dist/electron'),
      installed: false,
    });
  });

  it('is installed when dist, version and path.txt agree, as install.js checks', () => {
    install();
    expect(locateElectron(root, {}, 'linux').installed).toBe(true);
    install('v44.0.0');
    expect(locateElectron(root, {}, 'linux').installed).toBe(false);
    install('v45.4.1', 'electron.exe');
    expect(locateElectron(root, {}, 'linux').installed).toBe(false);
  });

  it('follows ELECTRON_OVERRIDE_DIST_PATH and the platform path', () => {
    const other = join(root, 'other');
    mkdirSync(join(other, 'Electron.app', 'Contents', 'MacOS'), { recursive: true });
    writeFileSync(join(other, 'Electron.app', 'Contents', 'MacOS', 'Electron'), '');
    expect(locateElectron(root, { ELECTRON_OVERRIDE_DIST_PATH: other }, 'darwin')).toMatchObject({
      installed: true,
      path: join(other, 'Electron.app/Contents/MacOS/Electron'),
    });
    expect(locateElectron(root, { ELECTRON_OVERRIDE_DIST_PATH: other }, 'win32').installed).toBe(false);
  });
});

describe('download', () => {
  it("finds a cached zip in @electron/get's cache", () => {
    const cache = join(root, 'cache');
    mkdirSync(join(cache, 'abc123'), { recursive: true });
    expect(isZipCached('45.4.1', { electron_config_cache: cache }, 'linux', 'x64')).toBe(false);
    writeFileSync(join(cache, 'abc123', 'electron-v45.4.1-linux-x64.zip'), '');
    expect(isZipCached('45.4.1', { electron_config_cache: cache }, 'linux', 'x64')).toBe(true);
  });

  it('builds the download URL as @electron/get does, mirror settings included', () => {
    expect(downloadUrl('45.4.1', {}, 'linux', 'x64')).toBe(
      'https://github.com/electron/electron/releases/download/v45.4.1/electron-v45.4.1-linux-x64.zip',
    );
    expect(downloadUrl('45.4.1', { ELECTRON_MIRROR: 'https://npmmirror.com/mirrors/electron/' }, 'darwin', 'arm64')).toBe(
      'https://npmmirror.com/mirrors/electron/v45.4.1/electron-v45.4.1-darwin-arm64.zip',
    );
    expect(
      downloadUrl('45.4.1', { npm_config_electron_mirror: 'https://m.example/e/', ELECTRON_CUSTOM_DIR: '{{ version }}' }, 'win32', 'x64'),
    ).toBe('https://m.example/e/45.4.1/electron-v45.4.1-win32-x64.zip');
  });

  it('probes the URL with a bounded HEAD: a redirect is fine, an error or silence is not', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const server = createServer((request, response) => {
      if (request.url === '/silent') return; // accepts, never answers
      response.writeHead(request.url === '/ok' ? 302 : 404, { location: 'https://objects.example/x' }).end();
    });
    server.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      expect(await canDownload(`${base}/ok`, 2000)).toBe(true);
      expect(await canDownload(`${base}/missing`, 2000)).toBe(false);
      const started = Date.now();
      expect(await canDownload(`${base}/silent`, 500)).toBe(false);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(await canDownload('http://nonexistent.invalid/x', 2000)).toBe(false);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});
