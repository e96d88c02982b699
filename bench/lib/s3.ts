// S3 helpers of the benchmark: expected ETags of local files, checking what a client stored, and emptying
// buckets between runs. The test server itself and the basic helpers come from the test harness.
import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { RgwServer } from '../../test/harness/rgw.ts';
import { listUploads, objectSha256 } from '../../test/harness/s3.ts';
import type { TestS3 } from '../../test/harness/s3env.ts';

export function testS3Of(server: RgwServer): TestS3 {
  return {
    endpoint: server.endpoint,
    region: server.region,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
  };
}

/**
 * The ETag S3 gives an object uploaded from this file: the MD5 of the content for a single PUT (when
 * `partSize` >= size), else `md5(concat(md5(part_i)))-N`. Reads the file once.
 */
export async function expectedEtag(file: string, size: number, partSize: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.min(8 * 1024 * 1024, Math.max(1, size)));
    const partMd5s: Buffer[] = [];
    let position = 0;
    let hash = createHash('md5');
    let inPart = 0;
    while (position < size) {
      const want = Math.min(buffer.length, size - position, partSize - inPart);
      const { bytesRead } = await fh.read(buffer, 0, want, position);
      if (bytesRead === 0) throw new Error(`${file} is shorter than ${size} bytes`);
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
      inPart += bytesRead;
      if (inPart === partSize || position === size) {
        partMd5s.push(hash.digest());
        hash = createHash('md5');
        inPart = 0;
      }
    }
    if (size === 0) return createHash('md5').digest('hex');
    if (partSize >= size) return partMd5s[0]!.toString('hex');
    return `${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${partMd5s.length}`;
  } finally {
    await fh.close();
  }
}

/** The multipart ETag of `partCount` identical parts whose MD5 is `partMd5` (a sparse file of zeros). */
export function repeatedPartEtag(partMd5: Buffer, partCount: number): string {
  const hash = createHash('md5');
  for (let i = 0; i < partCount; i++) hash.update(partMd5);
  return `${hash.digest('hex')}-${partCount}`;
}

export interface Expected {
  size: number;
  /** the ETag, or the ETags a correct upload may have (single PUT or multipart: each checks the content) */
  etag: string | readonly string[];
}

/** HeadObject: size and ETag as expected, else throws saying what differs. */
export async function verifyObject(client: S3Client, bucket: string, key: string, expected: Expected): Promise<void> {
  const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const etag = (head.ETag ?? '').replace(/^"|"$/g, '');
  if (head.ContentLength !== expected.size) {
    throw new Error(`s3://${bucket}/${key}: size ${head.ContentLength}, expected ${expected.size}`);
  }
  const allowed = typeof expected.etag === 'string' ? [expected.etag] : expected.etag;
  if (!allowed.includes(etag)) throw new Error(`s3://${bucket}/${key}: ETag ${etag}, expected ${allowed.join(' or ')}`);
}

/** GetObject and compare the content's SHA-256. */
export async function verifySha256(client: S3Client, bucket: string, key: string, sha256: string): Promise<void> {
  const actual = await objectSha256(client, bucket, key);
  if (actual !== sha256) throw new Error(`s3://${bucket}/${key}: content SHA-256 ${actual}, expected ${sha256}`);
}

export async function listAllObjects(client: S3Client, bucket: string): Promise<Array<{ key: string; size: number; etag: string }>> {
  const out: Array<{ key: string; size: number; etag: string }> = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      out.push({ key: o.Key ?? '', size: o.Size ?? -1, etag: (o.ETag ?? '').replace(/^"|"$/g, '') });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/**
 * A directory upload: the bucket holds exactly one object per file, whose key ends with the file's relative
 * path (tools differ on whether the directory's own name is part of the key), with the file's size and MD5.
 * Returns the key of the first file (for a content check).
 */
export async function verifyDirectory(
  client: S3Client,
  bucket: string,
  files: ReadonlyMap<string, { size: number; md5: string }>,
): Promise<string> {
  const objects = await listAllObjects(client, bucket);
  if (objects.length !== files.size) throw new Error(`s3://${bucket}: ${objects.length} objects, expected ${files.size}`);
  const seen = new Set<string>();
  let firstKey = '';
  for (const o of objects) {
    const name = o.key.slice(o.key.lastIndexOf('/') + 1);
    const file = files.get(name);
    if (!file) throw new Error(`s3://${bucket}/${o.key}: no such local file`);
    if (seen.has(name)) throw new Error(`s3://${bucket}: ${name} stored twice`);
    seen.add(name);
    if (o.size !== file.size || o.etag !== file.md5) {
      throw new Error(`s3://${bucket}/${o.key}: size ${o.size} ETag ${o.etag}, expected ${file.size} ${file.md5}`);
    }
    if (firstKey === '' || o.key < firstKey) firstKey = o.key;
  }
  return firstKey;
}

/** Deletes every object and incomplete upload in the bucket, then the bucket. */
export async function deleteBucket(client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
    const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
    if (keys.length === 0) break;
    await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
  }
  for (const upload of await listUploads(client, bucket)) {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }));
  }
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}
