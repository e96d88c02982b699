// Opens Ferry's engine on a data directory and reports, as one JSON line on stdout, how long Engine.open took
// (wall and CPU milliseconds) and the process's memory before and after (the store-scale scenario of bench/run.ts). The engine is opened
// with autoStart: false, as the CLI opens it, so that nothing uploads; it is closed again at once.
//   FERRY_BENCH_OPEN='{"dataDir":...}'
import { Engine } from '../../main/engine/engine.ts';

const text = process.env.FERRY_BENCH_OPEN;
if (!text) throw new Error('FERRY_BENCH_OPEN is not set: this program is started by bench/run.ts');
const { dataDir } = JSON.parse(text) as { dataDir: string };
const rssBefore = process.memoryUsage().rss;
const cpu = process.cpuUsage();
const started = performance.now();
const engine = await Engine.open({
  dataDir,
  autoStart: false,
  endpoints: {
    resolve() {
      throw new Error('the benchmark opens the engine only: nothing resolves an endpoint');
    },
  },
});
const openMs = performance.now() - started;
const { user, system } = process.cpuUsage(cpu);
const openCpuMs = (user + system) / 1000;
const jobs = engine.list().length;
const rssAfter = process.memoryUsage().rss;
await engine.close();
process.stdout.write(`${JSON.stringify({ openMs, openCpuMs, jobs, rssBefore, rssAfter })}\n`);
