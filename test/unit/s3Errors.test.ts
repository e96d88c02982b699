// The one error classification (s3Errors.ts): what a "not found" means depends on the call's scope,
// `retryable` is request-level only, `retryAsIs` says whether a job may be retried as it is, and the
// SDK's error is classified as it is, never renamed.
import { describe, expect, it } from 'vitest';
import { isUploadGone, toFerryError } from '../../main/engine/s3Errors.ts';
import { FerryError, FileChangedError } from '../../shared/errors.ts';

function serviceError(name: string, status: number, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, $response: { headers } });
}

describe('gone uploads', () => {
  it.each([
    ['NoSuchUpload', 404],
    ['NoSuchKey', 404], // Ceph RGW on ListParts, UploadPart, Complete and Abort of a gone upload
  ])('%s on an upload-scoped call is UPLOAD_GONE, not retried, retryable as a job', (name, status) => {
    const error = toFerryError(serviceError(name, status), { operation: 'uploading part 3', bucket: 'b', scope: 'upload' });
    expect(error).toMatchObject({ code: 'UPLOAD_GONE', retryable: false, retryAsIs: true });
    expect(error.message).toMatch(/no longer exists/);
    expect(isUploadGone(error)).toBe(true);
  });
  it('NoSuchKey elsewhere (an object read) is not a gone upload', () => {
    const error = toFerryError(serviceError('NoSuchKey', 404), { operation: 'reading the object' });
    expect(error.code).not.toBe('UPLOAD_GONE');
    expect(isUploadGone(error)).toBe(false);
  });
  it('only a classified error is a gone upload: the callers never test `.cause`', () => {
    expect(isUploadGone(serviceError('NoSuchUpload', 404))).toBe(false);
  });
});

describe('scope and region, without renaming the SDK error', () => {
  it('a bodiless 404 on a bucket call is NO_SUCH_BUCKET', () => {
    const raw = serviceError('NotFound', 404);
    expect(toFerryError(raw, { operation: 'checking the bucket', bucket: 'b', scope: 'bucket' }).code).toBe('NO_SUCH_BUCKET');
    expect(raw.name).toBe('NotFound');
  });
  it('an answer naming another bucket region is WRONG_REGION', () => {
    const raw = serviceError('BadRequest', 400, { 'x-amz-bucket-region': 'eu-west-1' });
    const error = toFerryError(raw, { operation: 'checking the bucket', bucket: 'b', region: 'us-east-1' });
    expect(error.code).toBe('WRONG_REGION');
    expect(error.message).toContain('eu-west-1');
    expect(raw.name).toBe('BadRequest');
  });
});

describe('retryable (request) and retryAsIs (job)', () => {
  it('a changed file is neither: the job must start over, and says so across boundaries', () => {
    const error = new FileChangedError('/f', 'size');
    expect(error).toMatchObject({ retryable: false, retryAsIs: false });
    expect(error.toInfo()).toMatchObject({ code: 'FILE_CHANGED', retryable: false, restart: true });
  });
  it('a refused credential is not retried per request, but a job may be retried as it is once fixed', () => {
    const error = toFerryError(serviceError('AccessDenied', 403), { operation: 'uploading part 1' });
    expect(error).toMatchObject({ retryable: false, retryAsIs: true });
    expect(error.toInfo()).not.toHaveProperty('restart');
  });
  it('throttling is retried per request', () => {
    expect(toFerryError(serviceError('SlowDown', 503), { operation: 'x' })).toMatchObject({ code: 'THROTTLED', retryable: true });
    expect(new FerryError('THROTTLED', 'x').retryAsIs).toBe(true);
  });
});
