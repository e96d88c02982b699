/**
 * The endpoint registry: endpoints in the store, their secrets sealed by the vault, and the
 * engine's EndpointResolver. Static keys are decrypted only when a client is built; an AWS profile
 * is referenced by name and resolved by the SDK's providers (SSO and credential_process included),
 * never copied.
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import type { EndpointIntegrity, EndpointProfile } from '../../shared/endpoint.ts';
import type { ServerKind } from '../../shared/serverKind.ts';
import {
  endpointInputSchema,
  firstIssue,
  plainHttpWarning,
  urlOrigin,
  type CredentialSummary,
  type EndpointInput,
} from '../../shared/endpointInput.ts';
import { FerryError } from '../../shared/errors.ts';
import { defaultAddressing, presetForUrl } from '../../shared/presets.ts';
import type { Credentials, EndpointResolver } from '../engine/engine.ts';
import { inTransaction, openDatabase } from '../store/database.ts';
import { readFileSync } from 'node:fs';
import { FileKeyVault, isUnbound, openSealed, sealedKind, type SecretVault } from './vault.ts';

type StoredCredential = { kind: 'static'; accessKeyId: string; sealedSecret: string } | { kind: 'aws-profile'; profile: string };

/** An endpoint as every host may show it: its profile and a credential summary, no secret. */
export interface EndpointSummary extends EndpointProfile {
  credential: CredentialSummary;
  createdAt: number;
}

interface Row {
  id: string;
  name: string;
  profile: string;
  credential: string;
  created_at: number;
}

export class EndpointRegistry implements EndpointResolver {
  readonly #db: DatabaseSync;
  readonly #vault: SecretVault;
  readonly #openers: SecretVault[];
  readonly #ownsDb: boolean;

