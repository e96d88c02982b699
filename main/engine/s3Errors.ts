/**
 * Turns what the AWS SDK or the network throws into Ferry's named errors, with words a user can act
 * on. The retry policy decides from the `retryable` flag set here.
 */
import { FerryError } from '../../shared/errors.ts';

interface SdkErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  cause?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** What the operation was doing, for the message ("uploading part 3", "listing buckets"). */
export interface ErrorContext {
  operation: string;
  bucket?: string;
  endpoint?: string;
  /**
   * What a "not found" means for this call. 'upload': a call on one multipart upload (ListParts,
   * UploadPart, CompleteMultipartUpload, AbortMultipartUpload), where AWS answers NoSuchUpload and
   * Ceph RGW 404 NoSuchKey when the upload is gone. 'bucket': a call on the bucket alone (HeadBucket,
   * whose 404 has no body, so no code).
   */
  scope?: 'upload' | 'bucket';
  /** The region the endpoint is set to: an answer naming another bucket region means the wrong region. */
  region?: string;
}

export function isAbortError(error: unknown): boolean {
  const e = error as { name?: string; code?: string } | null;
  return e?.name === 'AbortError' || e?.code === 'ABORT_ERR';
}

/** Classifies `error` into a FerryError. FerryErrors pass through unchanged. */
export function toFerryError(error: unknown, context: ErrorContext): FerryError {
  if (error instanceof FerryError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const bucketRegion = e.$response?.headers?.['x-amz-bucket-region'];
  // the call's scope decides what a bare "not found" means; the SDK's error itself is never changed
  let code = e.Code ?? e.name ?? '';
  if (context.scope === 'upload' && (code === 'NoSuchUpload' || code === 'NoSuchKey' || (status === 404 && code !== 'NoSuchBucket'))) {
    code = 'NoSuchUpload';
  } else if (context.scope === 'bucket' && status === 404) {
    code = 'NoSuchBucket';
  } else if (context.region && bucketRegion && bucketRegion !== context.region) {
    code = 'PermanentRedirect';
  }
  const systemCode = e.code ?? (e.cause as { code?: string } | undefined)?.code ?? '';
  const named = context.endpoint ? `the endpoint "${context.endpoint}"` : 'the endpoint';
  const Named = named[0]!.toUpperCase() + named.slice(1);
  const bucket = context.bucket ? `"${context.bucket}"` : 'the bucket';
  const what = context.operation;

  if (NETWORK_CODES.has(systemCode) || /socket hang up|ECONNRESET|network/i.test(e.message ?? '')) {
    if (systemCode === 'ENOTFOUND') {
      return new FerryError('ENDPOINT_UNREACHABLE', `Cannot resolve the host name of ${named}: check its URL.`, { cause: error });
    }
    return new FerryError(
      'ENDPOINT_UNREACHABLE',
      `Cannot reach ${named} while ${what} (${systemCode || e.message}): check its URL and the network.`,
      { cause: error },
    );
  }
  if (/^(ERR_TLS|CERT_|UNABLE_TO_VERIFY|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED|ERR_SSL)/.test(systemCode)) {
    return new FerryError('TLS_ERROR', `The TLS certificate of ${named} was not accepted: ${e.message ?? systemCode}.`, { cause: error });
  }
  if (e.name === 'TimeoutError' || systemCode === 'ETIMEDOUT' || code === 'RequestTimeout') {
    return new FerryError('TIMEOUT', `The server took too long to answer while ${what}.`, { cause: error });
  }
  switch (code) {
    case 'InvalidAccessKeyId':
      return new FerryError('AUTH_INVALID_KEY_ID', `${Named} does not know the access key ID: check the endpoint's credentials.`, {
        cause: error,
      });
    case 'SignatureDoesNotMatch':
      return new FerryError('AUTH_BAD_SECRET', `${Named} rejected the request signature: the secret access key is probably wrong.`, {
        cause: error,
      });
    case 'AccessDenied':
    case 'AllAccessDisabled':
    case 'AccountProblem':
      return new FerryError('ACCESS_DENIED', `Access denied while ${what} in ${bucket}: the credentials lack permission.`, {
        cause: error,
      });
    case 'NoSuchBucket':
      return new FerryError('NO_SUCH_BUCKET', `The bucket ${bucket} does not exist on ${named}.`, { cause: error });
    case 'PermanentRedirect':
    case 'AuthorizationHeaderMalformed':
    case 'IllegalLocationConstraintException': {
      const region = e.$response?.headers?.['x-amz-bucket-region'];
      return new FerryError(
        'WRONG_REGION',
        `The bucket ${bucket} is in another region${region ? ` (${region})` : ''}: set the endpoint's region${region ? ` to ${region}` : ''}.`,
        { cause: error },
      );
    }
    case 'RequestTimeTooSkewed':
      return new FerryError(
        'CLOCK_SKEW',
        "This computer's clock differs too much from the server's: Ferry corrects for it and retries; fix the system clock if this persists.",
        { cause: error },
      );
    case 'SlowDown':
    case 'TooManyRequests':
    case 'Throttling':
    case 'ThrottlingException':
      return new FerryError('THROTTLED', `The server asked Ferry to slow down while ${what}.`, { cause: error });
    case 'NoSuchUpload':
      return new FerryError(
        'UPLOAD_GONE',
        `The multipart upload no longer exists on ${named} (it was aborted or expired there) while ${what}: retry to upload the file again.`,
        { cause: error },
      );
    // XAmzContentSHA256Mismatch (Ceph RGW): a signed payload whose body does not hash to x-amz-content-sha256 (issue #14)
    case 'BadDigest':
    case 'InvalidDigest':
    case 'XAmzContentSHA256Mismatch':
      return new FerryError(
        'INTEGRITY_MISMATCH',
        `The server received different bytes than were read from the file while ${what} (${code === 'XAmzContentSHA256Mismatch' ? 'SHA-256' : 'checksum'} mismatch).`,
        { cause: error, retryable: true },
      );
    case 'EntityTooLarge':
      return new FerryError('FILE_TOO_LARGE', `The server refused the data as too large while ${what}.`, { cause: error });
    case 'InvalidBucketName':
      return new FerryError('INVALID_INPUT', `${bucket} is not a valid bucket name.`, { cause: error });
    case 'KeyTooLongError':
      return new FerryError('INVALID_KEY', 'The object key is longer than the server accepts (1,024 bytes).', { cause: error });
    default:
      break;
  }
  if (status === 429 || status === 503) {
    return new FerryError('THROTTLED', `The server is busy (HTTP ${status}) while ${what}.`, { cause: error });
  }
  if (status !== undefined && status >= 500) {
    return new FerryError('SERVER_ERROR', `The server failed while ${what} (HTTP ${status}${code ? ` ${code}` : ''}).`, { cause: error });
  }
  if (status === 403) {
    return new FerryError(
      'ACCESS_DENIED',
      `Access denied while ${what} in ${bucket} (HTTP 403): check the credentials and their permissions.`,
      { cause: error },
    );
  }
  if (status === 301) {
    return new FerryError('WRONG_REGION', `The bucket ${bucket} is in another region: set the endpoint's region.`, { cause: error });
  }
  if (status === 408) {
    return new FerryError('TIMEOUT', `The server timed out the request while ${what}.`, { cause: error });
  }
  if (status !== undefined && status >= 400) {
    return new FerryError(
      'REQUEST_REJECTED',
      `The server rejected the request while ${what} (HTTP ${status}${code ? ` ${code}` : ''}${e.message && e.message !== code ? `: ${e.message}` : ''}).`,
      { cause: error },
    );
  }
  return new FerryError('UNKNOWN', `Unexpected error while ${what}: ${e.message || String(error)}`, { cause: error });
}

/**
 * True if `error` says that the multipart upload is gone. The one test for it: `error` is what
 * toFerryError made of an upload-scoped call (scope 'upload'), where NoSuchUpload (AWS) and 404
 * NoSuchKey (Ceph RGW) are both UPLOAD_GONE.
 */
export function isUploadGone(error: unknown): boolean {
  return error instanceof FerryError && error.code === 'UPLOAD_GONE';
}
