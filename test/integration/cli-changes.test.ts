// `ferry retry --changed-only JOB_ID` (issue #15) end to end: a completed upload whose file changed
// is uploaded again, its unchanged parts copied on the server; the command says how much it sent.
import { describe, expect, it } from 'vitest';
import { closeSync, openSync, writeSync } from 'node:fs';
import { MiB } from '../../shared/partPlan.ts';
import { cliSuite, stackLines } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { makeFile, objectSha256, sha256File } from '../harness/s3.ts';

const suite = cliSuite('cli-changes');

describe('ferry retry --changed-only', () => {
  it('re-uploads a changed file of a completed job sending only its changed part', async () => {
    const { bucket, client } = suite;
    const file = await makeFile(tempDir('cli-changes'), 'report.bin', 30 * MiB, 71);
    const ferry = await suite.cli();
    const uploaded = await ferry.run(['upload', file.path, `s3://${bucket}/report.bin`, '--endpoint', 'rgw', '--part-size', '5MiB']);
    expect(uploaded.code, uploaded.stderr).toBe(0);
    const [job] = await ferry.jobs();
    const fd = openSync(file.path, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x7e), 0, 4096, 12 * MiB); // inside part 3
    closeSync(fd);

    const changed = await ferry.run(['retry', '--changed-only', job!.id.slice(0, 8)]);
    expect(changed.code, changed.stderr).toBe(0);
    expect(stackLines(changed.stderr)).toEqual([]);
    expect(changed.stderr).toContain('the unchanged parts are copied on the server');
    expect(changed.stderr).toContain(`Sent 5.00 MiB (${5 * MiB} bytes) of 30.0 MiB (${30 * MiB} bytes)`);
    expect(await objectSha256(client, bucket, 'report.bin')).toBe(await sha256File(file.path));
    const jobs = await ferry.jobs();
    expect(jobs.map((j) => j.state)).toEqual(['completed', 'completed']);
  });

  it('refuses --all and a job whose file did not change, in words', async () => {
    const { bucket } = suite;
    const file = await makeFile(tempDir('cli-changes'), 'same.bin', 6 * MiB, 72);
    const ferry = await suite.cli();
    expect((await ferry.run(['upload', file.path, `s3://${bucket}/same.bin`, '--endpoint', 'rgw', '--part-size', '5MiB'])).code).toBe(0);
    const [job] = await ferry.jobs();
    const all = await ferry.run(['retry', '--changed-only', '--all']);
    expect(all.code).not.toBe(0);
    expect(all.stderr).toMatch(/--changed-only needs the job ids/);
    const same = await ferry.run(['retry', '--changed-only', job!.id]);
    expect(same.code).not.toBe(0);
    expect(same.stderr).toMatch(/has not changed since Job .{8} uploaded it/);
    expect(stackLines(same.stderr)).toEqual([]);
  });
});
