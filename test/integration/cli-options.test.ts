// Issue #12 against the real server: what `ferry upload` sends with an object (content type, headers,
// metadata, tags, storage class, ACL, SSE-C, SSE-KMS), --if-exists, --bwlimit and `ferry limit`,
// `ferry link`, per-endpoint defaults, and the bad input refused before anything is queued. The test
// RGW (test/harness/rgw-start.sh) has SSE-C over HTTP, the testing KMS backend and a storage class COLD.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MiB } from '../../shared/partPlan.ts';
import { FerryCli, cliSuite, lines, serverParts, stackLines } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { presignGet } from '../../main/engine/presign.ts';

const s3 = inject('s3');
const suite = cliSuite('cli-options');
const { cli } = suite;
let client: S3Client;
let bucket: string;
const files = tempDir('cli-options-files');
beforeAll(() => {
  ({ client, bucket } = suite);
});

const head = (key: string, sseCKey?: string) =>
  client.send(
    new HeadObjectCommand({
      Bucket: bucket,
      Key: key,
      ...(sseCKey ? { SSECustomerAlgorithm: 'AES256', SSECustomerKey: sseCKey } : {}),
    }),
  );
const tags = async (key: string) =>
  Object.fromEntries(
    ((await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }))).TagSet ?? []).map((t) => [t.Key, t.Value]),
  );
