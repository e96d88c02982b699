// The window's if-exists default `ask` (issue #12) in the engine against RGW: a job whose key is
// taken replaces nothing; it waits, paused, for Replace, Skip or Keep both, across a restart too, and
// "apply to the rest of this drop" answers its whole batch.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Engine, JobSpec } from '../../main/engine/engine.ts';
import type { Job } from '../../shared/job.ts';
import { isWaitingForAnswer } from '../../shared/existsAnswer.ts';
import { createTestBucket, makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { TEST_ENDPOINT_ID, openTestEngine, tempDir, waitForState } from '../harness/engine.ts';
import { FerryCli } from '../harness/cli.ts';

const s3 = inject('s3');
let client: S3Client;
let bucket: string;
let engine: Engine;
let dataDir: string;
const files = tempDir('ask-files');
const OLD = Buffer.from('the object that was there first');
const OLD_SHA = createHash('sha256').update(OLD).digest('hex');

beforeAll(() => {
  client = testClient(s3);
});
afterAll(() => client?.destroy());
beforeEach(async () => {
  bucket = await createTestBucket(s3, 'ask');
  dataDir = tempDir('ask-data');
  engine = await openTestEngine(s3, { dataDir });
});
afterEach(async () => {
  await engine?.close();
});

async function putExisting(key: string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: OLD }));
}

async function keys(): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((object) => object.Key!).sort();
}

function spec(path: string, key: string, batch = { id: 'drop-1', name: 'a drop' }): JobSpec {
  return { path, endpointId: TEST_ENDPOINT_ID, bucket, key, batch, options: { ifExists: 'ask' } };
}

/** Adds a job to a taken key and waits until it asks. */
async function asking(name: string, key: string, size = 1000): Promise<{ job: Job; sha256: string }> {
  await putExisting(key);
  const file = await makeFile(files, name, size, size);
  const [added] = await engine.addJobs([spec(file.path, key)]);
  const job = await waitForState(engine, added!.id, 'paused');
  return { job, sha256: file.sha256 };
}

