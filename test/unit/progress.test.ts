// ferry upload's progress bar on a terminal: units, not raw numbers, and no bar after Ctrl-C.
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { ProgressReporter } from '../../main/cli/progress.ts';
import type { Engine, EngineEvent } from '../../main/engine/engine.ts';
import { Emitter } from '../../shared/emitter.ts';
import type { Job } from '../../shared/job.ts';
import { job } from './jobFixture.ts';

const MiB = 1024 * 1024;

function uploading(id: string, size: number): Job {
  return job({
    id,
    state: 'uploading',
    path: `/tmp/${id}`,
    endpointId: 'e',
    bucket: 'b',
    key: id,
    size,
    multipart: true,
    partSize: 8 * MiB,
  });
}

function terminal() {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200 });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, read: () => text };
}

describe('the progress bar', () => {
  it('shows the total and the time left in units, and is not drawn again after an interrupt', async () => {
    const events = new Emitter<EngineEvent>();
    const err = terminal();
    const io = { stdout: new PassThrough(), stderr: err.stream, stdin: new PassThrough(), env: {} };
    const file = uploading('a', 300 * MiB);
    const reporter = new ProgressReporter(io, { events } as unknown as Engine, [file]);
    events.emit({ type: 'progress', jobId: 'a', bytesDone: 150 * MiB, bytesPerSecond: 0 });
    reporter.interrupt();
    const atInterrupt = err.read();
    // the last drawing of the bar: units for both sizes, no bare "ETA 2"/"ETA INF"
    const last = atInterrupt
      .split(/\r|\n/)
      .filter((part) => part.includes('%'))
      .at(-1)!;
    expect(last).toContain('150 MiB of 300 MiB');
    expect(last).not.toMatch(/ETA|INF|314572800/);
    expect(last).toMatch(/\| (unknown time|[\dhms]+) left \|/);

    events.emit({ type: 'job-changed', job: { ...file, state: 'paused', bytesDone: 150 * MiB } });
    reporter.stop();
    const after = err.read().slice(atInterrupt.length);
    expect(after).toContain('paused s3://b/a at 150 MiB of 300 MiB');
    expect(after).not.toContain('%'); // no bar below the "paused" line
  });

  it('keeps its sums as files finish, without walking every job for each line it prints', () => {
    const events = new Emitter<EngineEvent>();
    const err = terminal();
    const io = { stdout: new PassThrough(), stderr: err.stream, stdin: new PassThrough(), env: {} };
    const files = Array.from({ length: 2000 }, (_, i) => uploading(`f${i}`, 64 * 1024));
    const reporter = new ProgressReporter(io, { events } as unknown as Engine, files);
    // every redraw used to sum sizes, bytes and finished files over all the jobs: 100,000 files
    // finishing cost minutes of CPU. Counted here as walks over the job table, not as time.
    const walks = vi.spyOn(Map.prototype, 'values');
    try {
      for (const file of files.slice(0, 1500)) {
        events.emit({ type: 'progress', jobId: file.id, bytesDone: 32 * 1024, bytesPerSecond: 0 });
        events.emit({ type: 'job-changed', job: { ...file, state: 'completed', bytesDone: file.size } });
      }
      expect(walks.mock.calls.length).toBeLessThan(100);
    } finally {
      walks.mockRestore();
    }
    reporter.interrupt();
    const last = err
      .read()
      .split(/\r|\n/)
      .filter((part) => part.includes('%'))
      .at(-1)!;
    expect(last).toContain('93.8 MiB of 125 MiB');
    expect(last).toContain('1500/2000 files');
    reporter.stop();
  });
});
