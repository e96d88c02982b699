/** `ferry endpoint add | list | test | remove`. */
import { resolve } from 'node:path';
import { EndpointRegistry, type EndpointSummary } from '../../endpoints/registry.ts';
import { probeEndpoint } from '../../endpoints/probe.ts';
import type { ChecksumPolicy } from '../../../shared/endpoint.ts';
import type { CredentialInput, EndpointInput } from '../../../shared/endpointInput.ts';
import { openRegistry, type Context } from '../context.ts';
import { EXIT, UsageError, line, table } from '../output.ts';
import { readSecret } from '../secret.ts';

export interface AddOptions {
  url?: string;
  region?: string;
  pathStyle?: boolean;
  virtualHosted?: boolean;
  checksums?: string;
  accessKeyId?: string;
  secretStdin?: boolean;
  awsProfile?: string;
  caFile?: string;
  replace?: boolean;
  defaultStorageClass?: string;
  defaultSse?: string;
  defaultSseKmsKeyId?: string;
  defaultAcl?: string;
  defaultCacheControl?: string;
  defaultIfExists?: string;
}

/** The --default-* flags as endpoint defaults (checked by the registry's schema). */
function defaultsOf(options: AddOptions): EndpointInput['defaults'] {
  const defaults = {
    storageClass: options.defaultStorageClass,
    sse: options.defaultSse,
    sseKmsKeyId: options.defaultSseKmsKeyId,
    acl: options.defaultAcl,
    cacheControl: options.defaultCacheControl,
    ifExists: options.defaultIfExists,
  };
  const given = Object.fromEntries(Object.entries(defaults).filter(([, value]) => value !== undefined));
  return Object.keys(given).length > 0 ? (given as EndpointInput['defaults']) : undefined;
}

function describe(endpoint: EndpointSummary): string {
  const who =
    endpoint.credential.kind === 'static' ? `key ${endpoint.credential.accessKeyId}` : `AWS profile "${endpoint.credential.profile}"`;
  const defaults = Object.entries(endpoint.defaults ?? {}).map(([key, value]) => `${key} ${String(value)}`);
  return `${endpoint.url}, region ${endpoint.region}, ${endpoint.addressing === 'path' ? 'path style' : 'virtual-hosted style'}, checksums ${endpoint.checksums.replace('-', ' ')}, ${who}${endpoint.caFile ? `, CA file ${endpoint.caFile}` : ''}${defaults.length > 0 ? `, defaults: ${defaults.join(', ')}` : ''}`;
}

export async function endpointAdd(ctx: Context, name: string, options: AddOptions): Promise<number> {
  if (options.pathStyle && options.virtualHosted) throw new UsageError('Choose one of --path-style and --virtual-hosted.');
  if (options.awsProfile && options.accessKeyId) throw new UsageError('Choose one of --access-key-id and --aws-profile.');
  if (!options.awsProfile && !options.accessKeyId) {
    throw new UsageError(
      'Give credentials: --access-key-id ID (secret from --secret-stdin or FERRY_SECRET_ACCESS_KEY), or --aws-profile PROFILE.',
    );
  }
  if (options.checksums !== undefined && options.checksums !== 'when-supported' && options.checksums !== 'when-required') {
    throw new UsageError(`--checksums must be when-supported or when-required, not "${options.checksums}".`);
  }
  const credential: CredentialInput = options.awsProfile
    ? { kind: 'aws-profile', profile: options.awsProfile }
    : { kind: 'static', accessKeyId: options.accessKeyId!, secretAccessKey: await readSecret(ctx.io, options.secretStdin === true) };
  const registry = openRegistry(ctx);
  try {
    const endpoint = registry.add(
      {
        name,
        url: options.url,
        region: options.region,
        addressing: options.pathStyle ? 'path' : options.virtualHosted ? 'virtual' : undefined,
        checksums: options.checksums as ChecksumPolicy | undefined,
        defaults: defaultsOf(options),
        ...(options.caFile !== undefined ? { caFile: resolve(options.caFile) } : {}),
        credential,
      },
      { replace: options.replace === true },
    );
    line(ctx.io.stdout, `Added endpoint "${endpoint.name}": ${describe(endpoint)}.`);
    line(ctx.io.stdout, `Check it with: ferry endpoint test ${JSON.stringify(endpoint.name)}`);
    for (const warning of EndpointRegistry.warnings(endpoint)) line(ctx.io.stderr, `warning: ${warning}`);
    if (registry.vaultWarning) line(ctx.io.stderr, `warning: ${registry.vaultWarning}`);
    return EXIT.ok;
  } finally {
    registry.close();
  }
}

export function endpointList(ctx: Context, options: { json?: boolean }): number {
  const registry = openRegistry(ctx);
  try {
    const endpoints = registry.list();
    if (options.json) {
      line(
        ctx.io.stdout,
        JSON.stringify(
          endpoints.map(({ createdAt: _createdAt, ...endpoint }) => endpoint),
          null,
          2,
        ),
      );
    } else if (endpoints.length === 0) {
      line(ctx.io.stdout, 'No endpoints yet. Add one with: ferry endpoint add NAME --url URL --access-key-id ID --secret-stdin');
    } else {
      line(
        ctx.io.stdout,
        table([
          ['NAME', 'URL', 'REGION', 'STYLE', 'CHECKSUMS', 'CREDENTIALS'],
          ...endpoints.map((e) => [
            e.name,
            e.url,
            e.region,
            e.addressing,
            e.checksums,
            e.credential.kind === 'static' ? `key ${e.credential.accessKeyId}` : `aws profile ${e.credential.profile}`,
          ]),
        ]),
      );
    }
    return EXIT.ok;
  } finally {
    registry.close();
  }
}

export async function endpointTest(ctx: Context, name: string, options: { bucket?: string; json?: boolean }): Promise<number> {
  const registry = openRegistry(ctx);
  try {
    const endpoint = registry.get(name);
    const result = await probeEndpoint(registry, endpoint.id, { bucket: options.bucket });
    if (options.json) {
      line(ctx.io.stdout, JSON.stringify(result, null, 2));
    } else if (result.ok) {
      const parts = [`reachable in ${result.latencyMs} ms`, 'credentials accepted'];
      if (result.buckets) parts.push(`${result.buckets.length} bucket${result.buckets.length === 1 ? '' : 's'}`);
      if (options.bucket) parts.push(`bucket "${options.bucket}" found`);
      if (result.clockOffsetMs !== null) {
        // the Date header has 1 s resolution: under 2 s is "in sync"
        const seconds = Math.round(result.clockOffsetMs / 1000);
        parts.push(
          Math.abs(result.clockOffsetMs) < 2000
            ? 'clock in sync'
            : `server clock ${seconds > 0 ? '+' : ''}${seconds} s from this computer's`,
        );
      }
      line(ctx.io.stdout, `OK  ${endpoint.name} (${endpoint.url}): ${parts.join(', ')}.`);
    } else {
      line(ctx.io.stderr, `FAILED  ${endpoint.name} (${endpoint.url}): ${result.error?.message}`);
    }
    for (const warning of result.warnings) line(ctx.io.stderr, `warning: ${warning}`);
    return result.ok ? EXIT.ok : EXIT.failed;
  } finally {
    registry.close();
  }
}

export function endpointRemove(ctx: Context, name: string): number {
  const registry = openRegistry(ctx);
  try {
    const endpoint = registry.get(name);
    registry.remove(endpoint.id);
    line(ctx.io.stdout, `Removed endpoint "${endpoint.name}".`);
    return EXIT.ok;
  } finally {
    registry.close();
  }
}
