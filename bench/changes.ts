// "Send only what changed" (issue #15) against a restart from zero, on a Ceph RGW of its own:
//   node bench/changes.ts [--size-mib 1024] [--part-mib 16] [--out FILE]
// Two changes of the file (10 MiB appended; three scattered 1 MiB rewrites), each in two situations:
//   unfinished: a job paused at three quarters, then its file changes; "resume, sending only what
//               changed" against a restart of the job from the file as it is now;
//   completed:  a job completed, then its file changes; "upload changes only" (UploadPartCopy of the
//               unchanged parts) against a new upload of the whole file.
// Reports bytes sent (the engine's own count of body bytes) and wall time, and checks every object's
// SHA-256 against the file. Prints a Markdown table (and writes it to --out).
import { writeFileSync } from 'node:fs';
import { appendFile, mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, type EndpointResolver } from '../main/engine/engine.ts';
import { startRgw } from '../test/harness/rgw.ts';
import { createTestBucket, makeFile, objectSha256, sha256File, testClient } from '../test/harness/s3.ts';
import type { TestS3 } from '../test/harness/s3env.ts';

const MiB = 1024 * 1024;
const { values: opts } = parseArgs({
  options: { 'size-mib': { type: 'string', default: '1024' }, 'part-mib': { type: 'string', default: '16' }, out: { type: 'string' } },
});
const SIZE = Number(opts['size-mib']) * MiB;
const PART = Number(opts['part-mib']) * MiB;

const work = await mkdtemp(path.join(os.tmpdir(), 'ferry-bench-changes-'));
const rgw = await startRgw({ backend: 'bluestore', dir: path.join(work, 'rgw') });
const s3: TestS3 = {
  endpoint: rgw.endpoint,
  region: rgw.region,
  accessKeyId: rgw.accessKeyId,
  secretAccessKey: rgw.secretAccessKey,
  forcePathStyle: true,
};
const resolver: EndpointResolver = {
  async resolve() {
    return {
      profile: { id: 'rgw', name: 'rgw', url: s3.endpoint, region: s3.region, addressing: 'path', checksums: 'when-required' },
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    };
  },
};
const client = testClient(s3);
const bucket = await createTestBucket(s3, 'bench-changes');
const engine = await Engine.open({ dataDir: path.join(work, 'data'), endpoints: resolver, partSize: PART });

type Change = 'append 10 MiB' | 'three 1 MiB rewrites';
async function change(file: string, how: Change): Promise<void> {
  if (how === 'append 10 MiB') return appendFile(file, Buffer.alloc(10 * MiB, 0x61));
  const handle = await open(file, 'r+');
  try {
    for (const at of [0.2, 0.5, 0.8]) await handle.write(Buffer.alloc(MiB, 0x62), 0, MiB, Math.floor((SIZE * at) / MiB) * MiB + 4096);
  } finally {
    await handle.close();
  }
}

function waitFor(id: string, state: 'completed' | 'paused'): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const job = engine.get(id)!;
      if (job.state === state) return true;
      if (job.state === 'failed' || job.state === 'aborted') throw new Error(`job ${id} ${job.state}: ${job.error?.message}`);
      return false;
    };
    try {
      if (check()) return resolve();
    } catch (error) {
      return reject(error as Error);
    }
    const off = engine.events.on((event) => {
      if (event.type !== 'job-changed' || event.job.id !== id) return;
      try {
        if (check()) {
          off();
          resolve();
        }
      } catch (error) {
        off();
        reject(error as Error);
      }
    });
  });
}

/** Bytes sent and seconds taken while `body` runs to its job's completion. */
async function measure(body: () => Promise<string>): Promise<{ sent: number; seconds: number; jobId: string }> {
  const before = engine.stats().bytesSent;
  const started = performance.now();
  const jobId = await body();
  await waitFor(jobId, 'completed');
  return { sent: engine.stats().bytesSent - before, seconds: (performance.now() - started) / 1000, jobId };
}

const rows: string[] = [];
let n = 0;
for (const situation of ['unfinished', 'completed'] as const) {
  for (const how of ['append 10 MiB', 'three 1 MiB rewrites'] as const) {
    const results: Record<'changes' | 'restart', { sent: number; seconds: number }> = {} as never;
    for (const mode of ['changes', 'restart'] as const) {
      n += 1;
      const file = (await makeFile(work, `f${n}.bin`, SIZE, n)).path;
      const key = `bench/${situation}-${n}.bin`;
      const [job] = await engine.addJobs([{ path: file, endpointId: 'rgw', bucket, key }]);
      if (situation === 'unfinished') {
        const stop = Math.floor(job!.partCount * 0.75);
        await new Promise<void>((resolve) => {
          const off = engine.events.on((event) => {
            if (event.type === 'part-uploaded' && event.jobId === job!.id && engine.parts(job!.id).length >= stop) {
              off();
              void engine.pause([job!.id]).then(() => resolve());
            }
          });
        });
      } else await waitFor(job!.id, 'completed');
      await change(file, how);
      const result = await measure(async () => {
        if (mode === 'changes') return (await engine.sendChangesOnly(job!.id)).jobId;
        if (situation === 'unfinished') {
          await engine.pause([job!.id]);
          await engine.abort([job!.id]);
        }
        const [again] = await engine.addJobs([{ path: file, endpointId: 'rgw', bucket, key }]);
        return again!.id;
      });
      const same = (await objectSha256(client, bucket, key)) === (await sha256File(file));
      if (!same) throw new Error(`${key}: the object differs from the file`);
      results[mode] = result;
      await rm(file);
    }
    const c = results.changes;
    const r = results.restart;
    rows.push(
      `| ${situation} | ${how} | ${(c.sent / MiB).toFixed(1)} MiB, ${c.seconds.toFixed(1)} s | ${(r.sent / MiB).toFixed(1)} MiB, ${r.seconds.toFixed(1)} s | ${(100 * (1 - c.sent / r.sent)).toFixed(1)} % |`,
    );
    console.log(rows.at(-1));
  }
}

const report = [
  `Send only what changed against a restart from zero: a ${SIZE / MiB} MiB file in ${PART / MiB} MiB parts, Ceph RGW 16.2 (bluestore) on this machine; ${new Date().toISOString()}.`,
  'Unfinished: the job paused at 75 % of its parts, then the file changed; completed: the job completed, then the file changed.',
  '',
  '| job | change | only what changed (sent, time) | restart from zero (sent, time) | bytes saved |',
  '| --- | --- | --- | --- | --- |',
  ...rows,
].join('\n');
console.log(`\n${report}`);
if (opts.out) writeFileSync(opts.out, `${report}\n`);
await engine.close();
client.destroy();
await rgw.stop();
await rm(work, { recursive: true, force: true });
