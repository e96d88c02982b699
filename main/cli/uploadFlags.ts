/**
 * `ferry upload`'s object options (issue #12), named as the AWS CLI's (`aws s3 cp`), so scripts carry
 * over: parsed and checked here before anything is queued; a problem is one line and exit code 2.
 */
import { readFileSync } from 'node:fs';
import {
  IF_EXISTS,
  MAX_LINK_SECONDS,
  optionsIssue,
  parseRate,
  splitKeyValue,
  uploadOptionsSchema,
  type UploadOptions,
} from '../../shared/uploadOptions.ts';
import { UsageError } from './output.ts';

export interface ObjectFlags {
  contentType?: string;
  /** false with --no-guess-mime-type (commander's negation). */
  guessMimeType?: boolean;
  cacheControl?: string;
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  expires?: string;
  metadata?: string[];
  tag?: string[];
  storageClass?: string;
  acl?: string;
  sse?: string;
  sseKmsKeyId?: string;
  sseCKeyFile?: string;
  ifExists?: string;
  bwlimit?: string;
}

export interface ParsedObjectFlags {
  options: UploadOptions;
  guessContentType: boolean;
  /** base64 of the 32-byte SSE-C key. */
  sseCKey?: string;
  /** bytes per second, or undefined for no limit. */
  bandwidthLimit?: number;
}

function pairs(values: readonly string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const value of values) {
    const pair = splitKeyValue(value);
    if (pair === null) throw new UsageError(`${flag} must be KEY=VALUE, not "${value}".`);
    if (Object.hasOwn(out, pair[0])) throw new UsageError(`${flag} gives the key "${pair[0]}" twice.`);
    out[pair[0]] = pair[1];
  }
  return out;
}

/** A date for --expires: ISO 8601 or an HTTP date. */
function parseDate(text: string): string {
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new UsageError(`--expires must be a date such as 2030-01-01T00:00:00Z, not "${text}".`);
  return new Date(time).toISOString();
}

/** Reads and checks an SSE-C key file: exactly 32 bytes (raw), returned as base64. */
export function readSseCKey(path: string): string {
  let key: Buffer;
  try {
    key = readFileSync(path);
  } catch (error) {
    throw new UsageError(`Cannot read the SSE-C key file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  if (key.length !== 32) throw new UsageError(`The SSE-C key file ${path} must hold exactly 32 bytes, not ${key.length}.`);
  return key.toString('base64');
}

/** Parses the flags; throws UsageError (exit 2) in one line on the first problem. */
export function parseObjectFlags(flags: ObjectFlags): ParsedObjectFlags {
  const raw: UploadOptions = {
    ...(flags.contentType !== undefined ? { contentType: flags.contentType } : {}),
    ...(flags.cacheControl !== undefined ? { cacheControl: flags.cacheControl } : {}),
    ...(flags.contentDisposition !== undefined ? { contentDisposition: flags.contentDisposition } : {}),
    ...(flags.contentEncoding !== undefined ? { contentEncoding: flags.contentEncoding } : {}),
    ...(flags.contentLanguage !== undefined ? { contentLanguage: flags.contentLanguage } : {}),
    ...(flags.expires !== undefined ? { expires: parseDate(flags.expires) } : {}),
    ...(flags.storageClass !== undefined ? { storageClass: flags.storageClass } : {}),
    ...(flags.sseKmsKeyId !== undefined ? { sseKmsKeyId: flags.sseKmsKeyId } : {}),
  } as UploadOptions;
  const metadata = pairs(flags.metadata, '--metadata');
  if (metadata) raw.metadata = metadata;
  const tags = pairs(flags.tag, '--tag');
  if (tags) raw.tags = tags;
  if (flags.acl !== undefined) (raw as Record<string, unknown>).acl = flags.acl;
  if (flags.sse !== undefined) (raw as Record<string, unknown>).sse = flags.sse;
  if (flags.ifExists !== undefined) {
    // `ask` is the window's: a command line has no row to ask on
    if (!(IF_EXISTS as readonly string[]).includes(flags.ifExists))
      throw new UsageError(`--if-exists must be one of ${IF_EXISTS.join(', ')}, not "${flags.ifExists}".`);
    (raw as Record<string, unknown>).ifExists = flags.ifExists;
  }
  let sseCKey: string | undefined;
  if (flags.sseCKeyFile !== undefined) {
    sseCKey = readSseCKey(flags.sseCKeyFile);
    raw.sseC = true;
  }
  const parsed = uploadOptionsSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(optionsIssue(parsed.error));
  let bandwidthLimit: number | undefined;
  if (flags.bwlimit !== undefined) {
    const rate = parseRate(flags.bwlimit);
    if (rate === null) throw new UsageError(`--bwlimit must be a rate such as 10MiB/s or 500KB/s, not "${flags.bwlimit}".`);
    bandwidthLimit = rate;
  }
  return {
    options: parsed.data,
    guessContentType: flags.guessMimeType !== false,
    ...(sseCKey !== undefined ? { sseCKey } : {}),
    ...(bandwidthLimit !== undefined ? { bandwidthLimit } : {}),
  };
}

/** "7 days" for the link expiry message. */
export const MAX_LINK_WORDS = `${MAX_LINK_SECONDS / 86400} days`;
