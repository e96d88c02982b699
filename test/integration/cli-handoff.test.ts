// Issue #13, "the CLI and the window together": `ferry upload` while the browser host (`ferry serve`:
// the same HostService and web host, here in the test's process) owns the data directory hands its
// jobs to it through the control channel instead of being refused for the lock, and follows them
// there with its usual exit codes. Against the real RGW; the owner's engine is the one that uploads.
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { MiB } from '../../shared/partPlan.ts';
import { HostService } from '../../main/host/service.ts';
import { hostVaults } from '../../main/endpoints/keychain.ts';
import { startWebHost, type WebHost } from '../../main/web/server.ts';
import type { Job, JobState } from '../../shared/job.ts';
import { cliSuite, lines, stackLines, type FerryCli } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { startProxy, type FreezableProxy } from '../harness/proxy.ts';
import { exchangeLink, Page } from '../harness/web.ts';
import { makeFile, objectSha256 } from '../harness/s3.ts';
import { decodeJobPage } from '../../shared/jobPage.ts';

const s3 = inject('s3');
const suite = cliSuite('cli-handoff');
const files = tempDir('handoff-files');
const rendererDir = tempDir('handoff-renderer');
mkdirSync(rendererDir, { recursive: true });
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Ferry</title>');
let uplink: FreezableProxy;
const owners: Array<{ service: HostService; host: WebHost }> = [];

beforeAll(async () => {
  mkdirSync(files, { recursive: true });
  uplink = await startProxy(s3.endpoint);
  // slow enough that an upload through it is still running when the test acts on it
  uplink.limit(1 * MiB);
});
afterEach(async () => {
  for (const { service, host } of owners.splice(0)) {
    await host.close();
    await service.close();
  }
});
afterAll(async () => {
  await uplink?.close();
});

/** What `ferry serve` does on `ferry`'s data directory: the host service with its control channel, and the web host. */
async function serve(ferry: FerryCli): Promise<{ service: HostService; host: WebHost }> {
  const service = await HostService.open({
    dataDir: ferry.dataDir,
    ...hostVaults(ferry.dataDir, {}),
    host: { kind: 'browser', version: 'test', canReadPaths: false },
    engine: { partSize: 5 * MiB },
    progressIntervalMs: 50,
  });
  const host = await startWebHost({ service, rendererDir });
  owners.push({ service, host });
  return { service, host };
}

/** The owner's job once it is in `state` (from its events; at once if it is already). */
function ownerState(service: HostService, id: string, states: readonly JobState[]): Promise<Job> {
  return new Promise((resolve) => {
    const check = () => {
      const job = service.engine.get(id);
      if (job && states.includes(job.state)) {
        off();
        resolve(job);
      }
    };
    const off = service.engine.events.on(check);
    check();
  });
}

