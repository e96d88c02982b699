// Helpers for integration tests and benchmarks: an SDK client for the test server, unique buckets, hashes
// of stored objects, the multipart state the server holds, and large deterministic test files.
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { CommandRequest } from '../../shared/contract.ts';
import type { TestS3 } from './s3env.ts';

/** The test server as a host's addEndpoint command takes it: path-style, named `name`, with its static key. */
export function testEndpointInput(s3: TestS3, name = 'rgw'): CommandRequest<'addEndpoint'> {
  return {
    name,
    url: s3.endpoint,
    region: s3.region,
    addressing: 'path',
    checksums: 'when-required',
    credential: { kind: 'static', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  };
}

/**
 * An S3Client for the test server. Checksums only WHEN_REQUIRED: Ceph RGW 16.2 rejects the SDK's default
 * aws-chunked upload with a CRC32 trailer (411 MissingContentLength), and validates no flexible checksums.
 */
export function testClient(s3: TestS3): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/**
 * A valid bucket name from a hint: lowercase letters, digits and hyphens, 3-63 characters (RGW answers
 * InvalidBucketName to shorter ones), with a random suffix so parallel tests and reruns never collide.
 */
export function bucketName(hint: string): string {
  const suffix = randomBytes(6).toString('hex'); // 12 characters
  let base = hint
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (base.startsWith('xn--') || base.startsWith('sthree-')) base = `b-${base}`;
  base = base.slice(0, 63 - 1 - suffix.length).replace(/-+$/, '');
  return base ? `${base}-${suffix}` : `ferry-${suffix}`;
}

/** Creates a bucket with a unique name derived from hint and returns its name. */
export async function createTestBucket(s3: TestS3, hint: string): Promise<string> {
  const name = bucketName(hint);
  const client = testClient(s3);
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
  return name;
}

/** SHA-256 (hex) of an object's content, streamed. */
export async function objectSha256(client: S3Client, bucket: string, key: string): Promise<string> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!res.Body) throw new Error(`GetObject s3://${bucket}/${key}: no body`);
  const hash = createHash('sha256');
  for await (const chunk of res.Body as AsyncIterable<Uint8Array>) hash.update(chunk);
  return hash.digest('hex');
}

/**
 * The object's ETag from HeadObject, without the surrounding quotes (e.g. `9b2cf535f27731c974343645a3985328`
 * or, for a multipart object, `<md5 of the parts' md5s>-N`). Use this rather than CompleteMultipartUpload's
 * ETag, which RGW 16.2 leaves empty.
 */
export async function headEtag(client: S3Client, bucket: string, key: string): Promise<string> {
  const res = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return (res.ETag ?? '').replace(/^"|"$/g, '');
}

/** All multipart uploads in progress in a bucket (every page), optionally under a prefix. */
export async function listUploads(client: S3Client, bucket: string, prefix?: string): Promise<Array<{ key: string; uploadId: string }>> {
  const out: Array<{ key: string; uploadId: string }> = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const res = await client.send(
      new ListMultipartUploadsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
    );
    for (const u of res.Uploads ?? []) {
      if (u.Key !== undefined && u.UploadId !== undefined) out.push({ key: u.Key, uploadId: u.UploadId });
    }
    if (!res.IsTruncated) return out;
    if (res.NextKeyMarker === keyMarker && res.NextUploadIdMarker === uploadIdMarker) {
      throw new Error(`ListMultipartUploads s3://${bucket}: truncated page without a new marker`);
    }
    keyMarker = res.NextKeyMarker;
    uploadIdMarker = res.NextUploadIdMarker;
  }
}

function isUploadGone(err: unknown): boolean {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const name = e?.name ?? e?.Code;
  // AWS answers NoSuchUpload; Ceph RGW answers 404 NoSuchKey for a completed, aborted or unknown upload
  return name === 'NoSuchUpload' || name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

/** The part numbers the server holds for an upload (every page of ListParts); [] when the upload is gone. */
export async function listPartNumbers(client: S3Client, bucket: string, key: string, uploadId: string): Promise<number[]> {
  const out: number[] = [];
  let marker: string | undefined;
  try {
    for (;;) {
      const res = await client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }));
      for (const p of res.Parts ?? []) if (p.PartNumber !== undefined) out.push(p.PartNumber);
      if (!res.IsTruncated) return out;
      if (res.NextPartNumberMarker === undefined || res.NextPartNumberMarker === marker) {
        throw new Error(`ListParts s3://${bucket}/${key}: truncated page without a new marker`);
      }
      marker = res.NextPartNumberMarker;
    }
  } catch (err) {
    if (isUploadGone(err)) return [];
    throw err;
  }
}

const CHUNK = 8 * 1024 * 1024;

/**
 * Writes `size` bytes of deterministic, incompressible pseudorandom data to dir/name (the AES-256-CTR keystream
 * of a key derived from seed: ~1 GiB/s, so 300 MiB takes well under a second) and returns its SHA-256.
 * Same (size, seed) -> same bytes, on every machine.
 */
export async function makeFile(dir: string, name: string, size: number, seed = 1): Promise<{ path: string; sha256: string }> {
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`makeFile: bad size ${size}`);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  const key = createHash('sha256').update(`ferry-test-file:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(Math.min(CHUNK, size));
  const hash = createHash('sha256');
  const fh = await open(file, 'w');
  const writeAll = async (data: Buffer) => {
    let off = 0;
    while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
  };
  let pending: Promise<void> = Promise.resolve();
  try {
    let left = size;
    while (left > 0) {
      const n = Math.min(CHUNK, left);
      const data = cipher.update(n === zeros.length ? zeros : zeros.subarray(0, n));
      hash.update(data);
      await pending; // one write in flight while the next chunk is generated and hashed
      pending = writeAll(data);
      left -= n;
    }
    await pending;
  } finally {
    await pending.catch(() => {});
    await fh.close();
  }
  return { path: file, sha256: hash.digest('hex') };
}

/** SHA-256 (hex) of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Flips one byte of the file at `offset`, keeping its size: a local change a part hash must notice. */
export async function flipByte(path: string, offset: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, offset);
  } finally {
    await handle.close();
  }
}
