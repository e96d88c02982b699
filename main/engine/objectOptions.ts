/**
 * A job's upload options (shared/uploadOptions.ts) as S3 request fields: the headers that travel on
 * PutObject and CreateMultipartUpload, and the SSE-C headers every request on the object must carry
 * (UploadPart, HeadObject, CompleteMultipartUpload).
 */
import type { ObjectCannedACL, ServerSideEncryption, StorageClass } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { FerryError } from '../../shared/errors.ts';
import { taggingHeader, type UploadOptions } from '../../shared/uploadOptions.ts';

/** SSE-C request fields for a base64 key (the SDK adds its MD5), or none. */
export function ssecFields(sseCKey: string | undefined): { SSECustomerAlgorithm?: string; SSECustomerKey?: string } {
  return sseCKey === undefined ? {} : { SSECustomerAlgorithm: 'AES256', SSECustomerKey: sseCKey };
}

/** The fields of PutObject and CreateMultipartUpload that carry the options. */
export function objectFields(options: UploadOptions | undefined, sseCKey: string | undefined) {
  const o = options ?? {};
  if (o.sseC && sseCKey === undefined) {
    throw new FerryError('INVALID_INPUT', 'The SSE-C key of this upload is no longer stored: start a new upload with --sse-c-key-file.');
  }
  return {
    ...(o.contentType !== undefined ? { ContentType: o.contentType } : {}),
    ...(o.cacheControl !== undefined ? { CacheControl: o.cacheControl } : {}),
    ...(o.contentDisposition !== undefined ? { ContentDisposition: o.contentDisposition } : {}),
    ...(o.contentEncoding !== undefined ? { ContentEncoding: o.contentEncoding } : {}),
    ...(o.contentLanguage !== undefined ? { ContentLanguage: o.contentLanguage } : {}),
    ...(o.expires !== undefined ? { Expires: new Date(o.expires) } : {}),
    ...(o.metadata && Object.keys(o.metadata).length > 0 ? { Metadata: o.metadata } : {}),
    ...(o.tags && Object.keys(o.tags).length > 0 ? { Tagging: taggingHeader(o.tags) } : {}),
    ...(o.storageClass !== undefined ? { StorageClass: o.storageClass as StorageClass } : {}),
    ...(o.acl !== undefined ? { ACL: o.acl as ObjectCannedACL } : {}),
    ...(o.sse !== undefined ? { ServerSideEncryption: o.sse as ServerSideEncryption } : {}),
    ...(o.sseKmsKeyId !== undefined ? { SSEKMSKeyId: o.sseKmsKeyId } : {}),
    ...ssecFields(o.sseC ? sseCKey : undefined),
  };
}

/** True when the object's ETag is not the MD5 of its bytes (SSE-C and SSE-KMS on AWS). */
export function etagIsOpaque(options: UploadOptions | undefined): boolean {
  return options?.sseC === true || options?.sse === 'aws:kms';
}

/**
 * A refusal of the options in words. Ceph RGW answers an unknown KMS key with 403 InvalidAccessKeyId
 * ("Failed to retrieve the actual key, kms-keyid: …"), which would otherwise read as bad credentials.
 */
export function explainOptionsRefusal(error: FerryError, options: UploadOptions | undefined): FerryError {
  const cause = error.cause as { message?: string; Code?: string; name?: string } | undefined;
  const text = `${cause?.message ?? ''}`;
  if (options?.sse === 'aws:kms' && /kms/i.test(text)) {
    return new FerryError('REQUEST_REJECTED', `The server refused the KMS key "${options.sseKmsKeyId ?? '(default)'}": ${text}`, {
      cause: error,
    });
  }
  const code = cause?.Code ?? cause?.name;
  if (code === 'InvalidArgument' || code === 'InvalidStorageClass' || code === 'InvalidRequest') {
    const named = [
      options?.storageClass ? `storage class ${options.storageClass}` : '',
      options?.acl ? `ACL ${options.acl}` : '',
      options?.sse ? `encryption ${options.sse}` : '',
    ].filter(Boolean);
    if (named.length > 0)
      return new FerryError('REQUEST_REJECTED', `${error.message} The server may not accept the ${named.join(', ')}.`, { cause: error });
  }
  return error;
}

/** True if `error` (or its cause) is 412 Precondition Failed: a conditional write found the key taken. */
export function isPreconditionFailed(error: unknown): boolean {
  const e = error as { $metadata?: { httpStatusCode?: number }; name?: string; Code?: string; cause?: unknown } | null;
  if (!e) return false;
  if (e.$metadata?.httpStatusCode === 412 || e.name === 'PreconditionFailed' || e.Code === 'PreconditionFailed') return true;
  return e.cause !== undefined && e.cause !== error && isPreconditionFailed(e.cause);
}

/** The request fields PutObject and UploadPart carry: the options, the part's check, a conditional write. */
export type WriteFields = ReturnType<typeof objectFields> & {
  ContentMD5?: string;
  ChecksumCRC32?: string;
  IfNoneMatch?: string;
};

/** Each plain field's header, as S3's REST API names it (a field added above without one fails to compile). */
const HEADER_OF: { readonly [F in Exclude<keyof WriteFields, 'Metadata' | 'Expires' | 'SSECustomerKey'>]-?: string } = {
  ContentType: 'content-type',
  CacheControl: 'cache-control',
  ContentDisposition: 'content-disposition',
  ContentEncoding: 'content-encoding',
  ContentLanguage: 'content-language',
  Tagging: 'x-amz-tagging',
  StorageClass: 'x-amz-storage-class',
  ACL: 'x-amz-acl',
  ServerSideEncryption: 'x-amz-server-side-encryption',
  SSEKMSKeyId: 'x-amz-server-side-encryption-aws-kms-key-id',
  SSECustomerAlgorithm: 'x-amz-server-side-encryption-customer-algorithm',
  ContentMD5: 'content-md5',
  ChecksumCRC32: 'x-amz-checksum-crc32',
  IfNoneMatch: 'if-none-match',
};

/**
 * The headers of a write's fields, as the SDK's serializer writes them (for a write sent without its
 * stack: directWrites.ts). Metadata keys go lower-case under x-amz-meta-; an SSE-C key travels in
 * base64 with the MD5 of its bytes (as the SDK's SSE-C step adds it).
 */
export function writeHeaders(fields: WriteFields): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (field === 'Metadata') {
      for (const [name, text] of Object.entries(value as Record<string, string>)) headers[`x-amz-meta-${name.toLowerCase()}`] = text;
    } else if (field === 'Expires') {
      headers.expires = (value as Date).toUTCString();
    } else if (field === 'SSECustomerKey') {
      const bytes = ssecKeyBytes(value as string);
      headers['x-amz-server-side-encryption-customer-key'] = bytes.toString('base64');
      headers['x-amz-server-side-encryption-customer-key-md5'] = createHash('md5').update(bytes).digest('base64');
    } else {
      const name = (HEADER_OF as Record<string, string | undefined>)[field];
      if (name === undefined) throw new FerryError('INVALID_INPUT', `The request field ${field} has no header.`);
      headers[name] = String(value);
    }
  }
  return headers;
}

/** An SSE-C key's bytes: a base64 key of 32 bytes decoded, any other text as its UTF-8 (the SDK's rule). */
function ssecKeyBytes(key: string): Buffer {
  if (/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(key)) {
    const decoded = Buffer.from(key, 'base64');
    if (decoded.length === 32) return decoded;
  }
  return Buffer.from(key, 'utf8');
}
