/** `ferry link s3://BUCKET/KEY --endpoint NAME [--expires 7d]`: prints a presigned GET URL. */
import { createS3Client } from '../../engine/s3Client.ts';
import { presignGet } from '../../engine/presign.ts';
import { S3UrlError, parseS3Url } from '../../../shared/s3Url.ts';
import { MAX_LINK_SECONDS, parseDuration } from '../../../shared/uploadOptions.ts';
import { openRegistry, type Context } from '../context.ts';
import { EXIT, UsageError, line } from '../output.ts';

export async function link(ctx: Context, target: string, options: { endpoint: string; expires?: string }): Promise<number> {
  let url;
  try {
    url = parseS3Url(target);
  } catch (error) {
    if (error instanceof S3UrlError) throw new UsageError(error.message);
    throw error;
  }
  if (url.isPrefix || url.key === '') throw new UsageError('Name an object: ferry link s3://BUCKET/KEY --endpoint NAME');
  const seconds = options.expires === undefined ? MAX_LINK_SECONDS : parseDuration(options.expires);
  if (seconds === null)
    throw new UsageError(`--expires must be a duration such as 7d, 12h, 30m or 3600 (seconds), not "${options.expires}".`);
  if (seconds > MAX_LINK_SECONDS)
    throw new UsageError(`--expires ${options.expires}: a link can be valid for at most 7 days (the limit of S3 signatures, SigV4).`);
  const registry = openRegistry(ctx);
  try {
    const { profile, credentials } = await registry.resolve(registry.get(options.endpoint).id);
    const client = createS3Client(profile, credentials, { maxSockets: 1, socketTimeoutMs: 20_000 });
    try {
      line(ctx.io.stdout, await presignGet(client, url.bucket, url.key, seconds));
    } finally {
      client.destroy();
    }
    const days = seconds / 86400;
    line(ctx.io.stderr, `Anyone with this link can download the object for ${days >= 1 ? `${+days.toFixed(2)} days` : `${seconds} s`}.`);
    return EXIT.ok;
  } finally {
    registry.close();
  }
}