describe('if-exists ask', () => {
  it('waits for an answer without touching the object; Keep both uploads "name (1).ext"', async () => {
    const { job, sha256 } = await asking('photo.jpg', 'pics/photo.jpg');
    expect(isWaitingForAnswer(job)).toBe(true);
    expect(job.error?.code).toBe('ANSWER_NEEDED');
    expect(job.error?.message).toContain('s3://');
    expect(await objectSha256(client, bucket, 'pics/photo.jpg')).toBe(OLD_SHA);

    engine.answerExists([job.id], 'rename');
    const done = await waitForState(engine, job.id, 'completed');
    expect(done.key).toBe('pics/photo (1).jpg');
    expect(await keys()).toEqual(['pics/photo (1).jpg', 'pics/photo.jpg']);
    expect(await objectSha256(client, bucket, 'pics/photo (1).jpg')).toBe(sha256);
    expect(await objectSha256(client, bucket, 'pics/photo.jpg')).toBe(OLD_SHA);
  });

  it('Skip completes the job as skipped and leaves the object as it was', async () => {
    const { job } = await asking('notes.txt', 'notes.txt');
    engine.answerExists([job.id], 'skip');
    const done = await waitForState(engine, job.id, 'completed');
    expect(done.skipped).toBe(true);
    expect(await objectSha256(client, bucket, 'notes.txt')).toBe(OLD_SHA);
    expect(await keys()).toEqual(['notes.txt']);
  });

  it('Replace overwrites the object with the file', async () => {
    const { job, sha256 } = await asking('report.pdf', 'report.pdf');
    engine.answerExists([job.id], 'overwrite');
    await waitForState(engine, job.id, 'completed');
    expect(await objectSha256(client, bucket, 'report.pdf')).toBe(sha256);
  });

  it("the file's own bytes at the key (a write that landed as the job was paused) complete it, without asking", async () => {
    const file = await makeFile(files, 'landed.txt', 5000, 5000);
    const { readFile } = await import('node:fs/promises');
    // what a paused PutObject whose body was already in the socket's buffer leaves on the server
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'docs/landed.txt', Body: await readFile(file.path) }));
    const [added] = await engine.addJobs([spec(file.path, 'docs/landed.txt')]);
    const done = await waitForState(engine, added!.id, 'completed');
    expect(isWaitingForAnswer(done)).toBe(false);
    expect(done.skipped).toBe(true);
    expect(await keys()).toEqual(['docs/landed.txt']);
    expect(await objectSha256(client, bucket, 'docs/landed.txt')).toBe(file.sha256);
  });

  it('a free key uploads at once, without asking', async () => {
    const file = await makeFile(files, 'free.bin', 2000, 7);
    const [job] = await engine.addJobs([spec(file.path, 'free.bin')]);
    const done = await waitForState(engine, job!.id, 'completed');
    expect(done.skipped).toBeUndefined();
    expect(await objectSha256(client, bucket, 'free.bin')).toBe(file.sha256);
  });

  it('"apply to the rest of this drop" answers every job of the batch, and no other', async () => {
    const names = ['a.txt', 'b.txt', 'c.txt'];
    for (const name of names) await putExisting(`drop/${name}`);
    await putExisting('other/d.txt');
    const made = await Promise.all(names.map((name, i) => makeFile(files, `batch-${name}`, 500 + i, i)));
    const other = await makeFile(files, 'd.txt', 600, 9);
    const jobs = await engine.addJobs([
      ...made.map((file, i) => spec(file.path, `drop/${names[i]}`)),
      spec(other.path, 'other/d.txt', { id: 'drop-2', name: 'another drop' }),
    ]);
    await Promise.all(jobs.map((job) => waitForState(engine, job.id, 'paused')));

    const queued = engine.answerExists([jobs[0]!.id], 'rename', { wholeBatch: true });
    expect(queued.sort()).toEqual(
      jobs
        .slice(0, 3)
        .map((job) => job.id)
        .sort(),
    );
    const done = await Promise.all(jobs.slice(0, 3).map((job) => waitForState(engine, job.id, 'completed')));
    expect(done.map((job) => job.key).sort()).toEqual(['drop/a (1).txt', 'drop/b (1).txt', 'drop/c (1).txt']);
    // the other drop still waits, and its object is untouched
    expect(isWaitingForAnswer(engine.get(jobs[3]!.id)!)).toBe(true);
    expect(await objectSha256(client, bucket, 'other/d.txt')).toBe(OLD_SHA);
  });

  it('a job of the drop that has not asked yet takes the answer before it asks', async () => {
    await engine.close();
    // one file at a time: the second job is still queued when the first one asks (files of 1 MiB and
    // more take a whole place; smaller ones a share of one, and would run side by side)
    engine = await openTestEngine(s3, { dataDir, maxActiveJobs: 1 });
    await putExisting('q/one.txt');
    await putExisting('q/two.txt');
    const one = await makeFile(files, 'one.txt', 1024 * 1024 + 100, 1);
    const two = await makeFile(files, 'two.txt', 1024 * 1024 + 200, 2);
    const [first, second] = await engine.addJobs([spec(one.path, 'q/one.txt'), spec(two.path, 'q/two.txt')]);
    await waitForState(engine, first!.id, 'paused');
    engine.answerExists([first!.id], 'skip', { wholeBatch: true });
    const [a, b] = await Promise.all([waitForState(engine, first!.id, 'completed'), waitForState(engine, second!.id, 'completed')]);
    expect(a.skipped).toBe(true);
    expect(b.skipped).toBe(true);
    expect(b.options?.ifExists).toBe('skip');
    expect(await objectSha256(client, bucket, 'q/two.txt')).toBe(OLD_SHA);
  });

  it('the question is kept across a restart, and the answer works after it', async () => {
    const { job, sha256 } = await asking('kept.bin', 'kept.bin');
    await engine.close();
    engine = await openTestEngine(s3, { dataDir });
    const reopened = engine.get(job.id)!;
    expect(reopened.state).toBe('paused');
    expect(isWaitingForAnswer(reopened)).toBe(true);
    expect(await objectSha256(client, bucket, 'kept.bin')).toBe(OLD_SHA);

    engine.answerExists([job.id], 'overwrite');
    await waitForState(engine, job.id, 'completed');
    expect(await objectSha256(client, bucket, 'kept.bin')).toBe(sha256);
    // the answer was stored with the job
    await engine.close();
    engine = await openTestEngine(s3, { dataDir });
    expect(engine.get(job.id)?.options?.ifExists).toBe('overwrite');
  });

  it('`ferry jobs` shows a job that waits for an answer as such', async () => {
    const { job } = await asking('listed.txt', 'listed.txt');
    await engine.close();
    const ferry = new FerryCli({ dataDir });
    const table = await ferry.run(['jobs']);
    expect(table.code, table.stderr).toBe(0);
    const line = table.stdout.split('\n').find((text) => text.startsWith(job.id.slice(0, 8)))!;
    expect(line).toMatch(/waiting for an answer/);
    expect(line).toMatch(/exists: replace it, skip this file, or keep both .* Answer in the window\./);
    const [json] = await ferry.jobs();
    expect(json).toMatchObject({ id: job.id, state: 'paused', waitingForAnswer: true, error: { code: 'ANSWER_NEEDED' } });
    expect((json as unknown as { options: { ifExists: string } }).options.ifExists).toBe('ask');
  });

  it('Resume without an answer asks again instead of replacing', async () => {
    const { job } = await asking('again.txt', 'again.txt');
    engine.resume([job.id]);
    const again = await waitForState(engine, job.id, 'paused');
    expect(isWaitingForAnswer(again)).toBe(true);
    expect(await objectSha256(client, bucket, 'again.txt')).toBe(OLD_SHA);
  });

  it('refuses an answer for a job that does not wait for one, in words', async () => {
    const file = await makeFile(files, 'done.txt', 10, 3);
    const [job] = await engine.addJobs([spec(file.path, 'done.txt')]);
    await waitForState(engine, job!.id, 'completed');
    expect(() => engine.answerExists([job!.id], 'overwrite')).toThrow(/does not wait for an answer/);
  });
});
