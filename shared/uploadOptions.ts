/**
 * Per-upload options (issue #12): what travels with a job's object on CreateMultipartUpload or
 * PutObject (content type, headers, metadata, tags, storage class, ACL, encryption) and what happens
 * when the key exists. Stored with the job, so that a resume after a restart sends the same options.
 *
 * The shape is the CLI contract of `ferry jobs --json` (`options`): it never holds a secret. An SSE-C
 * key is only flagged here (`sseC: true`); the key itself is sealed by the vault beside the job and
 * deleted when the job ends.
 *
 * Limits are S3's (https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-managing.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html): at most 10 tags, a tag key
 * of at most 128 and a value of at most 256 characters; user metadata of at most 2 KB.
 */
import * as z from 'zod';

export const STORAGE_CLASSES = [
  'STANDARD',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
  'GLACIER',
  'DEEP_ARCHIVE',
] as const;

export const CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
] as const;
export type CannedAcl = (typeof CANNED_ACLS)[number];

export const SSE_MODES = ['AES256', 'aws:kms'] as const;
export type SseMode = (typeof SSE_MODES)[number];

/** What to do when an object with the job's key exists: the CLI's modes (`--if-exists`). */
export const IF_EXISTS = ['overwrite', 'skip', 'skip-identical', 'rename', 'fail'] as const;
/**
 * Every mode a job may carry: the CLI's, and the window's default `ask` (the job waits, paused, for
 * the person to answer Replace, Skip or Keep both; shared/existsAnswer.ts). A command line has no one
 * to ask, so `--if-exists` and endpoint defaults take only {@link IF_EXISTS}.
 */
export const JOB_IF_EXISTS = [...IF_EXISTS, 'ask'] as const;
export type IfExists = (typeof JOB_IF_EXISTS)[number];

export const MAX_TAGS = 10;
export const MAX_TAG_KEY = 128;
export const MAX_TAG_VALUE = 256;
export const MAX_METADATA_BYTES = 2048;
/** SigV4 presigned URLs live at most 7 days. */
export const MAX_LINK_SECONDS = 7 * 24 * 3600;

const headerValue = (what: string) =>
  z
    .string()
    .min(1, `${what} is empty.`)
    .max(1024, `${what} is longer than 1024 characters.`)
    // a header value: printable ASCII and tabs, no line breaks
    .regex(/^[\t\x20-\x7e]+$/, `${what} may contain only printable ASCII characters.`);

/** A metadata key: an HTTP header token after `x-amz-meta-` (S3 stores it lower-cased). */
const metadataKey = z
  .string()
  .min(1, 'A metadata key is empty.')
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "A metadata key may contain letters, digits and -_.!#$%&'*+^`|~ (no spaces).");

const tagKey = z
  .string()
  .min(1, 'A tag key is empty.')
  .max(MAX_TAG_KEY, `A tag key is longer than ${MAX_TAG_KEY} characters.`)
  .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, 'A tag key may contain letters, digits, spaces and _ . : / = + - @.');
const tagValue = z
  .string()
  .max(MAX_TAG_VALUE, `A tag value is longer than ${MAX_TAG_VALUE} characters.`)
  .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, 'A tag value may contain letters, digits, spaces and _ . : / = + - @.');
const metadataValue = z.string().regex(/^[\x20-\x7e]*$/, 'A metadata value may contain only printable ASCII characters.');

const metadataRecord = z
  .record(metadataKey, metadataValue)
  .refine(
    (metadata) => Object.entries(metadata).reduce((sum, [k, v]) => sum + k.length + v.length, 0) <= MAX_METADATA_BYTES,
    `The metadata is larger than ${MAX_METADATA_BYTES} bytes (keys and values together).`,
  );
const tagsRecord = z
  .record(tagKey, tagValue)
  .refine((tags) => Object.keys(tags).length <= MAX_TAGS, `More than ${MAX_TAGS} tags: S3 keeps at most ${MAX_TAGS} per object.`);

