/** `ferry endpoint add | edit | list | test | remove`. */
import { resolve } from 'node:path';
import { EndpointRegistry, type EndpointSummary } from '../../endpoints/registry.ts';
import { sendControl } from '../../engine/control.ts';
import { JobStore } from '../../store/jobStore.ts';
import { EngineLockedError, FerryError } from '../../../shared/errors.ts';
import { isFinal, type Job } from '../../../shared/job.ts';
import { probeEndpoint } from '../../endpoints/probe.ts';
import { describeIntegrity } from '../../engine/integrityProbe.ts';
import { describePartCheck } from '../../engine/partCheck.ts';
import type { ChecksumPolicy } from '../../../shared/endpoint.ts';
import type { CredentialInput, EndpointInput } from '../../../shared/endpointInput.ts';
import { openEngine, openRegistry, type Context } from '../context.ts';
import { EXIT, UsageError, line, table } from '../output.ts';
import { readSecret } from '../secret.ts';
import { ENDPOINT_DEFAULT_NAMES, type EndpointDefaults } from '../../../shared/uploadOptions.ts';

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

/** The --default-* flags given, as endpoint defaults (checked by the registry's schema). */
function givenDefaults(options: AddOptions): EndpointDefaults {
  const defaults = {
    storageClass: options.defaultStorageClass,
    sse: options.defaultSse,
    sseKmsKeyId: options.defaultSseKmsKeyId,
    acl: options.defaultAcl,
    cacheControl: options.defaultCacheControl,
    ifExists: options.defaultIfExists,
  };
  return Object.fromEntries(Object.entries(defaults).filter(([, value]) => value !== undefined)) as EndpointDefaults;
}

/** Defaults that an upload could not use as they are: a KMS key id without aws:kms. */
function checkDefaults(defaults: EndpointDefaults): void {
  if (defaults.sseKmsKeyId !== undefined && defaults.sse !== 'aws:kms')
    throw new UsageError('--default-sse-kms-key-id needs --default-sse aws:kms (given or kept).');
}

function defaultsOf(options: AddOptions): EndpointInput['defaults'] {
  const given = givenDefaults(options);
  checkDefaults(given);
  return Object.keys(given).length > 0 ? given : undefined;
}

/** `--clear-default NAME`: the flag's name without `--default-`, e.g. storage-class; `all` clears every one. */
const CLEARABLE: Record<string, readonly (keyof EndpointDefaults)[]> = {
  'storage-class': ['storageClass'],
  sse: ['sse', 'sseKmsKeyId'],
  'sse-kms-key-id': ['sseKmsKeyId'],
  acl: ['acl'],
  'cache-control': ['cacheControl'],
  'if-exists': ['ifExists'],
  all: ENDPOINT_DEFAULT_NAMES,
};

/**
 * The endpoint's defaults after an edit: the current ones, without those cleared, with those given
 * (a default both cleared and given is refused: say one).
 */
function editedDefaults(current: EndpointDefaults | undefined, options: EditOptions): EndpointDefaults | undefined {
  const given = givenDefaults(options);
  const clear = options.clearDefault ?? [];
  if (clear.length === 0 && Object.keys(given).length === 0) return undefined;
  const next: EndpointDefaults = { ...current };
  for (const name of clear) {
    const fields = CLEARABLE[name];
    if (!fields) throw new UsageError(`--clear-default takes ${Object.keys(CLEARABLE).join(', ')}, not "${name}".`);
    for (const field of fields) {
      if (given[field] !== undefined && name !== 'all' && fields.length === 1)
        throw new UsageError(`--clear-default ${name} and --default-${name} contradict each other: give one.`);
      delete next[field];
    }
  }
  Object.assign(next, given);
  checkDefaults(next);
  return next;
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
      if (result.integrity && result.partCheck) {
        line(
          ctx.io.stdout,
          `    the server validates ${describeIntegrity(result.integrity)}; every part will carry ${describePartCheck(result.partCheck)}.`,
        );
      }
    } else {
      line(ctx.io.stderr, `FAILED  ${endpoint.name} (${endpoint.url}): ${result.error?.message}`);
    }
    for (const warning of result.warnings) line(ctx.io.stderr, `warning: ${warning}`);
    return result.ok ? EXIT.ok : EXIT.failed;
  } finally {
    registry.close();
  }
}

export interface EditOptions extends Omit<AddOptions, 'replace'> {
  /** A new name. */
  name?: string;
  /** `--clear-default NAME` (repeatable): upload defaults to remove (storage-class, sse, ..., all). */
  clearDefault?: string[];
}

/**
 * `ferry endpoint edit NAME [--name NEW] [--url URL] [--region R] [--path-style | --virtual-hosted]
 * [--checksums P] [--access-key-id ID] [--secret-stdin] [--aws-profile P] [--default-* V]
 * [--clear-default NAME]`: changes what is given, keeps the rest (the stored secret and the upload
 * defaults not named included). The endpoint keeps its id, so its jobs keep working
 * (issue #11, defect 11: credentials rotate without stranding jobs). A new URL needs the credential
 * again: a secret is only ever sent to the URL it was given for.
 */
