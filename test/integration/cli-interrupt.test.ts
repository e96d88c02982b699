// Interrupting `ferry upload` (SIGINT, SIGTERM, SIGKILL), then resuming or aborting through the CLI.
// Every wait is on the child's output or on the server's state, never on a timer.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { MiB } from '../../shared/partPlan.ts';
import { cliSuite, lines, serverParts, stackLines, uploadArgs, type FerryCli } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { startProxy, type FreezableProxy } from '../harness/proxy.ts';
import { listPartNumbers, listUploads, makeFile, objectSha256 } from '../harness/s3.ts';

const s3 = inject('s3');
const suite = cliSuite('cli-interrupt');
const { cli } = suite;
let client: S3Client;
let bucket: string;
const files = tempDir('cli-interrupt-files');
let uplink: FreezableProxy;
beforeAll(async () => {
  ({ client, bucket } = suite);
  uplink = await startProxy(s3.endpoint);
  uplink.limit(40 * MiB);
});
afterAll(() => uplink?.close());

/** A CLI whose endpoint "rgw" is behind a 40 MiB/s uplink: its upload is still running when the test signals it, on any machine. */
const slowCli = (): Promise<FerryCli> => cli(uplink.endpoint);

describe('interrupting ferry upload', () => {
  it('SIGINT pauses (exit 130, says how to resume); resume --all queues it, run finishes it', async () => {
    const ferry = await slowCli();
    const size = 200 * MiB;
    const file = await makeFile(files, 'sigint.bin', size, 201);
    const key = 'sigint/big.bin';
    const running = ferry.start(uploadArgs([file.path], `s3://${bucket}/${key}`, 2));
    await running.stderrLine(/^uploading /);
    const held = await serverParts(client, bucket, key, 3, running);
    running.child.kill('SIGINT');
    await running.stderrLine(/^Paused \d/);
    const saidPaused = Date.now();
    const result = await running.exited;
    // the terminal comes back at once: no request or watchdog (45 s by default) keeps the process alive
    expect(Date.now() - saidPaused).toBeLessThan(10_000);

    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain('ferry resume --all && ferry run');
    expect(stackLines(result.stderr)).toEqual([]);

    const [paused] = await ferry.jobs();
    expect(paused).toMatchObject({ state: 'paused', key, uploadId: held.uploadId, partSize: 5 * MiB, size, error: null });
    // the store was flushed: it has acknowledged parts (an answer still in flight at the signal may be missing)
    expect(paused!.bytesDone).toBeGreaterThanOrEqual(5 * MiB);
    expect(paused!.bytesDone).toBeLessThan(size);
    // pausing never aborts: the server still has the upload and its parts
    expect(await listUploads(client, bucket, key)).toEqual([{ key, uploadId: held.uploadId }]);
    const onServer = await listPartNumbers(client, bucket, key, held.uploadId);
    expect(onServer.length).toBeGreaterThanOrEqual(held.parts.length);
    expect(paused!.bytesDone).toBeLessThanOrEqual(onServer.length * 5 * MiB);

    const resumed = await ferry.run(['resume', '--all']);
    expect(resumed.code, resumed.stderr).toBe(0);
    // resume only queues
    expect((await ferry.jobs())[0]).toMatchObject({ id: paused!.id, state: 'queued', uploadId: held.uploadId });

    const ran = await ferry.run(['run']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(stackLines(ran.stderr)).toEqual([]);
    expect((await ferry.jobs())[0]).toMatchObject({
      id: paused!.id,
      state: 'completed',
      uploadId: held.uploadId,
      bytesDone: size,
      error: null,
    });
    expect(await objectSha256(client, bucket, key)).toBe(file.sha256);
    expect(await listUploads(client, bucket, key)).toEqual([]);
  });

  it('after SIGKILL, ferry run finishes the same upload', async () => {
    const ferry = await slowCli();
    const size = 120 * MiB + 12345;
    const file = await makeFile(files, 'sigkill.bin', size, 202);
    const key = 'sigkill/big.bin';
    const running = ferry.start(uploadArgs([file.path], `s3://${bucket}/${key}`, 2));
    await running.stderrLine(/^uploading /);
    const held = await serverParts(client, bucket, key, 3, running);
    running.child.kill('SIGKILL');
    expect((await running.exited).signal).toBe('SIGKILL');

    // the store still knows the upload
    const [killed] = await ferry.jobs();
    expect(killed).toMatchObject({ key, uploadId: held.uploadId, size });
    expect(await listUploads(client, bucket, key)).toEqual([{ key, uploadId: held.uploadId }]);

    const ran = await ferry.run(['run']);
    expect(ran.code, ran.stderr).toBe(0);
    expect(stackLines(ran.stderr)).toEqual([]);
    expect((await ferry.jobs())[0]).toMatchObject({
      id: killed!.id,
      state: 'completed',
      uploadId: held.uploadId,
      bytesDone: size,
      error: null,
    });
    expect(await objectSha256(client, bucket, key)).toBe(file.sha256);
    expect(await listUploads(client, bucket, key)).toEqual([]);
  });

  it('SIGTERM pauses too; ferry abort then removes the upload from the server', async () => {
    const ferry = await slowCli();
    const file = await makeFile(files, 'abort.bin', 150 * MiB, 203);
    const key = 'abort/big.bin';
    const running = ferry.start(uploadArgs([file.path], `s3://${bucket}/${key}`, 1));
    await running.stderrLine(/^uploading /);
    const held = await serverParts(client, bucket, key, 1, running);
    running.child.kill('SIGTERM');
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toContain('ferry resume');

    const [paused] = await ferry.jobs();
    expect(paused).toMatchObject({ state: 'paused', uploadId: held.uploadId });
    expect(await listPartNumbers(client, bucket, key, held.uploadId)).not.toEqual([]);

    // by a unique id prefix, as `ferry jobs` shows it
    const aborted = await ferry.run(['abort', paused!.id.slice(0, 8)]);
    expect(aborted.code, aborted.stderr).toBe(0);
    expect((await ferry.jobs())[0]).toMatchObject({ id: paused!.id, state: 'aborted' });
    expect(await listUploads(client, bucket, key)).toEqual([]);
    expect(await listPartNumbers(client, bucket, key, held.uploadId)).toEqual([]);
    await expect(client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });

    // an aborted job cannot be resumed: one line, exit 2, the job unchanged
    const resume = await ferry.run(['resume', paused!.id]);
    expect(resume.code).toBe(2);
    expect(lines(resume.stderr)).toHaveLength(1);
    expect(stackLines(resume.stderr)).toEqual([]);
    expect((await ferry.jobs())[0]).toMatchObject({ id: paused!.id, state: 'aborted' });
  });

  it('pause and resume a queued job; run leaves a paused job alone', async () => {
    const ferry = await cli();
    const file = await makeFile(files, 'queued.bin', 3 * MiB, 204);
    const key = 'queued/q.bin';
    const queued = await ferry.run(['upload', file.path, `s3://${bucket}/${key}`, '--endpoint', 'rgw', '--detach']);
    expect(queued.code, queued.stderr).toBe(0);
    const [id] = lines(queued.stdout);

    expect((await ferry.run(['pause', id!])).code).toBe(0);
    expect((await ferry.jobs())[0]).toMatchObject({ id, state: 'paused', uploadId: null });
    const idle = await ferry.run(['run']);
    expect(idle.code, idle.stderr).toBe(0);
    expect(idle.stderr).toContain('ferry resume');
    expect((await ferry.jobs())[0]).toMatchObject({ id, state: 'paused' });

    expect((await ferry.run(['resume', id!])).code).toBe(0);
    expect((await ferry.jobs())[0]).toMatchObject({ id, state: 'queued' });
    expect((await ferry.run(['run'])).code).toBe(0);
    expect((await ferry.jobs())[0]).toMatchObject({ id, state: 'completed', bytesDone: 3 * MiB });
    expect(await objectSha256(client, bucket, key)).toBe(file.sha256);
  });

  it('ferry pause and ferry abort in another terminal reach the running upload and act at once', async () => {
    // a slow uplink, so that the uploads are still running whatever the machine's speed
    // (4 MiB/s and 80 MiB: at 10 MiB/s and 60 MiB, on a loaded machine the second upload finished
    // during the few CLI start-ups before `ferry abort` landed)
    const network = await startProxy(s3.endpoint);
    network.limit(4 * MiB);
    try {
      const ferry = await cli(network.endpoint);
      const big = await makeFile(files, 'remote-pause.bin', 120 * MiB, 205);
      const other = await makeFile(files, 'remote-abort.bin', 80 * MiB, 206);
      const running = ferry.start(uploadArgs([big.path, other.path], `s3://${bucket}/remote/`, 2));
      const held = await serverParts(client, bucket, 'remote/remote-pause.bin', 1, running);
      await serverParts(client, bucket, 'remote/remote-abort.bin', 1, running);
      const jobs = await ferry.jobs();
      const pauseId = jobs.find((job) => job.key === 'remote/remote-pause.bin')!.id;
      const abortId = jobs.find((job) => job.key === 'remote/remote-abort.bin')!.id;
      expect(jobs.map((job) => job.state)).toEqual(['uploading', 'uploading']);

      const paused = await ferry.run(['pause', pauseId.slice(0, 8)]);
      expect(paused.code, paused.stderr).toBe(0);
      expect(paused.stdout).toContain('Paused 1 job (in the running Ferry process)');
      // the pause has happened when the command returns
      expect((await ferry.jobs()).find((job) => job.id === pauseId)).toMatchObject({ state: 'paused', uploadId: held.uploadId });

      const aborted = await ferry.run(['abort', abortId]);
      expect(aborted.code, aborted.stderr).toBe(0);
      expect(await listUploads(client, bucket, 'remote/remote-abort.bin')).toEqual([]);

      const result = await running.exited;
      expect(result.code, result.stderr).toBe(130);
      expect(result.stderr).toContain(
        `paused by ferry pause; parts already sent are kept. Continue with: ferry resume ${pauseId.slice(0, 8)} && ferry run`,
      );
      expect(result.stderr).toContain('1 upload was aborted by ferry abort.');
      expect(stackLines(result.stderr)).toEqual([]);
      // pausing kept the upload on the server; the job goes on from there
      expect(await listUploads(client, bucket, 'remote/remote-pause.bin')).toEqual([
        { key: 'remote/remote-pause.bin', uploadId: held.uploadId },
      ]);
      network.limit(null);
      expect((await ferry.run(['resume', pauseId])).code).toBe(0);
      const ran = await ferry.run(['run']);
      expect(ran.code, ran.stderr).toBe(0);
      expect((await ferry.jobs()).map((job) => [job.id, job.state])).toEqual([
        [pauseId, 'completed'],
        [abortId, 'aborted'],
      ]);
      expect(await objectSha256(client, bucket, 'remote/remote-pause.bin')).toBe(big.sha256);
    } finally {
      await network.close();
    }
  });

  it('a command for a directory whose owner does not answer names the owner, as before', async () => {
    const ferry = await cli();
    const file = await makeFile(files, 'owner.bin', 3 * MiB, 207);
    const queued = await ferry.run(['upload', file.path, `s3://${bucket}/owner/o.bin`, '--endpoint', 'rgw', '--detach']);
    const [id] = lines(queued.stdout);
    // an owner without a control channel: another process holding the lock
    const { acquireDataDirLock } = await import('../../main/store/lock.ts');
    const lock = acquireDataDirLock(ferry.dataDir);
    try {
      const refused = await ferry.run(['pause', id!]);
      expect(refused.code).toBe(2);
      expect(lines(refused.stderr)).toEqual([expect.stringContaining(`is in use by Ferry process ${process.pid}`)]);
    } finally {
      lock.release();
    }
  });
});
