/** `ferry verify s3://BUCKET/KEY --file PATH --endpoint NAME [--json]`: the object against a local file, without downloading it. */
import { S3Gateway } from '../../engine/gateway.ts';
import { createS3Client } from '../../engine/s3Client.ts';
import { verifyObject } from '../../engine/verify.ts';
import { formatBytes } from '../../../shared/partPlan.ts';
import { S3UrlError, parseS3Url } from '../../../shared/s3Url.ts';
import { openRegistry, type Context } from '../context.ts';
import { EXIT, UsageError, line } from '../output.ts';

export interface VerifyOptions {
  file: string;
  endpoint: string;
  json?: boolean;
}

/** Exit 0: the object holds exactly the file's bytes; 1: it differs, or the server cannot prove it; 2: bad input. */
export async function verify(ctx: Context, url: string, options: VerifyOptions): Promise<number> {
  let target;
  try {
    target = parseS3Url(url);
  } catch (error) {
    if (error instanceof S3UrlError) throw new UsageError(error.message);
    throw error;
  }
  if (target.isPrefix) throw new UsageError(`"${url}" is a prefix: name one object, s3://BUCKET/KEY.`);
  const registry = openRegistry(ctx);
  const endpoint = registry.get(options.endpoint);
  const { profile, credentials } = await registry.resolve(endpoint.id);
  const client = createS3Client(profile, credentials, { maxSockets: 2, socketTimeoutMs: 30_000 });
  try {
    const result = await verifyObject(
      new S3Gateway(client, endpoint, null),
      { bucket: target.bucket, key: target.key },
      options.file,
      new AbortController().signal,
    );
    if (options.json) {
      line(ctx.io.stdout, JSON.stringify({ bucket: target.bucket, key: target.key, file: options.file, ...result }, null, 2));
    } else if (result.match === true) {
      const how = result.method === 'md5' ? 'its MD5' : `its multipart ETag, ${result.partCount} parts of ${formatBytes(result.partSize!)}`;
      line(
        ctx.io.stdout,
        `Identical: s3://${target.bucket}/${target.key} holds the ${formatBytes(result.fileSize)} of ${options.file} (${how}).`,
      );
    } else {
      line(ctx.io.stderr, `${result.match === false ? 'Different' : 'Not proven'}: ${result.reason}`);
    }
    return result.match === true ? EXIT.ok : EXIT.failed;
  } finally {
    client.destroy();
  }
}