const text = async (key: string) => (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
const upload = (ferry: FerryCli, path: string, key: string, ...flags: string[]) =>
  ferry.run(['upload', path, `s3://${bucket}/${key}`, '--endpoint', 'rgw', ...flags]);

describe('what an object is sent with', () => {
  it('guesses the content type from the file name; --no-guess-mime-type and --content-type override it', async () => {
    const ferry = await cli();
    const dir = join(files, 'types');
    const expected: Record<string, string> = {
      'a.html': 'text/html',
      'a.css': 'text/css',
      'a.js': 'text/javascript',
      'a.json': 'application/json',
      'a.png': 'image/png',
      'a.jpg': 'image/jpeg',
      'a.mp4': 'video/mp4',
      'a.pdf': 'application/pdf',
      'a.txt': 'text/plain',
      'a.qqxq': 'application/octet-stream',
    };
    for (const name of Object.keys(expected)) await makeFile(dir, name, 100, 1);
    const result = await ferry.run(['upload', dir, `s3://${bucket}/types/`, '--endpoint', 'rgw']);
    expect(result.code, result.stderr).toBe(0);
    for (const [name, type] of Object.entries(expected)) expect([name, (await head(`types/${name}`)).ContentType]).toEqual([name, type]);

    const fixed = await upload(ferry, join(dir, 'a.html'), 'types/fixed.html', '--content-type', 'text/plain; charset=utf-8');
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await head('types/fixed.html')).ContentType).toBe('text/plain; charset=utf-8');
    const unguessed = await upload(ferry, join(dir, 'a.html'), 'types/unguessed.html', '--no-guess-mime-type');
    expect(unguessed.code, unguessed.stderr).toBe(0);
    expect((await head('types/unguessed.html')).ContentType).not.toBe('text/html');
  });

  it('sends each header option, metadata, tags, storage class and ACL (single PUT and multipart alike)', async () => {
    const ferry = await cli();
    const small = await makeFile(files, 'headers.bin', 1000, 2);
    const big = await makeFile(files, 'headers-big.bin', 11 * MiB, 3);
    const flags = [
      '--cache-control',
      'max-age=3600',
      '--content-disposition',
      'attachment; filename="report.bin"',
      '--content-encoding',
      'identity',
      '--content-language',
      'de-CH',
      '--expires',
      '2031-02-03T04:05:06Z',
      '--metadata',
      'project=ferry',
      '--metadata',
      'Owner=Ops Team',
      '--tag',
      'team=storage',
      '--tag',
      'tier=cold data',
      '--storage-class',
      'COLD',
      '--acl',
      'public-read',
    ];
    for (const [file, key] of [
      [small, 'headers/small.bin'],
      [big, 'headers/big.bin'],
    ] as const) {
      const result = await upload(ferry, file.path, key, ...flags, '--part-size', '5MiB');
      expect(result.code, result.stderr).toBe(0);
      const h = await head(key);
      expect({
        key,
        cacheControl: h.CacheControl,
        contentDisposition: h.ContentDisposition,
        contentEncoding: h.ContentEncoding,
        contentLanguage: h.ContentLanguage,
        expires: h.Expires?.toISOString(),
        metadata: h.Metadata,
        storageClass: h.StorageClass,
      }).toEqual({
        key,
        cacheControl: 'max-age=3600',
        contentDisposition: 'attachment; filename="report.bin"',
        contentEncoding: 'identity',
        contentLanguage: 'de-CH',
        expires: '2031-02-03T04:05:06.000Z',
        metadata: { project: 'ferry', owner: 'Ops Team' },
        storageClass: 'COLD',
      });
      expect(await tags(key)).toEqual({ team: 'storage', tier: 'cold data' });
      // public-read: a plain GET without credentials gets the bytes
      const anonymous = await fetch(`${s3.endpoint}/${bucket}/${key}`);
      expect(anonymous.status).toBe(200);
      expect(await objectSha256(client, bucket, key)).toBe(file.sha256);
    }
    const privateResult = await upload(ferry, small.path, 'headers/private.bin', '--acl', 'private');
    expect(privateResult.code, privateResult.stderr).toBe(0);
    expect((await fetch(`${s3.endpoint}/${bucket}/headers/private.bin`)).status).toBe(403);

    const [job] = (await ferry.jobs()).filter((j) => j.key === 'headers/big.bin');
    expect(job!.options).toEqual({
      contentType: 'application/octet-stream',
      cacheControl: 'max-age=3600',
      contentDisposition: 'attachment; filename="report.bin"',
      contentEncoding: 'identity',
      contentLanguage: 'de-CH',
      expires: '2031-02-03T04:05:06.000Z',
      metadata: { project: 'ferry', Owner: 'Ops Team' },
      tags: { team: 'storage', tier: 'cold data' },
      storageClass: 'COLD',
      acl: 'public-read',
      sse: null,
      sseKmsKeyId: null,
      sseC: false,
      ifExists: 'overwrite',
    });
  });

  it('SSE-KMS with a known key is stored encrypted; an unknown key or storage class fails the job at once, in words', async () => {
    const ferry = await cli();
    const file = await makeFile(files, 'kms.bin', 2000, 4);
    const kms = await upload(ferry, file.path, 'kms/ok.bin', '--sse', 'aws:kms', '--sse-kms-key-id', 'testkey-1');
    expect(kms.code, kms.stderr).toBe(0);
    const h = await head('kms/ok.bin');
    expect([h.ServerSideEncryption, h.SSEKMSKeyId]).toEqual(['aws:kms', 'testkey-1']);

    const badKey = await upload(ferry, file.path, 'kms/bad.bin', '--sse', 'aws:kms', '--sse-kms-key-id', 'no-such-key');
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/refused the KMS key "no-such-key"/);
    expect(badKey.stderr).not.toMatch(/retrying/);
    const badClass = await upload(ferry, file.path, 'kms/class.bin', '--storage-class', 'NO_SUCH_CLASS');
    expect(badClass.code).toBe(1);
    expect(badClass.stderr).toMatch(/may not accept the storage class NO_SUCH_CLASS/);
    expect(badClass.stderr).not.toMatch(/retrying/);
    expect(stackLines(badKey.stderr + badClass.stderr)).toEqual([]);
  });

  it('SSE-C: every request carries the key, kept across SIGKILL and ferry run; the key never shows; HeadObject needs it', async () => {
    const ferry = await cli();
    const keyBytes = randomBytes(32);
    const keyFile = join(files, 'sse-c.key');
    writeFileSync(keyFile, keyBytes);
    const file = await makeFile(files, 'ssec.bin', 30 * MiB + 5, 5);
    const key = 'ssec/big.bin';
    const running = ferry.start([
      'upload',
      file.path,
      `s3://${bucket}/${key}`,
      '--endpoint',
      'rgw',
      '--sse-c-key-file',
      keyFile,
      '--part-size',
      '5MiB',
      '--concurrency',
      '1',
      '--tag',
      'kept=yes',
      '--content-type',
      'application/x-kept',
      '--storage-class',
      'COLD',
      // slow enough that the upload is still running when it is killed
      '--bwlimit',
      '4MiB/s',
    ]);
    await serverParts(client, bucket, key, 1, running);
    running.child.kill('SIGKILL');
    expect((await running.exited).signal).toBe('SIGKILL');

    const [killed] = await ferry.jobs();
    expect(killed!.state).not.toBe('completed');
    expect(killed!.options).toMatchObject({ sseC: true, tags: { kept: 'yes' }, contentType: 'application/x-kept', storageClass: 'COLD' });

    const ran = await ferry.run(['run']);
    expect(ran.code, ran.stderr).toBe(0);
    const base64 = keyBytes.toString('base64');
    const h = await head(key, base64);
    expect([h.ContentType, h.StorageClass, h.SSECustomerAlgorithm, h.ContentLength]).toEqual([
      'application/x-kept',
      'COLD',
      'AES256',
      30 * MiB + 5,
    ]);
    expect(await tags(key)).toEqual({ kept: 'yes' });
    await expect(head(key)).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    // the key is in no output and in no file of the data directory, in any spelling
    expect(ferry.secretLeaks(base64)).toEqual([]);
    expect(ferry.secretLeaks(keyBytes.toString('hex'))).toEqual([]);
    for (const dataFile of ferry.dataFiles()) {
      const { readFileSync } = await import('node:fs');
      expect([dataFile, readFileSync(dataFile).includes(keyBytes)]).toEqual([dataFile, false]);
    }
  });
});

