/**
 * The engine's parts, built and connected once (engine.ts is their public face): the job table over
 * the store, the request limiter and bandwidth shared by every job, one S3 gateway per endpoint,
 * bucket operations, the progress sampler, the job runner under the scheduler, the user's commands,
 * and the pages holding browser jobs' files.
 */
import { Emitter } from '../../shared/emitter.ts';
import { FerryError } from '../../shared/errors.ts';
import type { JobStore } from '../store/jobStore.ts';
import { Bandwidth } from './bandwidth.ts';
import { BrowserSources, PageSources } from './browserSources.ts';
import { BucketOps } from './bucketOps.ts';
import { CopySources } from './changes.ts';
import type { EngineEvent } from './events.ts';
import { Gateways } from './gateways.ts';
import { JobCommands } from './jobCommands.ts';
import { JobRunner } from './jobRunner.ts';
import { JobTable } from './jobTable.ts';
import { Limiter } from './limiter.ts';
import { ProgressSampler } from './progress.ts';
import { createS3Client } from './s3Client.ts';
import { Scheduler } from './scheduler.ts';
import { engineSettings, type EngineOptions, type EngineSettings } from './settings.ts';

/** Everything an engine is made of. */
export interface EngineParts {
  events: Emitter<EngineEvent>;
  settings: EngineSettings;
  limiter: Limiter;
  /** The bandwidth limit shared by every job (`ferry limit` changes it live). */
  bandwidth: Bandwidth;
  jobs: JobTable;
  gateways: Gateways;
  buckets: BucketOps;
  progress: ProgressSampler;
  runner: JobRunner;
  scheduler: Scheduler;
  commands: JobCommands;
  sources: PageSources;
}

/** Builds an engine's parts over an open store; `shutdown` is aborted when the engine closes. */
export function wireEngine(options: EngineOptions, store: JobStore, shutdown: AbortSignal): EngineParts {
  const settings = engineSettings(options);
  // the host's vault (the CLI's keychain or key file, the desktop app's safeStorage): the engine
  // imports no keeper itself, so that the desktop bundle carries none it does not use
  const vault = options.vault ?? null;
  const events = new Emitter<EngineEvent>();
  const jobs = new JobTable(store, events);
  const browserSources = new BrowserSources();
  const limiter = new Limiter(settings.maxRequests);
  const bandwidth = new Bandwidth(options.bandwidthLimit ?? null);
  const gateways = new Gateways(options.endpoints, options.createClient ?? createS3Client, limiter, settings);
  const buckets = new BucketOps(gateways, shutdown);
  const progress = new ProgressSampler(
    settings.progressIntervalMs,
    (id) => jobs.get(id)?.bytesDone,
    (sample) => events.emit({ type: 'progress', ...sample }),
  );
  // "upload changes only" jobs and the object each copies its unchanged parts from (changes.ts)
  const copySources = new CopySources(store);
  const runner = new JobRunner({
    copySources,
    jobs,
    gateways,
    buckets,
    sources: browserSources,
    vault,
    bandwidth,
    events,
    settings,
    // the run's end schedules it (scheduler.ts #startJob)
    requeue: (id) => scheduler.enqueueOnce(id),
  });
  const scheduler = new Scheduler(jobs, browserSources, progress, {
    maxActiveJobs: () => settings.maxActiveJobs, // live: Settings' "files at once"
    autoStart: settings.autoStart,
    run: (job, signal) => runner.run(job, signal),
    onIdle: () => events.emit({ type: 'idle' }),
  });
  const assertOpen = () => {
    if (scheduler.closed) throw new FerryError('STORE_ERROR', 'The engine is closed.');
  };
  const commands = new JobCommands({
    jobs,
    scheduler,
    gateways,
    buckets,
    events,
    vault,
    defaults: settings,
    assertOpen,
    copySources,
    shutdown,
  });
  store.onDiskFull = (error) => commands.pauseForDiskFull(error);
  const sources = new PageSources(browserSources, jobs, scheduler);
  return { events, settings, limiter, bandwidth, jobs, gateways, buckets, progress, runner, scheduler, commands, sources };
}
