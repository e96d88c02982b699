/**
 * Does the server honour conditional writes (`If-None-Match: *`) on PutObject and on
 * CompleteMultipartUpload? `--if-exists skip|rename|fail` rely on them to refuse a writer that raced
 * in between the existence check and the write (AWS S3 since 2024-08; Ceph RGW 16 on PutObject only).
 * Asked for real, on a probe key that is deleted afterwards: a server that ignores the header
 * overwrites the probe object instead of answering 412.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { isPreconditionFailed } from './objectOptions.ts';

export interface ConditionalWrites {
  putObject: boolean;
  completeMultipartUpload: boolean;
}

export async function detectConditionalWrites(client: S3Client, bucket: string, signal?: AbortSignal): Promise<ConditionalWrites> {
  const key = `.ferry-probe-${randomUUID()}`;
  const send = { abortSignal: signal };
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'ferry probe' }), send);
    const putObject = await client
      .send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'ferry probe 2', IfNoneMatch: '*' }), send)
      .then(
        () => false,
        (error: unknown) => {
          if (isPreconditionFailed(error)) return true;
          throw error;
        },
      );
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }), send);
    let completeMultipartUpload = false;
    try {
      const part = await client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, PartNumber: 1, Body: Buffer.from('probe') }),
        send,
      );
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: created.UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
          IfNoneMatch: '*',
        }),
        send,
      );
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      completeMultipartUpload = true;
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId }), send)
        .catch(() => undefined);
    }
    return { putObject, completeMultipartUpload };
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), send).catch(() => undefined);
  }
}

/** What `endpoint test` says about it. */
export function describeConditionalWrites(found: ConditionalWrites): string | null {
  if (found.putObject && found.completeMultipartUpload) return null;
  const missing = [!found.putObject ? 'PutObject' : '', !found.completeMultipartUpload ? 'CompleteMultipartUpload' : ''].filter(Boolean);
  return `The server ignores conditional writes (If-None-Match) on ${missing.join(' and ')}: --if-exists skip, rename and fail check first and then write${found.putObject ? ' multipart uploads' : ''}, so a writer racing in between can be overwritten.`;
}
