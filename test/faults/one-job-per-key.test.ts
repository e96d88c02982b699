// Defect 7 across commands: two `ferry upload` commands (separate processes on one data directory)
// targeting one endpoint+bucket+key. The second is refused in words, exit 2, nothing queued; both
// used to say "completed" with only one file stored.
import { beforeAll, describe, expect, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { MiB } from '../../shared/partPlan.ts';
import { cliSuite, stackLines } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { makeFile, objectSha256 } from '../harness/s3.ts';

const suite = cliSuite('one-job-per-key');
const { cli } = suite;
let client: S3Client;
let bucket: string;
beforeAll(() => {
  ({ client, bucket } = suite);
});

describe('one live job per endpoint, bucket and key', () => {
  it('refuses a second upload to the same key from another command, then accepts it once the first ended', async () => {
    const ferry = await cli();
    const files = tempDir('one-key');
    const a = await makeFile(files, 'a.bin', 2 * MiB, 711);
    const b = await makeFile(files, 'b.bin', 2 * MiB, 712);
    const target = `s3://${bucket}/shared/key.bin`;

    const first = await ferry.run(['upload', a.path, target, '--endpoint', 'rgw', '--detach']);
    expect(first.code, first.stderr).toBe(0);
    const second = await ferry.run(['upload', b.path, target, '--endpoint', 'rgw', '--detach']);
    expect(second.code).toBe(2);
    expect(stackLines(second.stderr)).toEqual([]);
    expect(second.stderr).toContain(`${target} is already the target of job`);
    expect(await ferry.jobs()).toHaveLength(1);

    const run = await ferry.run(['run']);
    expect(run.code, run.stderr).toBe(0);
    expect(await objectSha256(client, bucket, 'shared/key.bin')).toBe(a.sha256);

    const again = await ferry.run(['upload', b.path, target, '--endpoint', 'rgw']);
    expect(again.code, again.stderr).toBe(0);
    expect(await objectSha256(client, bucket, 'shared/key.bin')).toBe(b.sha256);
  });
});
