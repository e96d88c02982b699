/** `s3://BUCKET/KEY` and `s3://BUCKET/PREFIX/` targets, as the CLI and the window take them (pure). */
import { bucketNameProblem, objectKeyProblem } from './s3Names.ts';

export interface S3Target {
  bucket: string;
  /** The exact key, or the prefix ("" or ending in "/") when `isPrefix`. */
  key: string;
  isPrefix: boolean;
}

export class S3UrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'S3UrlError';
  }
}

export function parseS3Url(text: string): S3Target {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/s.exec(text);
  if (!match) throw new S3UrlError(`"${text}" is not an s3:// target: write s3://BUCKET/KEY or s3://BUCKET/PREFIX/.`);
  const bucket = match[1]!;
  if (bucket === '') throw new S3UrlError(`"${text}" names no bucket: write s3://BUCKET/KEY.`);
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem) throw new S3UrlError(bucketProblem);
  const key = match[2] ?? '';
  const isPrefix = key === '' || key.endsWith('/');
  if (!isPrefix) {
    const keyProblem = objectKeyProblem(key);
    if (keyProblem) throw new S3UrlError(keyProblem);
  }
  return { bucket, key, isPrefix };
}

export function formatS3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
