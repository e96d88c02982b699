// `ferry orphans … --adopt UPLOAD_ID --file PATH`: finishing the incomplete uploads that the AWS CLI,
// rclone and lib-storage leave behind when they are killed, keeping every part whose bytes match.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { spawn } from 'node:child_process';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MiB } from '../../shared/partPlan.ts';
import { cleanEnv, cliSuite, serverParts, stackLines } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { startProxy, type FreezableProxy } from '../harness/proxy.ts';
import { flipByte, listUploads, makeFile, objectSha256 } from '../harness/s3.ts';

const s3 = inject('s3');
const suite = cliSuite('cli-adopt');
const { cli } = suite;
let client: S3Client;
let bucket: string;
/** The other tools upload through a slow uplink, so that they are still uploading when killed. */
let slow: FreezableProxy;
beforeAll(async () => {
  ({ client, bucket } = suite);
  slow = await startProxy(s3.endpoint);
  slow.limit(6 * MiB);
});
afterAll(() => slow.close());

/** Runs another tool's upload of `file` until the server holds `parts` parts of `key`, then SIGKILLs it. */
async function killedMidway(cmd: string, args: string[], env: Record<string, string>, key: string, parts: number): Promise<string> {
  // (rclone refuses to start with AWS_CA_BUNDLE set: NOTES.md)
  const { AWS_CA_BUNDLE: _bundle, ...childEnv } = cleanEnv(env);
  const child = spawn(cmd, args, { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    const held = await Promise.race([
      serverParts(client, bucket, key, parts),
      exited.then(() => {
        throw new Error(`${cmd} ended before the server held ${parts} parts of ${key}: ${stderr}`);
      }),
    ]);
    return held.uploadId;
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

/** "sent 12 MiB of 40 MiB" from the adoption's last line, in bytes. */
function sentBytes(stderr: string): number {
  const match = /sent ([\d.]+) (B|KiB|MiB|GiB) of/.exec(stderr);
  if (!match) throw new Error(`no "sent … of …" in:\n${stderr}`);
  return Number(match[1]) * { B: 1, KiB: 1024, MiB, GiB: 1024 * MiB }[match[2] as 'B'];
}

describe('adopting another tool’s incomplete upload', () => {
  it('finishes an upload the AWS CLI left when killed, sending only the parts the server lacks', async () => {
    const files = tempDir('adopt-files');
    const file = await makeFile(files, 'aws.bin', 40 * MiB + 123, 401);
    const work = tempDir('adopt-aws');
    const config = join(work, 'config');
    writeFileSync(
      config,
      '[default]\nregion = us-east-1\ns3 =\n  max_concurrent_requests = 2\n  multipart_chunksize = 8MB\n  addressing_style = path\n',
    );
    const uploadId = await killedMidway(
      '/usr/bin/aws',
      ['s3', 'cp', file.path, `s3://${bucket}/adopt/aws.bin`, '--endpoint-url', slow.endpoint, '--no-progress'],
      {
        AWS_CONFIG_FILE: config,
        AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'),
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      'adopt/aws.bin',
      2,
    );

    const ferry = await cli();
    const adopted = await ferry.run(['orphans', 'rgw', `s3://${bucket}/adopt/aws.bin`, '--adopt', uploadId, '--file', file.path]);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(stackLines(adopted.stderr)).toEqual([]);
    expect(adopted.stderr).toMatch(/the server holds \d+ of its 6 parts of 8\.00 MiB/);
    const sent = sentBytes(adopted.stderr);
    expect(sent).toBeLessThanOrEqual(40 * MiB + 123 - 2 * 8 * MiB);
    expect(await objectSha256(client, bucket, 'adopt/aws.bin')).toBe(file.sha256);
    expect(await listUploads(client, bucket, 'adopt/aws.bin')).toEqual([]);
  });

  it('finishes an rclone upload whose file changed in one part: that part is sent again, the others kept', async () => {
    const files = tempDir('adopt-files');
    const file = await makeFile(files, 'rclone.bin', 30 * MiB + 7, 402);
    const remote = `:s3,provider=Ceph,env_auth=false,access_key_id=${s3.accessKeyId},secret_access_key=${s3.secretAccessKey},endpoint='${slow.endpoint}',region=us-east-1:`;
    const config = join(tempDir('adopt-rclone'), 'rclone.conf');
    writeFileSync(config, '');
    const uploadId = await killedMidway(
      '/usr/bin/rclone',
      [
        'copyto',
        file.path,
        `${remote}${bucket}/adopt/rclone.bin`,
        '--config',
        config,
        '--s3-chunk-size',
        '5M',
        '--s3-upload-cutoff',
        '5M',
        '--s3-upload-concurrency',
        '2',
      ],
      {},
      'adopt/rclone.bin',
      3,
    );
    // the bytes of part 1 (rclone's first 5 MiB) change locally after rclone sent them
    await flipByte(file.path, 1000);

    const ferry = await cli();
    const adopted = await ferry.run(['orphans', 'rgw', `s3://${bucket}/adopt/rclone.bin`, '--adopt', uploadId, '--file', file.path]);
    expect(adopted.code, adopted.stderr).toBe(0);
    const sent = sentBytes(adopted.stderr);
    // part 1 again, and whatever rclone had not sent; never the parts it had sent that still match
    expect(sent).toBeGreaterThanOrEqual(5 * MiB);
    expect(sent).toBeLessThanOrEqual(30 * MiB + 7 - 2 * 5 * MiB);
    const { sha256File } = await import('../harness/s3.ts');
    expect(await objectSha256(client, bucket, 'adopt/rclone.bin')).toBe(await sha256File(file.path));
  });

  it('refuses a file of another size before sending anything, and finishes a lib-storage upload with the right file', async () => {
    const files = tempDir('adopt-files');
    const file = await makeFile(files, 'lib.bin', 26 * MiB + 3, 403);
    const controller = new AbortController();
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: 'adopt/lib.bin', Body: createReadStream(file.path) },
      partSize: 6 * MiB,
      queueSize: 1,
      leavePartsOnError: true,
      abortController: controller,
    });
    const done = upload.done().catch(() => undefined);
    await serverParts(client, bucket, 'adopt/lib.bin', 2);
    controller.abort();
    await done;
    const [orphan] = await listUploads(client, bucket, 'adopt/lib.bin');
    expect(orphan).toBeDefined();

    const ferry = await cli();
    const shorter = await makeFile(files, 'shorter.bin', 9 * MiB, 403);
    const refused = await ferry.run([
      'orphans',
      'rgw',
      `s3://${bucket}/adopt/lib.bin`,
      '--adopt',
      orphan!.uploadId,
      '--file',
      shorter.path,
    ]);
    expect(refused.code).toBe(2);
    // lib-storage may have sent its last part before the abort: then the parts tell the object's size
    expect(refused.stderr).toMatch(
      /^ferry: Cannot finish upload .*: (Part \d+ \(6\.00 MiB\) does not fit a file of 9437184 bytes|The upload is of a 26\.0 MiB \(27262979 bytes\) object; the file has 9437184 bytes: it is not the same file)/m,
    );
    expect(await listUploads(client, bucket, 'adopt/lib.bin')).toEqual([{ key: 'adopt/lib.bin', uploadId: orphan!.uploadId }]);

    const adopted = await ferry.run(['orphans', 'rgw', `s3://${bucket}/adopt/lib.bin`, '--adopt', orphan!.uploadId, '--file', file.path]);
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(sentBytes(adopted.stderr)).toBeLessThanOrEqual(26 * MiB + 3 - 2 * 6 * MiB);
    expect(await objectSha256(client, bucket, 'adopt/lib.bin')).toBe(file.sha256);
  });
});