describe('--if-exists', () => {
  it('overwrite, skip, skip-identical, rename and fail do what they say', async () => {
    const ferry = await cli();
    const dir = join(files, 'exists');
    writeFileSync(join(files, 'v1.txt'), 'version one');
    writeFileSync(join(files, 'v2.txt'), 'version two!');
    const key = 'exists/report.txt';
    expect((await upload(ferry, join(files, 'v1.txt'), key)).code).toBe(0);

    const skip = await upload(ferry, join(files, 'v2.txt'), key, '--if-exists', 'skip');
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stderr).toMatch(/^skipped s3:\/\/.*report\.txt/m);
    expect(await text(key)).toBe('version one');

    const failed = await upload(ferry, join(files, 'v2.txt'), key, '--if-exists', 'fail');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/exists; --if-exists fail leaves it as it is/);
    expect(await text(key)).toBe('version one');

    const renamed = await upload(ferry, join(files, 'v2.txt'), key, '--if-exists', 'rename');
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(await text('exists/report (1).txt')).toBe('version two!');
    const renamedAgain = await upload(ferry, join(files, 'v2.txt'), key, '--if-exists', 'rename');
    expect(renamedAgain.code, renamedAgain.stderr).toBe(0);
    expect(await text('exists/report (2).txt')).toBe('version two!');

    const same = await upload(ferry, join(files, 'v1.txt'), key, '--if-exists', 'skip-identical');
    expect(same.stderr).toMatch(/^skipped /m);
    const different = await upload(ferry, join(files, 'v2.txt'), key, '--if-exists', 'skip-identical');
    expect(different.stderr).toMatch(/^completed /m);
    expect(await text(key)).toBe('version two!');

    // multipart: skip-identical compares the multipart ETag for the same part size
    const big = await makeFile(dir, 'big.bin', 12 * MiB, 6);
    expect((await upload(ferry, big.path, 'exists/big.bin', '--part-size', '5MiB')).code).toBe(0);
    const bigSame = await upload(ferry, big.path, 'exists/big.bin', '--part-size', '5MiB', '--if-exists', 'skip-identical');
    expect(bigSame.stderr).toMatch(/^skipped /m);

    const overwrite = await upload(ferry, join(files, 'v1.txt'), key);
    expect(overwrite.code).toBe(0);
    expect(await text(key)).toBe('version one');

    const jobs = await ferry.jobs();
    expect(jobs.filter((j) => j.skipped).length).toBe(3);
    expect(jobs.map((j) => j.key)).toContain('exists/report (2).txt');
  });

  it('two uploads racing to one key with --if-exists fail: exactly one wins, the other is refused (If-None-Match)', async () => {
    const [one, two] = [await cli(), await cli()];
    writeFileSync(join(files, 'race-1.txt'), 'writer one');
    writeFileSync(join(files, 'race-2.txt'), 'writer two');
    const key = 'race/one-key.txt';
    const results = await Promise.all([
      upload(one, join(files, 'race-1.txt'), key, '--if-exists', 'fail'),
      upload(two, join(files, 'race-2.txt'), key, '--if-exists', 'fail'),
    ]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 1]);
    const winner = results[0]!.code === 0 ? 'writer one' : 'writer two';
    expect(await text(key)).toBe(winner);
    expect(results.find((r) => r.code === 1)!.stderr).toMatch(/--if-exists fail leaves it as it is/);
  });

  it('endpoint test --bucket says that RGW 16 ignores If-None-Match on CompleteMultipartUpload (multipart is check-then-write)', async () => {
    const ferry = await cli();
    const tested = await ferry.run(['endpoint', 'test', 'rgw', '--bucket', bucket]);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stderr).toMatch(
      /ignores conditional writes \(If-None-Match\) on CompleteMultipartUpload: .* check first and then write multipart uploads/,
    );
    expect(tested.stderr).not.toMatch(/on PutObject/);
  });

  it('a conditional PutObject is refused by this server when the key exists (what `If-None-Match: *` relies on)', async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'race/conditional.txt', Body: 'first' }));
    await expect(
      client.send(new PutObjectCommand({ Bucket: bucket, Key: 'race/conditional.txt', Body: 'second', IfNoneMatch: '*' })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
  });
});

