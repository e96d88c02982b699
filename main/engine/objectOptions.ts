/**
 * A job's upload options (shared/uploadOptions.ts) as S3 request fields: the headers that travel on
 * PutObject and CreateMultipartUpload, and the SSE-C headers every request on the object must carry
 * (UploadPart, HeadObject, CompleteMultipartUpload).
 */
import type { ObjectCannedACL, ServerSideEncryption, StorageClass } from '@aws-sdk/client-s3';
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
