/**
 * `ferry serve [--port N] [--open]`: the window in a browser, served on 127.0.0.1. Each printed link
 * opens one window once (main/web/server.ts); Enter in this terminal, or SIGUSR2, prints a new one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HostService } from '../../host/service.ts';
import { hostVaults } from '../../endpoints/keychain.ts';
import { startWebHost } from '../../web/server.ts';
import { FerryError } from '../../../shared/errors.ts';
import type { Context } from '../context.ts';
import { EXIT, UsageError, line } from '../output.ts';
import { VERSION } from '../../engine/version.ts';

export const RENDERER_DIR = fileURLToPath(new URL('../../../dist/renderer', import.meta.url));

/**
 * Opens `url` in the system's browser without putting it in any process's arguments (which every
 * local user can read with ps): the URL goes into an owner-only launcher page in a private
 * directory, and the browser is given that file's path. Returns the directory to remove once the
 * link was used, or null when no browser could be started.
 */
export async function openInBrowser(url: string): Promise<string | null> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-open-'));
  const file = join(dir, 'open-ferry.html');
  const href = url.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  await writeFile(
    file,
    `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer"><meta http-equiv="refresh" content="0;url=${href}"><title>Opening Ferry</title><p><a href="${href}">Open Ferry</a></p>\n`,
    { mode: 0o600, flag: 'wx' },
  );
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const started = await new Promise<boolean>((resolve) => {
    try {
      const child = spawn(command, [file], { stdio: 'ignore', detached: true });
      child.on('error', () => resolve(false));
      child.on('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
  if (started) return dir;
  await rm(dir, { recursive: true, force: true });
  return null;
}

export async function serve(ctx: Context, options: { port?: string; open?: boolean }): Promise<number> {
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not "${options.port}".`);
  if (!existsSync(`${RENDERER_DIR}/index.html`)) {
    throw new FerryError('INVALID_INPUT', 'The window is not built: run `npm run build` (npm ci does it).');
  }
  const service = await HostService.open({
    dataDir: ctx.dataDir,
    ...hostVaults(ctx.dataDir, ctx.io.env),
    host: { kind: 'browser', version: VERSION, canReadPaths: false },
    env: ctx.io.env,
  });
  const orSignal = process.platform === 'win32' ? '' : ` (or run \`kill -USR2 ${process.pid}\`)`;
  const hint = `To get a new link, press Enter in the terminal where \`ferry serve\` runs${orSignal}.`;
  let host;
  try {
    host = await startWebHost({ service, rendererDir: RENDERER_DIR, port, newLinkHint: hint });
  } catch (error) {
    await service.close();
    if ((error as { code?: string }).code === 'EADDRINUSE')
      throw new UsageError(`Port ${port} is in use: choose another with --port, or leave it out.`);
    throw error;
  }
  const first = host.newLink();
  line(ctx.io.stdout, `Ferry is running at ${first.url}`);
  line(
    ctx.io.stderr,
    `Open that address in a browser on this computer: it opens one window, once. For another window press Enter here${orSignal} and a new link is printed. Ctrl-C stops Ferry; uploads resume at the next start.`,
  );
  const launchers = new Set<string>();
  if (options.open) {
    const launcher = await openInBrowser(first.url);
    if (launcher === null) line(ctx.io.stderr, 'No browser could be opened here: open the address yourself.');
    else {
      launchers.add(launcher);
      void first.used.then(() => rm(launcher, { recursive: true, force: true }).then(() => launchers.delete(launcher)));
    }
  }
  const printNewLink = () => line(ctx.io.stdout, `New link (opens one window, once): ${host.newLink().url}`);
  // a line on standard input (Enter in the terminal) asks for a new link; no raw mode, so Ctrl-C stays SIGINT
  const input = createInterface({ input: ctx.io.stdin, terminal: false });
  input.on('line', printNewLink);
  const usr2 = process.platform !== 'win32';
  if (usr2) process.on('SIGUSR2', printNewLink);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (usr2) process.off('SIGUSR2', printNewLink);
  input.close();
  for (const launcher of launchers) await rm(launcher, { recursive: true, force: true });
  line(ctx.io.stderr, 'Stopping: running uploads are interrupted and resume at the next start...');
  await host.close();
  await service.close();
  return EXIT.ok;
}
