/** `ferry serve [--port N] [--open]`: the window in a browser, served on 127.0.0.1 with a per-run token. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HostService } from '../../host/service.ts';
import { hostVaults } from '../../endpoints/keychain.ts';
import { startWebHost } from '../../web/server.ts';
import { FerryError } from '../../../shared/errors.ts';
import type { Context } from '../context.ts';
import { EXIT, UsageError, line } from '../output.ts';
import { VERSION } from '../../host/version.ts';

export const RENDERER_DIR = fileURLToPath(new URL('../../../dist/renderer', import.meta.url));

/** Opens `url` in the system's browser, if it has one; false otherwise. */
export function openInBrowser(url: string): Promise<boolean> {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  return new Promise((resolve) => {
    try {
      const child = spawn(command, [url], { stdio: 'ignore', detached: true });
      child.on('error', () => resolve(false));
      child.on('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
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
  let host;
  try {
    host = await startWebHost({ service, rendererDir: RENDERER_DIR, port });
  } catch (error) {
    await service.close();
    if ((error as { code?: string }).code === 'EADDRINUSE')
      throw new UsageError(`Port ${port} is in use: choose another with --port, or leave it out.`);
    throw error;
  }
  line(ctx.io.stdout, `Ferry is running at ${host.url}`);
  line(
    ctx.io.stderr,
    'Open that address in a browser on this computer (it carries a one-time token). Ctrl-C stops Ferry; uploads resume at the next start.',
  );
  if (options.open && !(await openInBrowser(host.url))) line(ctx.io.stderr, 'No browser could be opened here: open the address yourself.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  line(ctx.io.stderr, 'Stopping: running uploads are interrupted and resume at the next start...');
  await host.close();
  await service.close();
  return EXIT.ok;
}
