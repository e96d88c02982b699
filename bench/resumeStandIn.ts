// A resume's time to its first part, against a stand-in server, for an A/B of builds in minutes (issue #14):
//   node bench/resumeStandIn.ts [--rounds 8] [--parts 5016] [--stored 5000] [--held 5006] [--check sha256|md5]
//                               LABEL=PATH/bin/ferry.js [LABEL=PATH/bin/ferry.js ...]
// bench/run.ts's resume scenario is the real thing (a 24.5 GiB upload to Ceph RGW, killed, then resumed), but it
// needs 28 GiB of disk and many minutes before the first measurement. Here a local HTTP server stands in for
// the server: it answers ListParts with `held` parts of 5 MiB (the MD5 of zeros as ETag, as RGW would for the
// sparse file) and holds every UploadPart; the data directory holds a job of `parts` parts of a sparse file,
// `stored` of them in the job store, left 'uploading' by a crash, and an endpoint whose probe found `check` (RGW
// 16: a signed payload's SHA-256), so that no probe runs. Each build runs `ferry --data-dir DIR run` on a fresh
// copy of that directory, in alternation, each round in a rotated order; the time is from spawning the client
// to the first UploadPart request at the server, then the client is killed. Only the client is measured: the
// stand-in answers at once, so the ListParts round trips cost nothing here that they would over a network.
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import { fingerprintOf } from '../main/engine/fileSource.ts';
import { JobStore } from '../main/store/jobStore.ts';
import type { CompletedPart, Job } from '../shared/job.ts';
import { median } from './lib/stats.ts';

const PART = 5 * 1024 * 1024;
const { values: opts, positionals: builds } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '8' },
    parts: { type: 'string', default: '5016' },
    stored: { type: 'string', default: '5000' },
    held: { type: 'string', default: '5006' },
    check: { type: 'string', default: 'sha256' },
  },
});
const [ROUNDS, PARTS, STORED, HELD] = [opts.rounds, opts.parts, opts.stored, opts.held].map(Number) as [number, number, number, number];
if (builds.length === 0 || builds.some((b) => !b.includes('='))) throw new Error('name the builds as LABEL=PATH/bin/ferry.js');
const md5OfPart = createHash('md5').update(Buffer.alloc(PART)).digest('hex');