describe('ferry upload while ferry serve owns the data directory', () => {
  it('hands the jobs over (the window sees them), follows their progress and exits 0 when the owner completed them', async () => {
    const ferry = await suite.cli();
    const { service, host } = await serve(ferry);
    const page = new Page(host.port, await exchangeLink(host.newLink().url));
    await page.opened();
    expect(decodeJobPage((await page.call('snapshot', {})).jobs)).toEqual([]);
    const dir = join(files, 'photos');
    mkdirSync(dir, { recursive: true });
    const big = await makeFile(dir, 'big.bin', 12 * MiB + 3, 31);
    const small = await makeFile(dir, 'small.txt', 1000, 32);

    const result = await ferry.run(['upload', dir, `s3://${suite.bucket}/handoff/`, '--endpoint', 'rgw', '--part-size', '5MiB']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(
      /^Uploading 2 files \(12\.0 MiB\) to s3:\/\/.*\/handoff\/ on rgw through ferry serve \(process \d+\), which owns the data directory/m,
    );
    expect(result.stderr).toMatch(/^completed s3:\/\/.*\/handoff\/big\.bin/m);
    expect(result.stderr).toMatch(/^Uploaded 2 of 2 files/m);
    expect(result.stderr).not.toMatch(/in use by/);
    expect(stackLines(result.stderr)).toEqual([]);

    // the owner's engine uploaded them, as one group, and its window was told
    const jobs = service.engine.list();
    expect(jobs.map((job) => [job.key, job.state]).sort()).toEqual([
      ['handoff/big.bin', 'completed'],
      ['handoff/small.txt', 'completed'],
    ]);
    expect(new Set(jobs.map((job) => job.batchId)).size).toBe(1);
    await page.keyCompleted('handoff/big.bin');
    await page.keyCompleted('handoff/small.txt');
    expect(decodeJobPage((await page.call('snapshot', {})).jobs)).toHaveLength(2);
    expect(await objectSha256(suite.client, suite.bucket, 'handoff/big.bin')).toBe(big.sha256);
    expect(await objectSha256(suite.client, suite.bucket, 'handoff/small.txt')).toBe(small.sha256);
    // and `ferry jobs` in a third terminal lists them
    expect((await ferry.jobs()).map((job) => job.state)).toEqual(['completed', 'completed']);
    await page.close();
  });

  it('exits 1 with the failure when the owner fails the job', async () => {
    const ferry = await suite.cli();
    await serve(ferry);
    await suite.client.send(new PutObjectCommand({ Bucket: suite.bucket, Key: 'handoff/exists.txt', Body: 'already here' }));
    writeFileSync(join(files, 'exists.txt'), 'new version');

    const result = await ferry.run([
      'upload',
      join(files, 'exists.txt'),
      `s3://${suite.bucket}/handoff/exists.txt`,
      '--endpoint',
      'rgw',
      '--if-exists',
      'fail',
    ]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^1 upload failed:$/m);
    expect(result.stderr).toMatch(/exists; --if-exists fail leaves it as it is/);
    expect(stackLines(result.stderr)).toEqual([]);
  });

  it('--detach returns once the owner has the jobs, printing their ids; the owner uploads them on its own', async () => {
    const ferry = await suite.cli(uplink.endpoint);
    const { service } = await serve(ferry);
    const file = await makeFile(files, 'detached.bin', 24 * MiB, 33);

    const result = await ferry.run([
      'upload',
      file.path,
      `s3://${suite.bucket}/handoff/detached.bin`,
      '--endpoint',
      'rgw',
      '--detach',
      '--bwlimit',
      '50MiB/s',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [id] = lines(result.stdout);
    expect(lines(result.stdout)).toHaveLength(1);
    expect(result.stderr).toMatch(/^Handed 1 file \(24\.0 MiB\) to .*: it uploads them now/m);
    // the owner's limit applies to every upload it runs: this command does not change it behind the window's back
    expect(result.stderr).toMatch(
      /^warning: --bwlimit and --give-up-after are the running Ferry process’s own: change its limit with ferry limit\.$/m,
    );
    expect(service.engine.bandwidthLimit).toBeNull();
    // through a 1 MiB/s uplink the 24 MiB are far from sent when the command has returned
    expect(service.engine.get(id!)?.state).not.toBe('completed');
    await ownerState(service, id!, ['uploading', 'completed']);
    await service.engine.abort([id!]);
  });

  it('Ctrl-C pauses the jobs in the owner, says so and exits 130', async () => {
    const ferry = await suite.cli(uplink.endpoint);
    const { service } = await serve(ferry);
    const file = await makeFile(files, 'interrupted.bin', 24 * MiB, 34);

    const running = ferry.start(['upload', file.path, `s3://${suite.bucket}/handoff/interrupted.bin`, '--endpoint', 'rgw']);
    await running.stderrLine(/which owns the data directory/);
    const [job] = service.engine.list();
    await ownerState(service, job!.id, ['uploading']);
    running.child.kill('SIGINT');
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(/^Pausing uploads in /m);
    expect(result.stderr).toMatch(
      new RegExp(`^Paused 1 upload in .*; parts already sent are kept\\. Continue with: ferry resume ${job!.id.slice(0, 8)}`, 'm'),
    );
    expect(service.engine.get(job!.id)?.state).toBe('paused');
    expect(stackLines(result.stderr)).toEqual([]);
  });

  it('stops following, with 130, when the owner stops; the job waits for the next start', async () => {
    const ferry = await suite.cli(uplink.endpoint);
    const owner = await serve(ferry);
    const file = await makeFile(files, 'owner-stops.bin', 24 * MiB, 36);

    const running = ferry.start(['upload', file.path, `s3://${suite.bucket}/handoff/owner-stops.bin`, '--endpoint', 'rgw']);
    await running.stderrLine(/which owns the data directory/);
    const [job] = owner.service.engine.list();
    await ownerState(owner.service, job!.id, ['uploading']);
    owners.splice(owners.indexOf(owner), 1);
    await owner.host.close();
    await owner.service.close();
    const result = await running.exited;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stderr).toMatch(
      new RegExp(
        `^Stopped following: ferry serve \\(process ${process.pid}\\) stopped\\. 1 upload not finished goes on when Ferry next starts`,
        'm',
      ),
    );
    expect(stackLines(result.stderr)).toEqual([]);
    expect((await ferry.jobs())[0]).toMatchObject({ id: job!.id, state: 'queued' });
  });

  it('while another ferry upload owns the directory, a second one is still refused with its owner named (it takes no jobs)', async () => {
    const ferry = await suite.cli(uplink.endpoint);
    const first = await makeFile(files, 'first.bin', 24 * MiB, 37);
    const second = await makeFile(files, 'second.bin', 1000, 38);
    const running = ferry.start(['upload', first.path, `s3://${suite.bucket}/handoff/first.bin`, '--endpoint', 'rgw']);
    await running.stderrLine(/^Uploading 1 file/);

    const refused = await ferry.run(['upload', second.path, `s3://${suite.bucket}/handoff/second.bin`, '--endpoint', 'rgw']);
    expect(refused.code, refused.stderr).toBe(2);
    expect(lines(refused.stderr)).toEqual([expect.stringContaining(`is in use by Ferry process ${running.child.pid}`)]);
    running.child.kill('SIGINT');
    expect((await running.exited).code).toBe(130);
    expect((await ferry.jobs()).map((job) => job.key)).toEqual(['handoff/first.bin']);
  });

  it('the owner refuses a file in a protected place (its data directory): nothing is queued, exit 2', async () => {
    const ferry = await suite.cli();
    const { service } = await serve(ferry);
    const inside = join(ferry.dataDir, 'notes.txt');
    writeFileSync(inside, 'not for upload');

    const result = await ferry.run(['upload', inside, `s3://${suite.bucket}/handoff/notes.txt`, '--endpoint', 'rgw']);
    expect(result.code, result.stderr).toBe(2);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^ferry: Refused .*notes\.txt: it is in Ferry's data directory\. Nothing was queued\.$/),
    ]);
    expect(service.engine.list()).toEqual([]);
  });

  it('SSE-C: the key reaches the owner sealed and the object needs it; it shows nowhere', async () => {
    const ferry = await suite.cli();
    await serve(ferry);
    const keyBytes = randomBytes(32);
    const keyFile = join(files, 'handoff-sse-c.key');
    writeFileSync(keyFile, keyBytes);
    const file = await makeFile(files, 'ssec.bin', 6 * MiB, 35);

    const result = await ferry.run([
      'upload',
      file.path,
      `s3://${suite.bucket}/handoff/ssec.bin`,
      '--endpoint',
      'rgw',
      '--sse-c-key-file',
      keyFile,
      '--part-size',
      '5MiB',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const base64 = keyBytes.toString('base64');
    const head = await suite.client.send(
      new HeadObjectCommand({
        Bucket: suite.bucket,
        Key: 'handoff/ssec.bin',
        SSECustomerAlgorithm: 'AES256',
        SSECustomerKey: base64,
      }),
    );
    expect([head.SSECustomerAlgorithm, head.ContentLength]).toEqual(['AES256', 6 * MiB]);
    await expect(suite.client.send(new HeadObjectCommand({ Bucket: suite.bucket, Key: 'handoff/ssec.bin' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 400 },
    });
    expect(ferry.secretLeaks(base64)).toEqual([]);
  });
});
