/** What every CLI command needs: the I/O streams, the data directory, and openers for the registry and the engine. */
import { Engine, type EngineOptions } from '../engine/engine.ts';
import { EndpointRegistry } from '../endpoints/registry.ts';
import { defaultVault } from '../endpoints/vault.ts';
import type { Io } from './output.ts';

export interface Context {
  io: Io;
  dataDir: string;
}

export function openRegistry(ctx: Context): EndpointRegistry {
  return new EndpointRegistry({ dataDir: ctx.dataDir, vault: defaultVault(ctx.dataDir, ctx.io.env) });
}

export function openEngine(ctx: Context, registry: EndpointRegistry, options: Partial<EngineOptions> = {}): Promise<Engine> {
  return Engine.open({ dataDir: ctx.dataDir, endpoints: registry, autoStart: false, ...options });
}
