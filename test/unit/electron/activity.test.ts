// What the desktop shows of the engine's work: batches, their progress, speed, and what is worth a notification.
import { describe, expect, it } from 'vitest';
import { ActivityTracker } from '../../../main/electron/activity.ts';
import { FakeEngine, job } from './jobs.ts';

function tracked(engine: FakeEngine) {
  const tracker = new ActivityTracker(engine.list(), (each) => engine.sources.isWaitingForFile(each));
  const notices: unknown[] = [];
  engine.events.on((event) => notices.push(...tracker.apply(event)));
  return { tracker, notices };
}

describe('ActivityTracker', () => {
  it('is idle with nothing to do, and jobs resumed at launch start a batch', () => {
    const idle = new FakeEngine();
    idle.jobs = [job({ state: 'completed', bytesDone: 100 }), job({ state: 'paused' })];
    expect(tracked(idle).tracker.summary()).toEqual({ active: 0, uploading: 0, queued: 0, bytesPerSecond: 0, fraction: null });

    const resumed = new FakeEngine();
    resumed.jobs = [job({ state: 'queued', bytesDone: 50 })];
    expect(tracked(resumed).tracker.summary()).toMatchObject({ active: 1, queued: 1, fraction: 0.5 });
  });

  it('follows a batch: progress over all its bytes, speeds summed, a notice when all is done', () => {
    const engine = new FakeEngine();
    const { tracker, notices } = tracked(engine);
    const a = job({ size: 300 });
    const b = job({ size: 100 });
    engine.add(a, b);
    engine.change(a.id, { state: 'uploading' });
    engine.change(b.id, { state: 'uploading' });
    engine.events.emit({ type: 'progress', jobId: a.id, bytesDone: 150, bytesPerSecond: 2 * 1024 * 1024 });
    engine.events.emit({ type: 'progress', jobId: b.id, bytesDone: 50, bytesPerSecond: 1024 * 1024 });
    expect(tracker.summary()).toEqual({ active: 2, uploading: 2, queued: 0, bytesPerSecond: 3 * 1024 * 1024, fraction: 0.5 });

    engine.change(b.id, { state: 'completed', bytesDone: 100 });
    expect(tracker.summary()).toMatchObject({ uploading: 1, bytesPerSecond: 2 * 1024 * 1024, fraction: 250 / 400 });
    expect(notices).toEqual([]);

    engine.change(a.id, { state: 'completed', bytesDone: 300 });
    expect(notices).toEqual([{ kind: 'batch-finished', completed: 2, failed: 0, bytes: 400 }]);
    expect(tracker.summary()).toEqual({ active: 0, uploading: 0, queued: 0, bytesPerSecond: 0, fraction: null });
  });

  it('tells of a failure at once, and of the batch when the rest completes', () => {
    const engine = new FakeEngine();
    const { notices } = tracked(engine);
    const good = job();
    const bad = job({ path: '/data/big.iso' });
    engine.add(good, bad);
    engine.change(bad.id, { state: 'uploading' });
    engine.change(bad.id, { state: 'failed', error: { code: 'ACCESS_DENIED', message: 'Access denied.', retryable: false } });
    expect(notices).toEqual([{ kind: 'failed', name: 'big.iso', message: 'Access denied.' }]);
    engine.change(good.id, { state: 'uploading' });
    engine.change(good.id, { state: 'completed', bytesDone: 100 });
    expect(notices.at(-1)).toEqual({ kind: 'batch-finished', completed: 1, failed: 1, bytes: 100 });
  });

  it('says nothing when a batch ends with nothing completed (all paused)', () => {
    const engine = new FakeEngine();
    const { tracker, notices } = tracked(engine);
    const a = job();
    engine.add(a);
    engine.change(a.id, { state: 'paused' });
    expect(notices).toEqual([]);
    expect(tracker.summary().active).toBe(0);
  });

  it('does not count browser jobs waiting for their page as activity', () => {
    const engine = new FakeEngine();
    engine.jobs = [job({ source: 'browser', state: 'queued' })];
    expect(tracked(engine).tracker.summary()).toMatchObject({ active: 0, fraction: null });
  });

  it('counts a job that completed and was cleared from the list before its batch ended, in its bar too', () => {
    const engine = new FakeEngine();
    const { tracker, notices } = tracked(engine);
    const a = job({ size: 300 });
    const b = job({ size: 100 });
    engine.add(a, b);
    engine.change(a.id, { state: 'uploading' });
    engine.change(a.id, { state: 'completed', bytesDone: 300 });
    expect(tracker.summary().fraction).toBe(0.75);
    // cleared from the list: the bar does not go back
    engine.events.emit({ type: 'jobs-removed', ids: [a.id] });
    expect(tracker.summary()).toMatchObject({ active: 1, fraction: 0.75 });
    engine.change(b.id, { state: 'paused' });
    expect(notices).toEqual([{ kind: 'batch-finished', completed: 1, failed: 0, bytes: 300 }]);
    expect(tracker.summary().fraction).toBeNull();
  });

  it('forgets removed jobs', () => {
    const engine = new FakeEngine();
    const { tracker } = tracked(engine);
    const a = job();
    engine.add(a);
    engine.events.emit({ type: 'jobs-removed', ids: [a.id] });
    expect(tracker.summary()).toMatchObject({ active: 0, fraction: null });
  });
});