describe('bandwidth', () => {
  it('--bwlimit 20MiB/s keeps a 100 MiB upload within 15% of the limit', async () => {
    const ferry = await cli();
    const file = await makeFile(files, 'bw.bin', 100 * MiB, 7);
    const running = ferry.start(['upload', file.path, `s3://${bucket}/bw/100.bin`, '--endpoint', 'rgw', '--bwlimit', '20MiB/s']);
    await running.stderrLine(/^uploading /);
    const started = performance.now();
    const result = await running.exited;
    const seconds = (performance.now() - started) / 1000;
    expect(result.code, result.stderr).toBe(0);
    const rate = (100 * MiB) / seconds / MiB;
    console.log(`--bwlimit 20MiB/s: 100 MiB in ${seconds.toFixed(2)} s = ${rate.toFixed(2)} MiB/s`);
    expect(rate).toBeLessThanOrEqual(20 * 1.15);
    expect(await objectSha256(client, bucket, 'bw/100.bin')).toBe(file.sha256);
  });

  it('ferry limit changes the rate of a running upload', async () => {
    const ferry = await cli();
    const size = 24 * MiB;
    const file = await makeFile(files, 'limit.bin', size, 8);
    const running = ferry.start(['upload', file.path, `s3://${bucket}/bw/limit.bin`, '--endpoint', 'rgw', '--bwlimit', '1MiB/s']);
    await running.stderrLine(/^uploading /);
    const started = performance.now();
    const changed = await ferry.run(['limit', '500MiB/s']);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toMatch(/Bandwidth limit set to 500 MiB\/s in the running Ferry process/);
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(0);
    // at the old 1 MiB/s the token bucket lets 24 MiB through in no less than 24 s
    const seconds = (performance.now() - started) / 1000;
    console.log(`ferry limit: 24 MiB finished ${seconds.toFixed(2)} s after the limit went from 1 MiB/s to 500 MiB/s`);
    expect(seconds).toBeLessThan(size / MiB);

    const off = await ferry.run(['limit', 'off']);
    expect(off.code).not.toBe(0);
    expect(lines(off.stderr)).toEqual([expect.stringMatching(/No running Ferry process owns this data directory/)]);
    const bad = await ferry.run(['limit', 'fast']);
    expect(bad.code).toBe(2);
  });
});

