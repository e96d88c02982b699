/**
 * The schema of an endpoint as a user enters it (CLI flags, the window's form): validated with zod
 * at every boundary before it reaches the registry.
 */
import * as z from 'zod';
import { endpointDefaultsSchema } from './uploadOptions.ts';

export const endpointNameSchema = z
  .string()
  .trim()
  .min(1, 'The endpoint name is empty.')
  .max(64, 'The endpoint name is longer than 64 characters.')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u, 'The endpoint name may contain letters, digits, spaces, dots, hyphens and underscores.');

export const endpointUrlSchema = z
  .string()
  .trim()
  .refine((text) => {
    try {
      const url = new URL(text);
      return url.username === '' && url.password === '';
    } catch {
      return true;
    }
  }, 'The URL must not carry a user name or password (user:password@): give the access key ID and the secret separately (--access-key-id and --secret-stdin, or the form’s fields).')
  .refine((text) => {
    try {
      const url = new URL(text);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'The URL must be an http:// or https:// address, e.g. https://s3.eu-west-1.amazonaws.com.')
  .transform((text) => text.replace(/\/+$/, ''));

/** An absolute path to a PEM file (checked for content where it is read, in main). Empty: none. */
export const caFileSchema = z
  .string()
  .trim()
  .max(4096)
  .refine((text) => text === '' || text.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(text), 'The CA file must be given as an absolute path.');

export const credentialInputSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('static'),
    accessKeyId: z.string().trim().min(1, 'The access key ID is empty.').max(256),
    secretAccessKey: z.string().min(1, 'The secret access key is empty.').max(1024),
  }),
  z.object({
    kind: z.literal('aws-profile'),
    profile: z.string().trim().min(1, 'The AWS profile name is empty.').max(128),
  }),
]);

export const endpointInputSchema = z.object({
  name: endpointNameSchema,
  url: endpointUrlSchema.optional(),
  region: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9-]+$/i, 'The region may contain letters, digits and hyphens.')
    .optional(),
  addressing: z.enum(['path', 'virtual']).optional(),
  checksums: z.enum(['when-supported', 'when-required']).optional(),
  /** Upload options for every upload to this endpoint unless the upload says otherwise (issue #12). */
  defaults: endpointDefaultsSchema.optional(),
  /** A PEM bundle of certificate authorities to trust for this endpoint (a private CA); absolute path. */
  caFile: caFileSchema.optional(),
  credential: credentialInputSchema,
});

export type EndpointInput = z.input<typeof endpointInputSchema>;
export type CredentialInput = z.infer<typeof credentialInputSchema>;

/** What the renderer and `--json` output may see of an endpoint's credentials: never the secret. */
export type CredentialSummary = { kind: 'static'; accessKeyId: string } | { kind: 'aws-profile'; profile: string };

/** The first problem of a zod error, in words. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid input.';
  return issue.message;
}

/**
 * The origin (scheme, host and port) a URL points to: what an endpoint's stored secret is bound to,
 * and what changing needs the credential again.
 */
export function urlOrigin(url: string): string {
  return new URL(url).origin;
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Says, for an http:// URL to another computer, that requests (signed, and their data) travel
 * unencrypted; null for https:// and for this computer.
 */
export function plainHttpWarning(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' || isLoopbackHost(parsed.hostname)) return null;
  return `${parsed.host} is reached over plain http://: the uploaded data, the object names and the signed requests cross the network unencrypted (anyone on the path may read or replay them). Use https:// where the server offers it.`;
}