/**
 * Metadata or tags as key/value pairs (the window's rows, the CLI's repeated flags), checked by the
 * same rules as the options: each pair's problem in words (or null), and the whole set's (too many
 * tags, metadata over 2 KB), or null.
 */
export function keyValueProblems(
  kind: 'metadata' | 'tags',
  pairs: readonly (readonly [string, string])[],
): { each: (string | null)[]; all: string | null } {
  const keySchema = kind === 'metadata' ? metadataKey : tagKey;
  const valueSchema = kind === 'metadata' ? metadataValue : tagValue;
  const seen = new Set<string>();
  const each = pairs.map(([key, value]) => {
    const keyCheck = keySchema.safeParse(key);
    if (!keyCheck.success) return keyCheck.error.issues[0]?.message ?? 'Invalid key.';
    const valueCheck = valueSchema.safeParse(value);
    if (!valueCheck.success) return valueCheck.error.issues[0]?.message ?? 'Invalid value.';
    // S3 keeps metadata keys lower-cased: "Owner" and "owner" are one key
    const name = kind === 'metadata' ? key.toLowerCase() : key;
    if (seen.has(name)) return `The ${kind === 'metadata' ? 'metadata' : 'tag'} key "${key}" is given twice.`;
    seen.add(name);
    return null;
  });
  const whole = (kind === 'metadata' ? metadataRecord : tagsRecord).safeParse(Object.fromEntries(pairs));
  return { each, all: whole.success ? null : optionsIssue(whole.error) };
}

const uploadOptionsFields = z
  .object({
    contentType: headerValue('The content type').optional(),
    cacheControl: headerValue('Cache-Control').optional(),
    contentDisposition: headerValue('Content-Disposition').optional(),
    contentEncoding: headerValue('Content-Encoding').optional(),
    contentLanguage: headerValue('Content-Language').optional(),
    /** Expires, as an ISO 8601 date-time. */
    expires: z
      .string()
      .refine((text) => !Number.isNaN(Date.parse(text)), 'Expires must be a date, e.g. 2030-01-01T00:00:00Z.')
      .optional(),
    metadata: metadataRecord.optional(),
    tags: tagsRecord.optional(),
    /** One of STORAGE_CLASSES, or any name the server accepts (e.g. a Ceph placement's class). */
    storageClass: z
      .string()
      .regex(/^[A-Z0-9_]{1,64}$/, 'A storage class is written in capitals, e.g. STANDARD_IA.')
      .optional(),
    acl: z.enum(CANNED_ACLS, { message: `The ACL must be one of ${CANNED_ACLS.join(', ')}.` }).optional(),
    sse: z.enum(SSE_MODES, { message: 'Server-side encryption must be AES256 or aws:kms.' }).optional(),
    sseKmsKeyId: z.string().min(1).max(2048).optional(),
    /** The object is encrypted with a customer key (SSE-C); the key is kept apart, in the vault. */
    sseC: z.boolean().optional(),
    ifExists: z.enum(JOB_IF_EXISTS, { message: `--if-exists must be one of ${IF_EXISTS.join(', ')}.` }).optional(),
  })
  .strict();

/** `--if-exists` and `--default-if-exists`: the CLI's modes only (no one answers `ask` there). */
const cliIfExists = z.enum(IF_EXISTS, { message: `--if-exists must be one of ${IF_EXISTS.join(', ')}.` }).optional();

export const uploadOptionsSchema = uploadOptionsFields.superRefine((options, context) => {
  if (options.sseKmsKeyId !== undefined && options.sse !== 'aws:kms')
    context.addIssue({ code: 'custom', message: 'A KMS key id needs --sse aws:kms.' });
  if (options.sseC && options.sse !== undefined)
    context.addIssue({ code: 'custom', message: 'SSE-C (a customer key) and --sse cannot be combined.' });
});

export type UploadOptions = z.infer<typeof uploadOptionsSchema>;

