// Fills a data directory's job store with N queued jobs, as N files queued by `ferry upload` of folders of
// 1,000 files each would leave it, in one transaction (the store-scale scenario of bench/run.ts). Every job
// points at the same small file (so the fingerprint matches and a started job really uploads), under its
// own key. Started by bench/run.ts in its own process (node:sqlite needs Node 22).
//   FERRY_BENCH_SEED='{"dataDir":..., "jobs":100000, "file":"/path", "endpointId":"...", "bucket":"..."}'
import { statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fingerprintOf } from '../../main/engine/fileSource.ts';
import { JobStore } from '../../main/store/jobStore.ts';
import type { Job } from '../../shared/job.ts';

interface SeedConfig {
  dataDir: string;
  jobs: number;
  file: string;
  endpointId: string;
  bucket: string;
}

const text = process.env.FERRY_BENCH_SEED;
if (!text) throw new Error('FERRY_BENCH_SEED is not set: this program is started by bench/run.ts');
const config = JSON.parse(text) as SeedConfig;
// the engine's own fingerprint of the file, so that a started job finds it unchanged
const fingerprint = fingerprintOf(statSync(config.file, { bigint: true }));
const now = Date.now();
const BATCH = 1000;
const jobs: Job[] = [];
let batchId = '';
for (let i = 0; i < config.jobs; i++) {
  if (i % BATCH === 0) batchId = randomUUID();
  const folder = `folder-${String(Math.floor(i / BATCH)).padStart(3, '0')}`;
  const name = `f${String(i % BATCH).padStart(4, '0')}.bin`;
  const size = fingerprint.size;
  jobs.push({
    id: randomUUID(),
    state: 'queued',
    source: 'disk',
    path: config.file,
    endpointId: config.endpointId,
    bucket: config.bucket,
    key: `scale/${folder}/${name}`,
    size,
    fingerprint,
    multipart: false,
    partSize: size,
    partCount: 1,
    concurrency: 1,
    uploadId: null,
    bytesDone: 0,
    etag: null,
    error: null,
    createdAt: now,
    updatedAt: now,
    completedAt: null,
    options: { contentType: 'application/octet-stream' },
    batchId,
    batchName: folder,
  });
}
const store = JobStore.open(config.dataDir);
try {
  store.insertJobs(jobs);
} finally {
  store.close();
}
