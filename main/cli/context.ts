/** What every CLI command needs: the I/O streams, the data directory, and openers for the registry and the engine. */
import type { Engine, EngineOptions } from '../engine/engine.ts';
import { serveControl } from '../engine/control.ts';
import { EndpointRegistry } from '../endpoints/registry.ts';
import { hostVaults } from '../endpoints/keychain.ts';
import { line, type Io } from './output.ts';

export interface Context {
  io: Io;
  dataDir: string;
}

export function openRegistry(ctx: Context): EndpointRegistry {
  return new EndpointRegistry({ dataDir: ctx.dataDir, ...hostVaults(ctx.dataDir, ctx.io.env) });
}

/** The engine on the data directory (loaded only by the commands that upload: `ferry jobs` does not need the SDK). */
export async function openEngine(ctx: Context, registry: EndpointRegistry, options: Partial<EngineOptions> = {}): Promise<Engine> {
  const { Engine } = await import('../engine/engine.ts');
  return Engine.open({ dataDir: ctx.dataDir, endpoints: registry, autoStart: false, vault: registry.vault, ...options });
}

/**
 * Lets `ferry pause|resume|abort|retry` in another terminal reach this process's engine while it
 * uploads (main/engine/control.ts). A failure to listen is said on stderr, never swallowed; the
 * upload goes on without the channel. Returns the closer (before the engine closes).
 */
export async function listenForCommands(ctx: Context, engine: Engine): Promise<() => Promise<void>> {
  try {
    const server = await serveControl(engine.dataDir, (action, ids) => engine.command(action, ids), {
      env: ctx.io.env,
      onLimit: (bytesPerSecond) => engine.setBandwidthLimit(bytesPerSecond),
    });
    return () => server.close();
  } catch (error) {
    line(ctx.io.stderr, `warning: ${(error as Error).message}`);
    return async () => undefined;
  }
}
