/**
 * Share links (issue #12): a presigned GET URL for an object, signed with SigV4, which allows at most
 * 7 days (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { FerryError } from '../../shared/errors.ts';
import { MAX_LINK_SECONDS } from '../../shared/uploadOptions.ts';

/** A URL anyone can GET the object with for `expiresInSeconds` (1 s to 7 days) from `signingDate`. */
export async function presignGet(
  client: S3Client,
  bucket: string,
  key: string,
  expiresInSeconds: number,
  signingDate: Date = new Date(),
): Promise<string> {
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1) {
    throw new FerryError('INVALID_INPUT', 'A link must be valid for at least 1 second.');
  }
  if (expiresInSeconds > MAX_LINK_SECONDS) {
    throw new FerryError(
      'INVALID_INPUT',
      'A link can be valid for at most 7 days (the limit of S3 signatures, SigV4); choose --expires 7d or less.',
    );
  }
  return getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresInSeconds, signingDate });
}
