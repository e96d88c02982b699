// `ferry upload`, `ferry run`, `ferry jobs` and `ferry retry` end to end against the real server.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { CreateBucketCommand, DeleteBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MiB } from '../../shared/partPlan.ts';
import { cliSuite, lines, stackLines } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { bucketName, createTestBucket, listUploads, makeFile, objectSha256 } from '../harness/s3.ts';

const s3 = inject('s3');
const suite = cliSuite('cli-upload');
const { cli } = suite;
let client: S3Client;
let bucket: string;
beforeAll(() => {
  ({ client, bucket } = suite);
});

async function keys(prefix: string): Promise<string[]> {
  const res = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!).sort();
}

describe('ferry upload', () => {
  it('uploads one file to an exact key and a folder tree to a prefix; ferry jobs --json shows them completed', async () => {
    const ferry = await cli();
    const files = tempDir('cli-files');
    const big = await makeFile(files, 'big.bin', 23 * MiB + 17, 101);

    const one = await ferry.run([
      'upload',
      big.path,
      `s3://${bucket}/exact/name.bin`,
      '--endpoint',
      'rgw',
      '--part-size',
      '5MiB',
      '--concurrency',
      '3',
    ]);
    expect(one.code, one.stderr).toBe(0);
    expect(stackLines(one.stderr)).toEqual([]);
    // non-TTY: one line per event on stderr
    expect(one.stderr).toMatch(/^uploading .*big\.bin/m);
    expect(one.stderr).toMatch(/^completed s3:\/\/.*\/exact\/name\.bin/m);
    expect(await objectSha256(client, bucket, 'exact/name.bin')).toBe(big.sha256);

    const tree = join(files, 'tree');
    const a = await makeFile(tree, 'a.txt', 1000, 102);
    const b = await makeFile(join(tree, 'sub'), 'b.bin', 6 * MiB + 3, 103);
    const c = await makeFile(join(tree, 'sub', 'deeper'), 'c d.txt', 0, 104);
    mkdirSync(join(tree, 'empty'));
    const folder = await ferry.run(['upload', tree, `s3://${bucket}/pre/fix/`, '--endpoint', 'rgw']);
    expect(folder.code, folder.stderr).toBe(0);
    expect(await keys('pre/')).toEqual(['pre/fix/a.txt', 'pre/fix/sub/b.bin', 'pre/fix/sub/deeper/c d.txt']);
    expect(await objectSha256(client, bucket, 'pre/fix/a.txt')).toBe(a.sha256);
    expect(await objectSha256(client, bucket, 'pre/fix/sub/b.bin')).toBe(b.sha256);
    expect(await objectSha256(client, bucket, 'pre/fix/sub/deeper/c d.txt')).toBe(c.sha256);

    const jobs = await ferry.jobs();
    expect(jobs).toHaveLength(4);
    for (const job of jobs) {
      expect(Object.keys(job).sort()).toEqual(
        [
          'batchId',
          'bucket',
          'bytesDone',
          'endpoint',
          'error',
          'id',
          'key',
          'options',
          'partSize',
          'path',
          'retry',
          'size',
          'skipped',
          'state',
          'uploadId',
          'waitingForAnswer',
        ].sort(),
      );
      expect(job).toMatchObject({ state: 'completed', endpoint: 'rgw', bucket, error: null, retry: null, waitingForAnswer: false });
      expect(job.bytesDone).toBe(job.size);
      expect(typeof job.id).toBe('string');
    }
    const byKey = new Map(jobs.map((job) => [job.key, job]));
    expect(byKey.get('exact/name.bin')).toMatchObject({
      path: big.path,
      size: 23 * MiB + 17,
      partSize: 5 * MiB,
      uploadId: expect.any(String),
    });
    expect(byKey.get('pre/fix/a.txt')).toMatchObject({ path: a.path, size: 1000 });
    expect(byKey.get('pre/fix/sub/b.bin')).toMatchObject({ path: b.path, size: 6 * MiB + 3 });
    expect(byKey.get('pre/fix/sub/deeper/c d.txt')).toMatchObject({ path: c.path, size: 0 });
    expect(await listUploads(client, bucket, 'exact/')).toEqual([]);
    // one batch per command: the folder's three files share one, the single file has its own
    const folderBatch = byKey.get('pre/fix/a.txt')!.batchId;
    expect(folderBatch).toEqual(expect.any(String));
    expect(byKey.get('pre/fix/sub/b.bin')!.batchId).toBe(folderBatch);
    expect(byKey.get('pre/fix/sub/deeper/c d.txt')!.batchId).toBe(folderBatch);
    expect(byKey.get('exact/name.bin')!.batchId).not.toBe(folderBatch);
    // `ferry jobs` shows the folder as one group with its files under it
    const listed = await ferry.run(['jobs']);
    expect(listed.stdout).toMatch(/^tree\/\s+3 of 3 files\s+100%/m);

    // several files to a prefix: each under its own name
    const several = await ferry.run(['upload', a.path, b.path, `s3://${bucket}/several/`, '--endpoint', 'rgw']);
    expect(several.code, several.stderr).toBe(0);
    expect(await keys('several/')).toEqual(['several/a.txt', 'several/b.bin']);
    expect(await objectSha256(client, bucket, 'several/b.bin')).toBe(b.sha256);
  });

  it('--detach only queues; ferry run uploads the queued jobs', async () => {
    const ferry = await cli();
    const files = tempDir('cli-detach');
    const first = await makeFile(files, 'first.bin', 12 * MiB, 111);
    const second = await makeFile(files, 'second.bin', 4321, 112);

    const queued = await ferry.run([
      'upload',
      first.path,
      `s3://${bucket}/detach/first.bin`,
      '--endpoint',
      'rgw',
      '--part-size',
      '5MiB',
      '--detach',
    ]);
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stderr).toMatch(/ferry run/);
    const again = await ferry.run(['upload', second.path, `s3://${bucket}/detach/`, '--endpoint', 'rgw', '--detach']);
    expect(again.code, again.stderr).toBe(0);

    const before = await ferry.jobs();
    expect(before.map((job) => [job.key, job.state, job.bytesDone, job.uploadId])).toEqual([
      ['detach/first.bin', 'queued', 0, null],
      ['detach/second.bin', 'queued', 0, null],
    ]);
    // the printed ids are the jobs' ids
    expect(lines(queued.stdout + again.stdout)).toEqual(before.map((job) => job.id));
    expect(await keys('detach/')).toEqual([]);

    const ran = await ferry.run(['run']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(stackLines(ran.stderr)).toEqual([]);
    expect(await objectSha256(client, bucket, 'detach/first.bin')).toBe(first.sha256);
    expect(await objectSha256(client, bucket, 'detach/second.bin')).toBe(second.sha256);
    const after = await ferry.jobs();
    expect(after.map((job) => [job.key, job.state, job.bytesDone])).toEqual([
      ['detach/first.bin', 'completed', 12 * MiB],
      ['detach/second.bin', 'completed', 4321],
    ]);
    expect(after[0]!.partSize).toBe(5 * MiB);

    // nothing left: run again is a no-op that succeeds
    const idle = await ferry.run(['run']);
    expect(idle.code, idle.stderr).toBe(0);
  });

  it('an upload to a missing bucket fails (exit 1, NO_SUCH_BUCKET) or is refused up front (exit 2), naming the bucket', async () => {
    const ferry = await cli();
    const file = await makeFile(tempDir('cli-nobucket'), 'f.bin', 2000, 121);
    const missing = bucketName('cli-missing');
    const result = await ferry.run(['upload', file.path, `s3://${missing}/f.bin`, '--endpoint', 'rgw']);
    expect(stackLines(result.stderr)).toEqual([]);
    expect(result.stderr).toContain(missing);
    const jobs = await ferry.jobs();
    if (result.code === 2) {
      // refused before queueing: one line, nothing queued
      expect(lines(result.stderr)).toHaveLength(1);
      expect(jobs).toEqual([]);
    } else {
      expect(result.code).toBe(1);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({
        state: 'failed',
        bucket: missing,
        error: { code: 'NO_SUCH_BUCKET', message: expect.stringContaining(missing) },
      });
    }
  });

  it('a job whose bucket disappears fails with exit 1; after the fix, retry + run completes it', async () => {
    const ferry = await cli();
    const file = await makeFile(tempDir('cli-retry'), 'r.bin', 7 * MiB, 131);
    const doomed = await createTestBucket(s3, 'cli-doomed');
    const queued = await ferry.run(['upload', file.path, `s3://${doomed}/r.bin`, '--endpoint', 'rgw', '--detach']);
    expect(queued.code, queued.stderr).toBe(0);
    const [id] = lines(queued.stdout);
    await client.send(new DeleteBucketCommand({ Bucket: doomed }));

    const ran = await ferry.run(['run']);
    expect(ran.code, ran.stderr).toBe(1);
    expect(stackLines(ran.stderr)).toEqual([]);
    expect(ran.stderr).toContain(doomed);
    const [failed] = await ferry.jobs();
    expect(failed).toMatchObject({ id, state: 'failed', error: { code: 'NO_SUCH_BUCKET', message: expect.stringContaining(doomed) } });

    await client.send(new CreateBucketCommand({ Bucket: doomed }));
    const retried = await ferry.run(['retry', id!]);
    expect(retried.code, retried.stderr).toBe(0);
    // retry only queues
    expect((await ferry.jobs())[0]).toMatchObject({ id, state: 'queued', error: null });
    const rerun = await ferry.run(['run']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect((await ferry.jobs())[0]).toMatchObject({ id, state: 'completed', bytesDone: 7 * MiB, error: null });
    expect(await objectSha256(client, doomed, 'r.bin')).toBe(file.sha256);
  });
});
