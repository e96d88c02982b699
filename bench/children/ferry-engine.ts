// Ferry stand-in: drives the engine (main/engine/engine.ts) directly, as the CLI does, in its own process.
// Used for the Ferry row until bin/ferry.js exists, for profiling the engine (node --cpu-prof), and for the
// resume scenario. Exit code 0 = every job completed (like the CLI's contract).
//   FERRY_BENCH_CHILD='{"dataDir":..., "file":{path,key} | "dir":{path,prefix}, "resume":false, ...}'
//   FERRY_BENCH_MEMLOG=FILE: append process.memoryUsage() as a JSON line every 250 ms (memory investigations)
import { appendFileSync } from 'node:fs';
import { Engine } from '../../main/engine/engine.ts';
import { filesUnder, readChildConfig, type Source } from '../lib/files.ts';

const memlog = process.env.FERRY_BENCH_MEMLOG;
if (memlog) {
  const t0 = performance.now();
  setInterval(
    () => appendFileSync(memlog, `${JSON.stringify({ t: Math.round(performance.now() - t0), ...process.memoryUsage() })}\n`),
    250,
  ).unref();
}

const ENDPOINT_ID = 'bench';
const config = readChildConfig();
if (!config.dataDir) throw new Error('dataDir is required');

const engine = await Engine.open({
  dataDir: config.dataDir,
  endpoints: {
    async resolve(id) {
      return {
        profile: { id, name: id, url: config.endpoint, region: config.region, addressing: 'path', checksums: 'when-required' },
        credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      };
    },
    // the endpoint is probed for the checks it validates, as the CLI's first upload to a new endpoint
    // does (a fresh --data-dir per run): without this the stand-in sent Content-MD5 where the CLI signs
    // SHA-256, and its profile charged Ferry for an MD5 the CLI never computes
    recordIntegrity() {},
  },
  partSize: config.partSize,
  partConcurrency: config.concurrency,
  maxRequests: config.maxRequests ?? config.concurrency,
  ...(config.workers ? { maxActiveJobs: config.workers } : {}),
});
let failed = 0;
try {
  if (!config.resume) {
    const sources: Source[] = config.file ? [config.file] : config.dir ? await filesUnder(config.dir.path, config.dir.prefix) : [];
    await engine.addJobs(sources.map((s) => ({ path: s.path, endpointId: ENDPOINT_ID, bucket: config.bucket, key: s.key })));
  }
  await engine.whenIdle();
  for (const job of engine.list()) {
    if (job.state !== 'completed') {
      failed++;
      process.stderr.write(`${job.key}: ${job.state}${job.error ? `: ${job.error.message}` : ''}\n`);
    }
  }
} finally {
  await engine.close();
}
process.exitCode = failed === 0 ? 0 : 1;