/** Per-endpoint defaults (`ferry endpoint add ... --default-*`); the upload's own options override them. */
export const endpointDefaultsSchema = uploadOptionsFields
  .pick({
    storageClass: true,
    sse: true,
    sseKmsKeyId: true,
    acl: true,
    cacheControl: true,
  })
  .extend({ ifExists: cliIfExists });

/** The names of the endpoint defaults, in the order `ferry endpoint add|edit --default-*` lists them. */
export const ENDPOINT_DEFAULT_NAMES = ['storageClass', 'sse', 'sseKmsKeyId', 'acl', 'cacheControl', 'ifExists'] as const;
export type EndpointDefaults = z.infer<typeof endpointDefaultsSchema>;

/** The endpoint's defaults under the upload's own options (SSE-C replaces a default --sse). */
export function withDefaults(options: UploadOptions, defaults: EndpointDefaults | undefined): UploadOptions {
  if (!defaults) return options;
  const merged: UploadOptions = { ...defaults, ...options };
  if (options.sseC || options.sse !== undefined) {
    merged.sse = options.sse;
    merged.sseKmsKeyId = options.sseKmsKeyId;
    if (merged.sse === undefined) delete merged.sse;
    if (merged.sseKmsKeyId === undefined) delete merged.sseKmsKeyId;
  }
  return merged;
}

/** The first problem of a zod error, with the field it concerns. */
export function optionsIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid upload options.';
  // a record key's own rule (zod's outer message says only "Invalid key in record")
  if (issue.code === 'invalid_key' && issue.issues[0]) return issue.issues[0].message;
  return issue.message;
}

/** `KEY=VALUE` into [key, value]; null when there is no `=` or the key is empty. */
export function splitKeyValue(text: string): [string, string] | null {
  const at = text.indexOf('=');
  if (at <= 0) return null;
  return [text.slice(0, at), text.slice(at + 1)];
}

/** The `x-amz-tagging` header value: URL-encoded `k=v&k=v`. */
export function taggingHeader(tags: Readonly<Record<string, string>>): string {
  return new URLSearchParams(Object.entries(tags)).toString().replace(/\+/g, '%20');
}

const RATE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1000,
  kb: 1000,
  kib: 1024,
  m: 1000 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1000 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** A rate such as `10MiB/s`, `500KB/s`, `2M` (bytes per second); null if it does not parse or is not positive. */
export function parseRate(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*(?:\/\s*s)?\s*$/i.exec(text);
  if (!match) return null;
  const unit = RATE_UNITS[match[2]!.toLowerCase()];
  if (unit === undefined) return null;
  const value = Math.round(Number(match[1]) * unit);
  return value >= 1 ? value : null;
}

/** A duration such as `7d`, `12h`, `30m`, `90s` or `3600` (seconds); null if it does not parse. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+)\s*([smhdw]?)\s*$/i.exec(text);
  if (!match) return null;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[match[2]!.toLowerCase()]!;
  const seconds = Number(match[1]) * unit;
  return seconds >= 1 ? seconds : null;
}

/** `name (n).ext` for rename-on-exists: `dir/photo (1).jpg`, `dir/archive (2).tar.gz`, `README (1)`. */
export function renamedKey(key: string, n: number): string {
  const slash = key.lastIndexOf('/');
  const dir = key.slice(0, slash + 1);
  const name = key.slice(slash + 1);
  const match = /^(.+?)((?:\.tar)?\.[^.\s]{1,10})?$/.exec(name);
  const stem = match?.[1] ?? name;
  const ext = match?.[2] ?? '';
  return `${dir}${stem} (${n})${ext}`;
}

/** True for a non-default storage class or any encryption: what a row's badge shows. */
export function optionsBadge(options: UploadOptions | undefined): string | null {
  if (!options) return null;
  const parts: string[] = [];
  if (options.storageClass && options.storageClass !== 'STANDARD') parts.push(options.storageClass);
  if (options.sseC) parts.push('SSE-C');
  else if (options.sse === 'aws:kms') parts.push('SSE-KMS');
  else if (options.sse === 'AES256') parts.push('SSE-S3');
  return parts.length > 0 ? parts.join(' · ') : null;
}
