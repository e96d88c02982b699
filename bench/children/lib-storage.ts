// Peer: @aws-sdk/lib-storage's Upload, as a user of the SDK would write it: 16 MiB parts, queueSize 8,
// checksums only WHEN_REQUIRED (Ceph RGW 16.2 rejects the SDK's default aws-chunked CRC32 uploads), a read
// stream as the body. A directory goes up through a small pool of file workers, one Upload per file.
// Started by bench/run.ts in its own process, so that its CPU and memory are measured alone.
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { filesUnder, readChildConfig, type Source } from '../lib/files.ts';

const config = readChildConfig();
const client = new S3Client({
  endpoint: config.endpoint,
  region: config.region,
  forcePathStyle: true,
  credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});

async function upload(source: Source): Promise<void> {
  const upload = new Upload({
    client,
    params: { Bucket: config.bucket, Key: source.key, Body: createReadStream(source.path) },
    partSize: config.partSize,
    queueSize: config.concurrency,
    leavePartsOnError: false,
  });
  await upload.done();
}

const sources: Source[] = config.file ? [config.file] : config.dir ? await filesUnder(config.dir.path, config.dir.prefix) : [];
let next = 0;
const worker = async () => {
  while (next < sources.length) await upload(sources[next++]!);
};
await Promise.all(Array.from({ length: Math.max(1, Math.min(config.workers ?? 1, sources.length)) }, worker));
client.destroy();
