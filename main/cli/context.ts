/** What every CLI command needs: the I/O streams, the data directory, and openers for the registry and the engine. */
import { Engine, type EngineOptions } from '../engine/engine.ts';
import { EndpointRegistry } from '../endpoints/registry.ts';
import { defaultVault } from '../endpoints/vault.ts';
import { FerryError } from '../../shared/errors.ts';
import type { Job } from '../../shared/job.ts';
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

/** Finds jobs by full id or a unique prefix of at least 4 characters. */
export function findJobs(jobs: readonly Job[], ids: readonly string[]): Job[] {
  return ids.map((id) => {
    const exact = jobs.find((job) => job.id === id);
    if (exact) return exact;
    const matches = id.length >= 4 ? jobs.filter((job) => job.id.startsWith(id)) : [];
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new FerryError('INVALID_INPUT', `The job id "${id}" is ambiguous: give more characters.`);
    throw new FerryError('JOB_NOT_FOUND', `No job with id "${id}". List jobs with: ferry jobs`);
  });
}