describe('ferry link', () => {
  it('prints a presigned URL that plain HTTP can fetch; one past its expiry is refused; more than 7 days is refused in words', async () => {
    const ferry = await cli();
    writeFileSync(join(files, 'shared.txt'), 'shared bytes');
    expect((await upload(ferry, join(files, 'shared.txt'), 'link/shared.txt', '--acl', 'private')).code).toBe(0);
    const linked = await ferry.run(['link', `s3://${bucket}/link/shared.txt`, '--endpoint', 'rgw', '--expires', '1h']);
    expect(linked.code, linked.stderr).toBe(0);
    const url = lines(linked.stdout)[0]!;
    expect(url).toMatch(/X-Amz-Expires=3600/);
    const got = await fetch(url);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('shared bytes');

    // signed two hours ago for one hour: past its expiry
    const signer = testClient(s3);
    const expired = await presignGet(signer, bucket, 'link/shared.txt', 3600, new Date(Date.now() - 2 * 3600_000));
    signer.destroy();
    expect((await fetch(expired)).status).toBe(403);

    const tooLong = await ferry.run(['link', `s3://${bucket}/link/shared.txt`, '--endpoint', 'rgw', '--expires', '8d']);
    expect(tooLong.code).toBe(2);
    expect(lines(tooLong.stderr)).toEqual([expect.stringMatching(/at most 7 days/)]);
  });
});

describe('per-endpoint defaults and bad input', () => {
  it('an endpoint default applies unless the upload says otherwise', async () => {
    const ferry = suite.track(new FerryCli());
    const added = await ferry.run(
      [
        'endpoint',
        'add',
        'rgw',
        '--url',
        s3.endpoint,
        '--region',
        s3.region,
        '--path-style',
        '--access-key-id',
        s3.accessKeyId,
        '--secret-stdin',
        '--default-storage-class',
        'COLD',
        '--default-cache-control',
        'no-cache',
      ],
      { input: s3.secretAccessKey },
    );
    expect(added.code, added.stderr).toBe(0);
    writeFileSync(join(files, 'defaults.txt'), 'defaults');
    expect((await upload(ferry, join(files, 'defaults.txt'), 'defaults/a.txt')).code).toBe(0);
    const a = await head('defaults/a.txt');
    expect([a.StorageClass, a.CacheControl]).toEqual(['COLD', 'no-cache']);
    expect((await upload(ferry, join(files, 'defaults.txt'), 'defaults/b.txt', '--cache-control', 'max-age=1')).code).toBe(0);
    const b = await head('defaults/b.txt');
    expect([b.StorageClass, b.CacheControl]).toEqual(['COLD', 'max-age=1']);
  });

  it('malformed options exit 2 in one line before anything is queued', async () => {
    const ferry = await cli();
    writeFileSync(join(files, 'bad.txt'), 'bad');
    const shortKey = join(files, 'short.key');
    writeFileSync(shortKey, randomBytes(31));
    const cases: [string[], RegExp][] = [
      [['--tag', 'novalue'], /--tag must be KEY=VALUE/],
      [['--metadata', 'novalue'], /--metadata must be KEY=VALUE/],
      [['--metadata', 'bad key=1'], /metadata key may contain/],
      [Array.from({ length: 11 }, (_, i) => ['--tag', `k${i}=v`]).flat(), /More than 10 tags/],
      [['--tag', `${'k'.repeat(129)}=v`], /tag key is longer than 128/],
      [['--tag', `k=${'v'.repeat(257)}`], /tag value is longer than 256/],
      [['--metadata', `big=${'x'.repeat(2100)}`], /metadata is larger than 2048 bytes/],
      [['--sse-c-key-file', shortKey], /must hold exactly 32 bytes, not 31/],
      [['--expires', 'someday'], /--expires must be a date/],
      [['--bwlimit', 'fast'], /--bwlimit must be a rate/],
      [['--acl', 'everyone'], /The ACL must be one of/],
      [['--if-exists', 'maybe'], /--if-exists must be one of/],
      [['--sse', 'rot13'], /encryption must be AES256 or aws:kms/],
      [['--storage-class', 'cold'], /storage class is written in capitals/],
    ];
    for (const [flags, message] of cases) {
      const result = await upload(ferry, join(files, 'bad.txt'), 'bad/x.txt', ...flags);
      expect([flags.join(' ').slice(0, 40), result.code]).toEqual([flags.join(' ').slice(0, 40), 2]);
      expect(lines(result.stderr)).toEqual([expect.stringMatching(message)]);
    }
    expect(await ferry.jobs()).toEqual([]);
  });
});