  /**
   * @param vault seals new secrets (see vault.ts); `extraVaults` may open secrets sealed elsewhere.
   */
  constructor(options: { dataDir: string; vault: SecretVault; extraVaults?: SecretVault[]; db?: DatabaseSync }) {
    this.#db = options.db ?? openDatabase(options.dataDir);
    this.#ownsDb = options.db === undefined;
    this.#vault = options.vault;
    this.#openers = [options.vault, ...(options.extraVaults ?? [])];
    const fileKey = this.#openers.find((v): v is FileKeyVault => v instanceof FileKeyVault) ?? new FileKeyVault(options.dataDir);
    if (!this.#openers.includes(fileKey)) this.#openers.push(fileKey);
    this.#reseal(fileKey);
  }

  /**
   * Brings stored secrets up to date, once: an unbound secret (stored before secrets were bound to
   * their endpoint) is sealed again bound to the endpoint's current origin; where new secrets go to
   * FERRY_PASSPHRASE or the OS keychain, secrets in the key file move there, and `secret.key` is
   * deleted once no secret needs it. A secret that cannot be opened here stays as it is.
   */
  #reseal(fileKey: FileKeyVault): void {
    const rows = this.#db.prepare('SELECT id, profile, credential FROM endpoints').all() as unknown as Pick<
      Row,
      'id' | 'profile' | 'credential'
    >[];
    const moveFromKeyFile = this.#vault.kind === 'passphrase' || this.#vault.kind === 'keychain';
    let keyFileNeeded = false;
    for (const row of rows) {
      const stored = JSON.parse(row.credential) as StoredCredential;
      if (stored.kind !== 'static') continue;
      const fromKeyFile = sealedKind(stored.sealedSecret) === 'file-key';
      if (!isUnbound(stored.sealedSecret) && !(fromKeyFile && moveFromKeyFile)) {
        keyFileNeeded ||= fromKeyFile;
        continue;
      }
      const bind = urlOrigin((JSON.parse(row.profile) as EndpointProfile).url);
      try {
        const plain = openSealed(stored.sealedSecret, this.#openers, isUnbound(stored.sealedSecret) ? null : bind);
        const vault = fromKeyFile && moveFromKeyFile ? this.#vault : this.#openers.find((v) => v.kind === sealedKind(stored.sealedSecret))!;
        const sealedSecret = vault.seal(plain, bind);
        this.#db
          .prepare('UPDATE endpoints SET credential = ? WHERE id = ? AND credential = ?')
          .run(JSON.stringify({ ...stored, sealedSecret }), row.id, row.credential);
        keyFileNeeded ||= vault.kind === 'file-key';
      } catch {
        keyFileNeeded ||= fromKeyFile;
      }
    }
    if (moveFromKeyFile && !keyFileNeeded) fileKey.remove();
  }

  /** The vault new secrets are sealed with (the engine seals jobs' SSE-C keys with it too). */
  get vault(): SecretVault {
    return this.#vault;
  }

  get vaultWarning(): string | null {
    return this.#vault.warning;
  }

  list(): EndpointSummary[] {
    const rows = this.#db
      .prepare('SELECT id, name, profile, credential, created_at FROM endpoints ORDER BY name')
      .all() as unknown as Row[];
    return rows.map(toSummary);
  }

  /** The endpoint named `nameOrId` (names are case-insensitive), or ENDPOINT_NOT_FOUND in words. */
  get(nameOrId: string): EndpointSummary {
    const row = this.#row(nameOrId);
    return toSummary(row);
  }

  /**
   * Adds an endpoint, or replaces one of the same name if `replace`. Fills region, addressing and
   * checksum policy from the provider the URL belongs to, where the input leaves them out.
   */
  add(input: EndpointInput, options: { replace?: boolean } = {}): EndpointSummary {
    const { name, profile, credential } = this.#build(input);
    const existing = this.#find(name);
    if (existing && !options.replace) {
      throw new FerryError(
        'INVALID_INPUT',
        `An endpoint named "${existing.name}" exists already: remove it first, or choose another name.`,
      );
    }
    const now = Date.now();
    const id = existing?.id ?? randomUUID();
    inTransaction(this.#db, () => {
      if (existing) this.#db.prepare('DELETE FROM endpoints WHERE id = ?').run(existing.id);
      this.#db
        .prepare('INSERT INTO endpoints (id, name, profile, credential, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(id, name, JSON.stringify(profile), JSON.stringify(credential), existing?.created_at ?? now, now);
    });
    if (existing) this.#forget(existing.credential);
    return this.get(id);
  }

  /**
   * Changes an endpoint's name, URL, region, addressing, checksum policy or CA file; replaces its
   * credential only when one is given (an edit form leaves the secret empty to keep the stored one).
   * Pointing the endpoint elsewhere (another scheme, host or port) needs the credential again: the
   * stored one was given for the old server, and is bound to it.
   */
  update(id: string, edit: Omit<EndpointInput, 'credential'> & { credential?: EndpointInput['credential'] }): EndpointSummary {
    const row = this.#row(id);
    const current = toSummary(row);
    const url = edit.url ?? current.url;
    if (!edit.credential && sameOrigin(url, current.url) === false) {
      throw new FerryError(
        'INVALID_INPUT',
        `Pointing "${current.name}" from ${urlOrigin(current.url)} to another server needs its credential again: ${
          current.credential.kind === 'static' ? 'give the secret access key' : 'give the AWS profile'
        } with the new URL.`,
      );
    }
    const placeholder = { kind: 'aws-profile' as const, profile: 'unchanged' };
    const { name, profile, credential } = this.#build({
      ...edit,
      url,
      defaults: edit.defaults ?? current.defaults,
      credential: edit.credential ?? placeholder,
    });
    const other = this.#find(name);
    if (other && other.id !== row.id) throw new FerryError('INVALID_INPUT', `An endpoint named "${other.name}" exists already.`);
    // the server it runs stays known while it is the same server (an edit of the region or the key)
    if (current.server !== undefined && sameOrigin(url, current.url) === true) profile.server = current.server;
    const storedCredential = edit.credential ? JSON.stringify(credential) : row.credential;
    this.#db
      .prepare('UPDATE endpoints SET name = ?, profile = ?, credential = ?, updated_at = ? WHERE id = ?')
      .run(name, JSON.stringify(profile), storedCredential, Date.now(), row.id);
    if (edit.credential) this.#forget(row.credential);
    return this.get(row.id);
  }

  /**
   * Records the server an endpoint's answers came from (the endpoint test sees it): the window names
   * it. Returns whether that changed anything.
   */
  recordServer(id: string, server: ServerKind): boolean {
    const row = this.#row(id);
    const profile = JSON.parse(row.profile) as Omit<EndpointProfile, 'id' | 'name'>;
    if (profile.server === server) return false;
    this.#db
      .prepare('UPDATE endpoints SET profile = ? WHERE id = ? AND profile = ?')
      .run(JSON.stringify({ ...profile, server }), row.id, row.profile);
    return true;
  }

  /** Removes what a replaced or removed credential keeps outside the store (its keychain entry). */
  #forget(credentialJson: string): void {
    const stored = JSON.parse(credentialJson) as StoredCredential;
    if (stored.kind !== 'static') return;
    this.#openers.find((v) => v.kind === sealedKind(stored.sealedSecret))?.forget?.(stored.sealedSecret);
  }

  /** Validates input (zod) and turns it into what is stored: the profile, and the credential with its secret sealed. */
  #build(input: EndpointInput): { name: string; profile: Omit<EndpointProfile, 'id' | 'name'>; credential: StoredCredential } {
    const parsed = endpointInputSchema.safeParse(input);
    if (!parsed.success) throw new FerryError('INVALID_INPUT', firstIssue(parsed.error));
    const value = parsed.data;
    if (value.credential.kind === 'static' && !value.url) {
      throw new FerryError('INVALID_INPUT', 'An endpoint with an access key needs a URL (--url).');
    }
    const url = value.url ?? `https://s3.${value.region ?? 'us-east-1'}.amazonaws.com`;
    const preset = presetForUrl(url);
    const caFile = value.caFile ? checkCaFile(value.caFile) : undefined;
    const profile: Omit<EndpointProfile, 'id' | 'name'> = {
      url,
      region: value.region ?? preset?.region ?? 'us-east-1',
      addressing: value.addressing ?? defaultAddressing(url),
      checksums: value.checksums ?? preset?.checksums ?? 'when-required',
      ...(preset?.maxObjectSize ? { maxObjectSize: preset.maxObjectSize } : {}),
      ...(preset?.minPartSize ? { minPartSize: preset.minPartSize } : {}),
      ...(value.defaults && Object.keys(value.defaults).length > 0 ? { defaults: value.defaults } : {}),
      ...(caFile ? { caFile } : {}),
    };
    const credential: StoredCredential =
      value.credential.kind === 'static'
        ? {
            kind: 'static',
            accessKeyId: value.credential.accessKeyId,
            sealedSecret: this.#vault.seal(value.credential.secretAccessKey, urlOrigin(url)),
          }
        : { kind: 'aws-profile', profile: value.credential.profile };
    return { name: value.name, profile, credential };
  }

  /**
   * Stores what a probe found the endpoint's server to validate (issue #14). An edit of the endpoint
   * rebuilds its profile without it, so that the server it then points to is probed again.
   */
  recordIntegrity(endpointId: string, integrity: EndpointIntegrity): void {
    const row = this.#find(endpointId);
    if (!row) return;
    const profile = JSON.parse(row.profile) as Omit<EndpointProfile, 'id' | 'name'>;
    this.#db
      .prepare('UPDATE endpoints SET profile = ? WHERE id = ? AND profile = ?')
      .run(JSON.stringify({ ...profile, integrity }), row.id, row.profile);
  }

  remove(nameOrId: string): void {
    const row = this.#row(nameOrId);
    this.#db.prepare('DELETE FROM endpoints WHERE id = ?').run(row.id);
    this.#forget(row.credential);
  }

  /** What to tell the user about where this endpoint's requests go: plain http:// to another computer. */
  static warnings(endpoint: Pick<EndpointProfile, 'url'>): string[] {
    const warning = plainHttpWarning(endpoint.url);
    return warning ? [warning] : [];
  }

  /** The engine's resolver: the profile and credentials of an endpoint, by id. */
  async resolve(endpointId: string): Promise<{ profile: EndpointProfile; credentials: Credentials }> {
    const row = this.#row(endpointId);
    const summary = toSummary(row);
    const stored = JSON.parse(row.credential) as StoredCredential;
    const { credential: _credential, createdAt: _createdAt, ...profile } = summary;
    if (stored.kind === 'static') {
      const secretAccessKey = openSealed(
        stored.sealedSecret,
        this.#openers,
        isUnbound(stored.sealedSecret) ? null : urlOrigin(profile.url),
      );
      return { profile, credentials: { accessKeyId: stored.accessKeyId, secretAccessKey } };
    }
    // loaded here, not at start: a command that lists jobs or endpoints never needs the SDK's providers
    const { fromIni } = await import('@aws-sdk/credential-providers');
    return { profile, credentials: fromIni({ profile: stored.profile, ignoreCache: false }) };
  }

  close(): void {
    if (this.#ownsDb) this.#db.close();
  }

  #find(nameOrId: string): Row | undefined {
    return this.#db
      .prepare('SELECT id, name, profile, credential, created_at FROM endpoints WHERE id = ? OR name = ? COLLATE NOCASE')
      .get(nameOrId, nameOrId) as unknown as Row | undefined;
  }

  #row(nameOrId: string): Row {
    const row = this.#find(nameOrId);
    if (!row) {
      const names = this.list().map((e) => e.name);
      throw new FerryError(
        'ENDPOINT_NOT_FOUND',
        `No endpoint named "${nameOrId}". ${names.length ? `Known endpoints: ${names.join(', ')}.` : 'Add one with: ferry endpoint add NAME --url URL --access-key-id ID --secret-stdin'}`,
      );
    }
    return row;
  }
}

/** False when the two URLs point to different servers (scheme, host or port); null when one does not parse. */
function sameOrigin(a: string, b: string): boolean | null {
  try {
    return urlOrigin(a) === urlOrigin(b);
  } catch {
    return null;
  }
}

/** Checks a CA bundle when it is given: an absolute path to a readable PEM file with a certificate. */
function checkCaFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FerryError('INVALID_INPUT', `The CA file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new FerryError('INVALID_INPUT', `The CA file ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  }
  return path;
}

/** A URL without user info: stores written before it was refused may still hold one; it is never shown. */
function withoutUserInfo(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/+$/, '');
  } catch {
    return url;
  }
}

function toSummary(row: Row): EndpointSummary {
  const saved = JSON.parse(row.profile) as Omit<EndpointProfile, 'id' | 'name'>;
  const profile = { ...saved, url: withoutUserInfo(saved.url) };
  const stored = JSON.parse(row.credential) as StoredCredential;
  const credential: CredentialSummary =
    stored.kind === 'static' ? { kind: 'static', accessKeyId: stored.accessKeyId } : { kind: 'aws-profile', profile: stored.profile };
  return { id: row.id, name: row.name, ...profile, credential, createdAt: row.created_at };
}
