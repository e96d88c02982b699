/**
 * Where the `electron` npm package keeps its binary, and whether it is there, found WITHOUT
 * require('electron'): since Electron 42 the package downloads the binary on first require
 * (node_modules/electron/index.js runs install.js synchronously, with no timeout), which would hang
 * `npm start` or a test on a machine without network.
 *
 * The package's own rules (node_modules/electron/index.js and install.js, 45.4.1): the binary is
 * dist/<platform path> (electron, electron.exe, Electron.app/Contents/MacOS/Electron), installed when
 * dist/version equals the package's version and path.txt names that platform path;
 * ELECTRON_OVERRIDE_DIST_PATH points at another dist directory. install.js downloads with
 * @electron/get, from ELECTRON_MIRROR (default github.com) unless the zip is in its cache
 * (electron_config_cache, default ~/.cache/electron on Linux).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ElectronBinary {
  version: string;
  /** The executable the package would run. */
  path: string;
  installed: boolean;
}

function platformPath(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The Electron binary of the project at `root` (its node_modules/electron), as install.js judges it. */
export function locateElectron(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): ElectronBinary {
  const dir = join(root, 'node_modules', 'electron');
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const executable = platformPath(platform);
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const path = join(env.ELECTRON_OVERRIDE_DIST_PATH, executable);
    return { version, path, installed: existsSync(path) };
  }
  const path = join(dir, 'dist', executable);
  const installed =
    existsSync(path) &&
    readText(join(dir, 'dist', 'version'))
      ?.replace(/^v/, '')
      .trim() === version &&
    readText(join(dir, 'path.txt')) === executable;
  return { version, path, installed };
}

/** @electron/get's cache (env-paths 'electron'), where a downloaded zip is kept. */
function cacheRoot(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (env.electron_config_cache) return env.electron_config_cache;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'electron');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'electron', 'Cache');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'electron');
}

/** Whether @electron/get's cache holds this version's zip (install.js then needs no network). */
export function isZipCached(
  version: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): boolean {
  const root = cacheRoot(env, platform);
  const zip = `electron-v${version}-${platform}-${arch}.zip`;
  try {
    return readdirSync(root).some((entry) => existsSync(join(root, entry, zip)));
  } catch {
    return false;
  }
}

/** One of @electron/get's mirror settings: .npmrc (electron_*), then the environment (ELECTRON_*). */
function mirrorVar(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const snake = name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return (
    env[`npm_config_electron_${name.toLowerCase()}`] ||
    env[`NPM_CONFIG_ELECTRON_${snake.toUpperCase()}`] ||
    env[`npm_config_electron_${snake}`] ||
    env[`ELECTRON_${snake.toUpperCase()}`] ||
    fallback
  );
}

/** The URL install.js downloads this version's zip from (@electron/get's getArtifactRemoteURL). */
export function downloadUrl(
  version: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: string = process.platform,
  arch: string = process.arch,
): string {
  const tag = `v${version.replace(/^v/, '')}`;
  const base = mirrorVar(env, 'mirror', 'https://github.com/electron/electron/releases/download/');
  const dir = mirrorVar(env, 'customDir', tag).replace('{{ version }}', tag.slice(1));
  const file = mirrorVar(env, 'customFilename', `electron-${tag}-${platform}-${arch}.zip`);
  return `${base}${dir}/${file}`;
}

/**
 * Whether `url` answers a HEAD request (2xx, or a redirect to the real file) within `timeoutMs`. A
 * TCP connect is not enough: some networks accept every connection and then answer nothing.
 */
export async function canDownload(url: string, timeoutMs = 5000): Promise<boolean> {
  try {
    const response = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    return response.status < 400;
  } catch {
    return false;
  }
}

/**
 * Installs the binary with the package's own install.js when that can work: the zip is cached, or its
 * download URL answers a HEAD request within 5 s. Returns the binary as it is afterwards; never hangs
 * on a machine without network (the probe is bounded; a download that started is given 10 minutes).
 */
export async function ensureElectron(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ElectronBinary & { tried: 'cached' | 'download' | 'unreachable' | null; url: string }> {
  const binary = locateElectron(root, env);
  const url = downloadUrl(binary.version, env);
  if (binary.installed || env.ELECTRON_OVERRIDE_DIST_PATH) return { ...binary, tried: null, url };
  const cached = isZipCached(binary.version, env);
  if (!cached && !(await canDownload(url))) return { ...binary, tried: 'unreachable', url };
  if (!cached)
    process.stderr.write(`ferry: downloading the Electron ${binary.version} binary (once, about 100 MB) from ${new URL(url).host}...\n`);
  spawnSync(process.execPath, [join(root, 'node_modules', 'electron', 'install.js')], {
    cwd: root,
    stdio: 'inherit',
    env,
    timeout: 10 * 60_000,
  });
  return { ...locateElectron(root, env), tried: cached ? 'cached' : 'download', url };
}
