// `ferry orphans`: incomplete multipart uploads in a bucket, which ones belong to Ferry jobs, aborting the others.
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateMultipartUploadCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { MiB } from '../../shared/partPlan.ts';
import { cliSuite, lines, serverParts, stackLines, uploadArgs } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { listPartNumbers, listUploads, makeFile } from '../harness/s3.ts';

const suite = cliSuite('cli-orphans');
const { cli } = suite;
let client: S3Client;
let bucket: string;
beforeAll(() => {
  ({ client, bucket } = suite);
});

interface OrphanJson {
  key: string;
  uploadId: string;
  initiated: string | null;
  parts: number;
  bytes: number;
  jobId: string | null;
  aborted: boolean;
}

/** An incomplete multipart upload made with the SDK: one 5 MiB part, never completed. */
async function orphan(key: string): Promise<string> {
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const body = Buffer.alloc(5 * MiB, key);
  await client.send(
    new UploadPartCommand({
      Bucket: bucket,
      Key: key,
      UploadId: created.UploadId!,
      PartNumber: 1,
      Body: body,
      ContentMD5: createHash('md5').update(body).digest('base64'),
    }),
  );
  return created.UploadId!;
}

describe('ferry orphans', () => {
  it('lists an incomplete upload made outside Ferry and aborts it by id', async () => {
    const ferry = await cli();
    const key = 'sdk/one.bin';
    const uploadId = await orphan(key);

    const listed = await ferry.json<OrphanJson[]>(['orphans', 'rgw', `s3://${bucket}`, '--json']);
    const mine = listed.filter((u) => u.key === key);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ key, uploadId, parts: 1, bytes: 5 * MiB, jobId: null });

    // a prefix narrows the listing
    const under = await ferry.json<OrphanJson[]>(['orphans', 'rgw', `s3://${bucket}/sdk/`, '--json']);
    expect(under.map((u) => u.uploadId)).toEqual([uploadId]);
    const elsewhere = await ferry.json<OrphanJson[]>(['orphans', 'rgw', `s3://${bucket}/nothing-here/`, '--json']);
    expect(elsewhere).toEqual([]);

    const human = await ferry.run(['orphans', 'rgw', `s3://${bucket}/sdk/`]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(uploadId);

    const aborted = await ferry.run(['orphans', 'rgw', `s3://${bucket}/sdk/`, '--abort', uploadId, '--json']);
    expect(aborted.code, aborted.stderr).toBe(0);
    expect(stackLines(aborted.stderr)).toEqual([]);
    expect(await listUploads(client, bucket, key)).toEqual([]);
    expect(await listPartNumbers(client, bucket, key, uploadId)).toEqual([]);
    expect(await ferry.json<OrphanJson[]>(['orphans', 'rgw', `s3://${bucket}/sdk/`, '--json'])).toEqual([]);

    // an upload id that is not there: one line, exit 2
    const unknown = await ferry.run(['orphans', 'rgw', `s3://${bucket}/sdk/`, '--abort', uploadId]);
    expect(unknown.code).toBe(2);
    expect(lines(unknown.stderr)).toHaveLength(1);
    expect(unknown.stderr).toContain(uploadId);
  });

  it('marks an upload of a paused Ferry job with its jobId, and --abort-all keeps it', async () => {
    const ferry = await cli();
    const file = await makeFile(tempDir('cli-orphans-files'), 'paused.bin', 150 * MiB, 301);
    const jobKey = 'mixed/paused.bin';
    const running = ferry.start(uploadArgs([file.path], `s3://${bucket}/${jobKey}`, 1));
    await running.stderrLine(/^uploading /);
    const held = await serverParts(client, bucket, jobKey, 1, running);
    running.child.kill('SIGINT');
    expect((await running.exited).code).toBe(130);
    const [job] = await ferry.jobs();
    expect(job).toMatchObject({ state: 'paused', uploadId: held.uploadId });

    const strayKey = 'mixed/stray.bin';
    const stray = await orphan(strayKey);

    const listed = await ferry.json<OrphanJson[]>(['orphans', 'rgw', `s3://${bucket}/mixed/`, '--json']);
    expect(listed.map((u) => [u.key, u.uploadId, u.jobId]).sort()).toEqual([
      [jobKey, held.uploadId, job!.id],
      [strayKey, stray, null],
    ]);
    expect(listed.find((u) => u.key === strayKey)).toMatchObject({ parts: 1, bytes: 5 * MiB });
    expect(listed.find((u) => u.key === jobKey)!.parts).toBeGreaterThanOrEqual(1);

    // aborting the job's upload by id is refused without --include-ferry-jobs
    const refused = await ferry.run(['orphans', 'rgw', `s3://${bucket}/mixed/`, '--abort', held.uploadId]);
    expect(refused.code).toBe(2);
    expect(lines(refused.stderr)).toHaveLength(1);
    expect(refused.stderr).toContain('ferry abort');
    expect((await listUploads(client, bucket, 'mixed/')).map((u) => u.uploadId).sort()).toEqual([held.uploadId, stray].sort());

    const all = await ferry.run(['orphans', 'rgw', `s3://${bucket}/mixed/`, '--abort-all', '--json']);
    expect(all.code, all.stderr).toBe(0);
    const report = JSON.parse(all.stdout) as OrphanJson[];
    expect(report.find((u) => u.uploadId === stray)).toMatchObject({ aborted: true });
    expect(report.find((u) => u.uploadId === held.uploadId)).toMatchObject({ aborted: false, jobId: job!.id });
    expect(await listUploads(client, bucket, 'mixed/')).toEqual([{ key: jobKey, uploadId: held.uploadId }]);
    expect(await listPartNumbers(client, bucket, jobKey, held.uploadId)).not.toEqual([]);
    // the job is untouched; ferry abort is the way to remove its upload
    expect((await ferry.jobs())[0]).toMatchObject({ id: job!.id, state: 'paused', uploadId: held.uploadId });
    expect((await ferry.run(['abort', job!.id])).code).toBe(0);
    expect(await listUploads(client, bucket, 'mixed/')).toEqual([]);
  });
});
