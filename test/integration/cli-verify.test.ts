// `ferry verify`: an object checked against a local file without downloading it, whoever uploaded it.
import { beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { MiB } from '../../shared/partPlan.ts';
import { cliSuite, stackLines } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { flipByte, headEtag, makeFile } from '../harness/s3.ts';

const suite = cliSuite('cli-verify');
const { cli } = suite;
let client: S3Client;
let bucket: string;
beforeAll(() => {
  ({ client, bucket } = suite);
});

describe('ferry verify', () => {
  it('proves a multipart object uploaded by another tool with its own part size, and finds one changed byte', async () => {
    const ferry = await cli();
    const files = tempDir('verify-files');
    const file = await makeFile(files, 'other-tool.bin', 21 * MiB + 5, 301);
    // lib-storage with 6 MiB parts: a layout Ferry did not choose
    await new Upload({
      client,
      params: { Bucket: bucket, Key: 'v/other-tool.bin', Body: createReadStream(file.path) },
      partSize: 6 * MiB,
      queueSize: 2,
    }).done();

    const same = await ferry.run(['verify', `s3://${bucket}/v/other-tool.bin`, '--file', file.path, '--endpoint', 'rgw', '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ match: true, method: 'multipart-etag', partSize: 6 * MiB, partCount: 4 });

    await flipByte(file.path, 13 * MiB + 77);
    const changed = await ferry.run(['verify', `s3://${bucket}/v/other-tool.bin`, '--file', file.path, '--endpoint', 'rgw']);
    expect(changed.code).toBe(1);
    // (RGW 16 does not tell the part layout, so several layouts were tried: none gives the object's ETag)
    expect(changed.stderr).toMatch(/^(Different|Not proven): .*(holds other bytes|the bytes differ)/m);
    expect(changed.stdout).toBe('');
    expect(stackLines(changed.stderr)).toEqual([]);
  });

  it('proves a single-request object by its MD5 and tells a file of another size at once', async () => {
    const ferry = await cli();
    const files = tempDir('verify-files');
    const file = await makeFile(files, 'small.txt', 70_001, 302);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'v/small.txt', Body: await readFile(file.path) }));

    const same = await ferry.run(['verify', `s3://${bucket}/v/small.txt`, '--file', file.path, '--endpoint', 'rgw']);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain(`Identical: s3://${bucket}/v/small.txt holds the`);
    expect(same.stdout).toContain('(its MD5)');

    const other = await makeFile(files, 'longer.txt', 70_002, 302);
    const sized = await ferry.run(['verify', `s3://${bucket}/v/small.txt`, '--file', other.path, '--endpoint', 'rgw']);
    expect(sized.code).toBe(1);
    expect(sized.stderr).toContain('Different: The object has 70001 bytes, the file 70002.');
  });

  it('proves what ferry upload sent; a missing object or a prefix is bad input (exit 2)', async () => {
    const ferry = await cli();
    const files = tempDir('verify-files');
    const file = await makeFile(files, 'ferry.bin', 11 * MiB + 1, 303);
    const up = await ferry.run(['upload', file.path, `s3://${bucket}/v/ferry.bin`, '--endpoint', 'rgw', '--part-size', '5MiB']);
    expect(up.code, up.stderr).toBe(0);
    const same = await ferry.run(['verify', `s3://${bucket}/v/ferry.bin`, '--file', file.path, '--endpoint', 'rgw', '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ match: true, partSize: 5 * MiB, partCount: 3 });

    const missing = await ferry.run(['verify', `s3://${bucket}/v/none.bin`, '--file', file.path, '--endpoint', 'rgw']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`ferry: There is no object s3://${bucket}/v/none.bin.\n`);
    const prefix = await ferry.run(['verify', `s3://${bucket}/v/`, '--file', file.path, '--endpoint', 'rgw']);
    expect(prefix.code).toBe(2);
    expect(prefix.stderr).toContain('is a prefix');
  });

  it('ferry receipt: what was uploaded, where, how and how it was verified, for a multipart and a single upload', async () => {
    const ferry = await cli();
    const files = tempDir('receipt-files');
    const big = await makeFile(files, 'big.bin', 12 * MiB + 9, 304);
    const small = await makeFile(files, 'small.txt', 4321, 305);
    const queued = await ferry.run([
      'upload',
      big.path,
      small.path,
      `s3://${bucket}/r/`,
      '--endpoint',
      'rgw',
      '--part-size',
      '5MiB',
      '--detach',
    ]);
    expect(queued.code, queued.stderr).toBe(0);
    const [bigId, smallId] = queued.stdout.trim().split('\n');

    const early = await ferry.run(['receipt', bigId!]);
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('only a completed upload has a receipt');

    expect((await ferry.run(['run'])).code).toBe(0);
    const multipart = await ferry.run(['receipt', bigId!.slice(0, 8), '--json']);
    expect(multipart.code, multipart.stderr).toBe(0);
    const receipt = JSON.parse(multipart.stdout);
    expect(receipt).toMatchObject({
      jobId: bigId,
      file: { path: big.path, size: 12 * MiB + 9 },
      destination: { endpoint: 'rgw', bucket, key: 'r/big.bin', url: `s3://${bucket}/r/big.bin` },
      upload: { method: 'multipart', partSize: 5 * MiB, partCount: 3 },
      etag: await headEtag(client, bucket, 'r/big.bin'),
      verification: { method: 'multipart-etag', passed: true },
    });
    expect(receipt.upload.checksums.parts.map((p: { size: number }) => p.size)).toEqual([5 * MiB, 5 * MiB, 2 * MiB + 9]);
    expect(receipt.upload.checksums.algorithm).toBe('SHA-256');
    expect(receipt.upload.checksums.parts.every((p: { sha256?: string }) => /^[0-9a-f]{64}$/.test(p.sha256 ?? ''))).toBe(true);
    expect(receipt.verification.expectedEtag).toBe(receipt.etag);

    const single = await ferry.run(['receipt', smallId!]);
    expect(single.code, single.stderr).toBe(0);
    expect(single.stdout).toContain(`to          s3://${bucket}/r/small.txt on rgw`);
    // the endpoint was probed on its first upload: RGW validates signed SHA-256 payloads (issue #14)
    expect(single.stdout).toContain('as          one request with a signed SHA-256 payload');
    expect(single.stdout).toContain('verified    by the server on arrival (a signed SHA-256 payload)');
  });
});
