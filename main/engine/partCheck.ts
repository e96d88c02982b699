/**
 * The check each part carries so that the server refuses it if it arrives changed (issue #14): the
 * cheapest one the endpoint was found to validate (integrityProbe.ts), never one assumed from the
 * provider. Costs here: CRC32 (Node 22's zlib.crc32) about a tenth of MD5; SHA-256 with the CPU's SHA
 * extensions 0.60 s/GiB against MD5's 1.34.
 *
 *   crc32   `x-amz-checksum-crc32` on each part of an upload created with ChecksumAlgorithm CRC32
 *           (AWS S3 and others validate it; Ceph RGW 16 neither validates nor stores it)
 *   sha256  a signed payload: `x-amz-content-sha256` = the body's SHA-256, covered by the signature
 *           (Ceph RGW refuses a changed body with 400 XAmzContentSHA256Mismatch)
 *   md5     `Content-MD5` (S3 and nearly every compatible server: BadDigest); also the choice while
 *           nothing is known of the endpoint
 */
import type { Command, FinalizeRequestMiddleware } from '@smithy/types';
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import type { EndpointIntegrity, PartCheck } from '../../shared/endpoint.ts';

/** Node 22's native CRC32 (absent on older Node: the choice then falls back). */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

export function crc32Available(): boolean {
  return typeof nativeCrc32 === 'function';
}

/**
 * Whether uploads send CRC32 where the probe found it validated. Not yet: a CRC32 multipart upload
 * must be created with ChecksumAlgorithm CRC32, list every part's checksum on Complete, and keep
 * that through a resume (parts the store missed included); until that is written and tried against
 * a server that validates CRC32 (Ceph RGW, the test server, does not), such endpoints get the next
 * cheapest check.
 */
export const CRC32_UPLOADS = false;

/** The check to send with every part to this endpoint: the cheapest validated one. */
export function choosePartCheck(integrity: EndpointIntegrity | undefined, crc32 = CRC32_UPLOADS && crc32Available()): PartCheck {
  if (integrity?.crc32 && crc32) return 'crc32';
  if (integrity?.signedSha256) return 'sha256';
  return 'md5';
}

/** A part's digest under its check: what the request carries and what the store keeps. */
export interface PartDigest {
  check: PartCheck;
  /** md5: hex (ETag form); sha256: hex (as x-amz-content-sha256 wants it); crc32: base64 of the 4 big-endian bytes. */
  value: string;
}

/** An incremental hash under one check. */
export interface PartHasher {
  update(data: Uint8Array): void;
  digest(): PartDigest;
}

export function partHasher(check: PartCheck): PartHasher {
  if (check === 'crc32') {
    if (!nativeCrc32) throw new Error('CRC32 needs Node 22 (zlib.crc32).');
    let value = 0;
    return {
      update: (data) => (value = nativeCrc32(data, value)),
      digest: () => {
        const bytes = Buffer.alloc(4);
        bytes.writeUInt32BE(value >>> 0);
        return { check, value: bytes.toString('base64') };
      },
    };
  }
  const hash = createHash(check);
  return {
    update: (data) => hash.update(data),
    digest: () => ({ check, value: hash.digest('hex') }),
  };
}

export function digestOf(check: PartCheck, data: Uint8Array): PartDigest {
  const hasher = partHasher(check);
  hasher.update(data);
  return hasher.digest();
}

/** Content-MD5's base64 from an MD5 hex digest. */
export function md5Base64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/** The request fields of a part (UploadPart or PutObject) for its digest; sha256 goes in as a header (signedPayload). */
export function checkFields(digest: PartDigest): { ContentMD5?: string; ChecksumCRC32?: string } {
  if (digest.check === 'md5') return { ContentMD5: md5Base64(digest.value) };
  if (digest.check === 'crc32') return { ChecksumCRC32: digest.value };
  return {};
}

/** The payload hash a write's signature covers: the SHA-256 the server checks, or none (another check protects it). */
export function payloadHash(digest: PartDigest): string {
  return digest.check === 'sha256' ? digest.value : 'UNSIGNED-PAYLOAD';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any S3 command's stack
type AnyCommand = Command<any, any, any, any, any>;

/**
 * Signs the body's SHA-256 instead of UNSIGNED-PAYLOAD: the SDK's signer takes an
 * `x-amz-content-sha256` already on the request as the payload hash and covers it by the signature,
 * so a server that checks it refuses a body that differs. Set just before signing; left alone if the
 * SDK chose an aws-chunked body (its own trailing checksum then protects the part).
 */
export function signedPayload<C extends AnyCommand>(command: C, sha256Hex: string): C {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any command's input and output
  const middleware: FinalizeRequestMiddleware<any, any> = (next) => async (args) => {
    const headers = (args.request as { headers?: Record<string, string> }).headers;
    if (headers && !/aws-chunked/i.test(headers['content-encoding'] ?? '')) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === 'x-amz-content-sha256') delete headers[name];
      headers['x-amz-content-sha256'] = sha256Hex;
    }
    return next(args);
  };
  command.middlewareStack.addRelativeTo(middleware, {
    relation: 'before',
    toMiddleware: 'httpSigningMiddleware',
    name: 'ferrySignedPayload',
    override: true,
  });
  return command;
}

/** Applies a part's digest to its command: fields for md5 and crc32 are given by checkFields; sha256 signs the payload. */
export function withPartCheck<C extends AnyCommand>(command: C, digest: PartDigest): C {
  return digest.check === 'sha256' ? signedPayload(command, digest.value) : command;
}

/** What a person reads about a check. */
export function describePartCheck(check: PartCheck): string {
  if (check === 'crc32') return 'CRC32 (x-amz-checksum-crc32)';
  if (check === 'sha256') return 'SHA-256 of a signed payload (x-amz-content-sha256)';
  return 'Content-MD5';
}