export async function endpointEdit(ctx: Context, name: string, options: EditOptions): Promise<number> {
  if (options.pathStyle && options.virtualHosted) throw new UsageError('Choose one of --path-style and --virtual-hosted.');
  if (options.awsProfile && (options.accessKeyId || options.secretStdin)) {
    throw new UsageError('Choose one of --access-key-id/--secret-stdin and --aws-profile.');
  }
  if (options.checksums !== undefined && options.checksums !== 'when-supported' && options.checksums !== 'when-required') {
    throw new UsageError(`--checksums must be when-supported or when-required, not "${options.checksums}".`);
  }
  const registry = openRegistry(ctx);
  try {
    const current = registry.get(name);
    let credential: CredentialInput | undefined;
    if (options.awsProfile) credential = { kind: 'aws-profile', profile: options.awsProfile };
    else if (options.accessKeyId || options.secretStdin) {
      const accessKeyId = options.accessKeyId ?? (current.credential.kind === 'static' ? current.credential.accessKeyId : undefined);
      if (!accessKeyId) throw new UsageError(`"${current.name}" uses an AWS profile: give --access-key-id with the secret.`);
      credential = { kind: 'static', accessKeyId, secretAccessKey: await readSecret(ctx.io, options.secretStdin === true) };
    }
    const defaults = editedDefaults(current.defaults, options);
    const changes = [
      options.name,
      options.url,
      options.region,
      options.pathStyle,
      options.virtualHosted,
      options.checksums,
      credential,
      defaults,
    ].filter((value) => value !== undefined);
    if (changes.length === 0) {
      throw new UsageError(
        'Nothing to change: give --url, --region, --path-style, --virtual-hosted, --checksums, --name, new credentials (--access-key-id, --secret-stdin, --aws-profile), or upload defaults (--default-storage-class ..., --clear-default NAME).',
      );
    }
    if (options.url !== undefined && options.url !== current.url && credential === undefined && current.credential.kind === 'static') {
      throw new UsageError(
        `Changing the URL of "${current.name}" needs its credentials again (a secret is only sent to the URL it was given for): add --secret-stdin (and --access-key-id if it changed).`,
      );
    }
    const endpoint = registry.update(current.id, {
      name: options.name ?? current.name,
      url: options.url,
      region: options.region ?? current.region,
      addressing: options.pathStyle ? 'path' : options.virtualHosted ? 'virtual' : current.addressing,
      checksums: (options.checksums as ChecksumPolicy | undefined) ?? current.checksums,
      defaults: defaults ?? current.defaults ?? {},
      credential,
    });
    line(ctx.io.stdout, `Changed endpoint "${endpoint.name}": ${describe(endpoint)}.`);
    line(
      ctx.io.stdout,
      `Its uploads use the new settings from their next request. Check it with: ferry endpoint test ${JSON.stringify(endpoint.name)}`,
    );
    if (registry.vaultWarning) line(ctx.io.stderr, `warning: ${registry.vaultWarning}`);
    return EXIT.ok;
  } finally {
    registry.close();
  }
}

/**
 * `ferry endpoint remove NAME [--force]`. An endpoint that unfinished uploads use is kept unless
 * `--force`, which aborts those uploads first (their parts are deleted from the server, in the
 * process that owns the data directory if one runs) and says so.
 */
export async function endpointRemove(ctx: Context, name: string, options: { force?: boolean } = {}): Promise<number> {
  const registry = openRegistry(ctx);
  try {
    const endpoint = registry.get(name);
    const live = liveJobs(ctx, endpoint.id);
    if (live.length > 0 && !options.force) {
      const n = live.length;
      throw new UsageError(
        `${n} unfinished upload${n === 1 ? ' uses' : 's use'} "${endpoint.name}" (${describeStates(live)}). Finish or abort ${n === 1 ? 'it' : 'them'} first, change the endpoint with ferry endpoint edit, or remove it with --force, which aborts ${n === 1 ? 'it' : 'them'} and deletes ${n === 1 ? 'its' : 'their'} parts from the server.`,
      );
    }
    if (live.length > 0)
      await abortJobs(
        ctx,
        registry,
        live.map((job) => job.id),
      );
    registry.remove(endpoint.id);
    const n = live.length;
    line(
      ctx.io.stdout,
      n === 0
        ? `Removed endpoint "${endpoint.name}".`
        : `Removed endpoint "${endpoint.name}"; its ${n} unfinished upload${n === 1 ? ' was' : 's were'} aborted and ${n === 1 ? 'its' : 'their'} parts deleted from the server.`,
    );
    return EXIT.ok;
  } finally {
    registry.close();
  }
}

/** Jobs of the endpoint that are not completed or aborted. */
function liveJobs(ctx: Context, endpointId: string): Job[] {
  const store = JobStore.open(ctx.dataDir);
  try {
    return store.loadJobs().filter((job) => job.endpointId === endpointId && !isFinal(job.state));
  } finally {
    store.close();
  }
}

function describeStates(jobs: readonly Job[]): string {
  const counts = new Map<string, number>();
  for (const job of jobs) counts.set(job.state, (counts.get(job.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
}

/** Aborts jobs here, or in the process that owns the data directory (through the control channel). */
async function abortJobs(ctx: Context, registry: EndpointRegistry, ids: string[]): Promise<void> {
  let engine;
  try {
    engine = await openEngine(ctx, registry);
  } catch (error) {
    if (!(error instanceof EngineLockedError)) throw error;
    try {
      await sendControl(ctx.dataDir, 'abort', ids);
    } catch (sendError) {
      if (sendError instanceof FerryError && sendError.code === 'ENGINE_LOCKED') throw error;
      throw sendError;
    }
    return;
  }
  try {
    await engine.abort(ids);
  } finally {
    await engine.close();
  }
}