interface Request {
  op: string;
  at: number;
  partNumber?: number;
}
let requests: Request[] = [];
const now = () => performance.timeOrigin + performance.now();

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const q = url.searchParams;
  const op =
    q.has('uploadId') && req.method === 'GET' ? 'ListParts' : q.has('partNumber') && req.method === 'PUT' ? 'UploadPart' : req.method!;
  requests.push({ op, at: now(), ...(op === 'UploadPart' ? { partNumber: Number(q.get('partNumber')) } : {}) });
  req.resume();
  if (op === 'UploadPart') return; // held: the client is killed before it is answered
  req.on('end', () => {
    if (op !== 'ListParts') {
      res.writeHead(200, { 'content-type': 'application/xml' }).end('');
      return;
    }
    const marker = Number(q.get('part-number-marker') ?? 0);
    const max = Number(q.get('max-parts') ?? 1000);
    const numbers: number[] = [];
    for (let n = marker + 1; n <= HELD && numbers.length < max; n++) numbers.push(n);
    const last = numbers.at(-1) ?? marker;
    const parts = numbers.map(
      (n) =>
        `<Part><PartNumber>${n}</PartNumber><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"${md5OfPart}"</ETag><Size>${PART}</Size></Part>`,
    );
    res
      .writeHead(200, { 'content-type': 'application/xml' })
      .end(
        `<?xml version="1.0" encoding="UTF-8"?><ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
          `<Bucket>bench</Bucket><Key>resume.bin</Key><UploadId>${q.get('uploadId')}</UploadId><PartNumberMarker>${marker}</PartNumberMarker>` +
          `<NextPartNumberMarker>${last}</NextPartNumberMarker><MaxParts>${max}</MaxParts><IsTruncated>${last < HELD}</IsTruncated>${parts.join('')}</ListPartsResult>`,
      );
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// the data directory as a crash left it
const work = mkdtempSync(path.join(os.tmpdir(), 'ferry-bench-resume-standin-'));
const snapshot = path.join(work, 'snapshot');
const file = path.join(work, 'resume.bin');
writeFileSync(file, '');
truncateSync(file, PARTS * PART); // sparse
const [, firstCli] = builds[0]!.split('=') as [string, string];
execFileSync(
  process.execPath,
  [firstCli, '--data-dir', snapshot, 'endpoint', 'add', 'bench', '--url', endpoint, '--region', 'us-east-1', '--path-style'].concat([
    '--checksums',
    'when-required',
    '--access-key-id',
    'BENCHKEY',
    '--secret-stdin',
  ]),
  { input: 'bench-secret\n', stdio: ['pipe', 'ignore', 'inherit'] },
);
const db = new DatabaseSync(path.join(snapshot, 'ferry.db'));
const endpointRow = db.prepare('SELECT id, profile FROM endpoints').get() as { id: string; profile: string };
const integrity = { contentMd5: true, signedSha256: opts.check === 'sha256', crc32: false, probedAt: Date.now() };
db.prepare('UPDATE endpoints SET profile = ? WHERE id = ?').run(
  JSON.stringify({ ...JSON.parse(endpointRow.profile), integrity }),
  endpointRow.id,
);
db.close();
const fingerprint = fingerprintOf(statSync(file, { bigint: true }));
const started = Date.now();
const job: Job = {
  id: randomUUID(),
  state: 'uploading',
  source: 'disk',
  path: file,
  endpointId: endpointRow.id,
  bucket: 'bench',
  key: 'resume.bin',
  size: fingerprint.size,
  fingerprint,
  multipart: true,
  partSize: PART,
  partCount: PARTS,
  concurrency: 8,
  uploadId: 'stand-in-upload',
  bytesDone: 0,
  etag: null,
  error: null,
  createdAt: started,
  updatedAt: started,
  completedAt: null,
  batchId: null,
  batchName: null,
};
const store = JobStore.open(snapshot);
store.insertJobs([job]);
store.saveJob(job);
const stored: CompletedPart[] = [];
for (let n = 1; n <= STORED; n++) stored.push({ partNumber: n, etag: `"${md5OfPart}"`, md5: md5OfPart, size: PART });
store.replaceParts(job.id, stored);
store.close();

const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const results = new Map<string, number[]>(builds.map((b) => [b.split('=')[0]!, []]));
const loads: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < builds.length; k++) {
    const [label, cli] = builds[(round + k) % builds.length]!.split('=') as [string, string];
    const dataDir = path.join(work, 'data');
    rmSync(dataDir, { recursive: true, force: true });
    cpSync(snapshot, dataDir, { recursive: true });
    loads.push(loadAverage());
    requests = [];
    const spawnedAt = now();
    const child = spawn(process.execPath, [cli, '--data-dir', dataDir, 'run'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const first = await new Promise<Request | null>((resolve) => {
      const poll = setInterval(() => {
        const part = requests.find((r) => r.op === 'UploadPart');
        if (part) {
          clearInterval(poll);
          resolve(part);
        }
      }, 1);
      void exited.then(() => {
        clearInterval(poll);
        resolve(requests.find((r) => r.op === 'UploadPart') ?? null);
      });
    });
    child.kill('SIGKILL');
    await exited;
    // a killed client's requests still on their way must not count for the next one
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (!first) throw new Error(`${label} sent no UploadPart: ${stderr}`);
    const ms = first.at - spawnedAt;
    results.get(label)!.push(ms);
    const lists = requests.filter((r) => r.op === 'ListParts' && r.at <= first.at).length;
    console.log(`${label} round ${round + 1}: first part (${first.partNumber}) after ${ms.toFixed(0)} ms, ${lists} ListParts before it`);
  }
}
for (const [label, times] of results) {
  console.log(
    `${label}: median ${median(times).toFixed(0)} ms (${times.length} rounds, ${Math.min(...times).toFixed(0)}-${Math.max(...times).toFixed(0)})`,
  );
}
console.log(`load average ${Math.min(...loads)}-${Math.max(...loads)} (${os.cpus().length} CPUs)`);
server.close();
rmSync(work, { recursive: true, force: true });
