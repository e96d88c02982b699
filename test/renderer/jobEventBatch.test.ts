import { describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/contract.ts';
import { JOB_STATES } from '../../shared/job.ts';
import { startFerry } from '../../renderer/app.ts';
import { JobEventBatch, type JobEventMessage } from '../../renderer/store/jobEventBatch.ts';
import { actionTargets, selectActionCounts, selectCounts } from '../../renderer/store/selectors.ts';
import type { FerryStore } from '../../renderer/store/store.ts';
import { createFakeApi } from './fakeApi.ts';
import { makeJob, MiB } from './fixtures.ts';

async function ready(store: FerryStore): Promise<void> {
  for (let i = 0; i < 50 && store.getState().loadStatus !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  expect(store.getState().loadStatus).toBe('ready');
}

/** A seeded random sequence of job events over a few ids, as the host could send them. */
function randomEvents(seed: number, count: number): JobEventMessage[] {
  let value = seed;
  const random = () => (value = (value * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
  const events: JobEventMessage[] = [];
  for (let i = 0; i < count; i++) {
    const id = pick(ids);
    const kind = pick(['jobsAdded', 'jobsChanged', 'jobsProgress', 'jobsRemoved'] as const);
    if (kind === 'jobsProgress')
      events.push({ event: kind, payload: { updates: [{ id, bytesDone: Math.floor(random() * 100) * MiB, bytesPerSecond: i }] } });
    else if (kind === 'jobsRemoved') events.push({ event: kind, payload: { ids: [id] } });
    else {
      const view: JobView = makeJob({ state: pick(JOB_STATES), bytesDone: Math.floor(random() * 100) * MiB });
      events.push({ event: kind, payload: { jobs: [{ ...view, id, name: `${id}.bin` }] } });
    }
  }
  return events;
}

function applyOneByOne(store: FerryStore, message: JobEventMessage): void {
  const state = store.getState();
  if (message.event === 'jobsProgress') state.applyProgress(message.payload.updates);
  else if (message.event === 'jobsRemoved') state.removeJobs(message.payload.ids);
  else state.upsertJobs(message.payload.jobs);
}

describe('job events folded per frame', () => {
  it('end where applying them one by one ends: same jobs, same order, same figures', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const events = randomEvents(seed, 40);
      const oneByOne = startFerry({ api: createFakeApi({ jobs: [] }).api }).store;
      const folded = startFerry({ api: createFakeApi({ jobs: [] }).api }).store;
      await ready(oneByOne);
      await ready(folded);
      // in a few frames: the batch is taken every 7 events
      const batch = new JobEventBatch();
      events.forEach((message, index) => {
        applyOneByOne(oneByOne, message);
        batch.add(message);
        if (index % 7 === 6) folded.getState().applyJobChanges(batch.take());
      });
      folded.getState().applyJobChanges(batch.take());
      expect(batch.isEmpty).toBe(true);
      expect(folded.getState().jobOrder, `seed ${seed}`).toEqual(oneByOne.getState().jobOrder);
      expect([...folded.getState().jobs.values()], `seed ${seed}`).toEqual([...oneByOne.getState().jobs.values()]);
      expect(selectCounts(folded.getState())).toEqual(selectCounts(oneByOne.getState()));
    }
  });

  it('reach the store in one write per frame, and events older than a new snapshot are dropped', async () => {
    const a = makeJob({ state: 'uploading', size: 100 * MiB });
    const b = makeJob({ state: 'queued', size: 100 * MiB });
    const fake = createFakeApi({ jobs: [a, b] });
    const frames: (() => void)[] = [];
    const { store } = startFerry({ api: fake.api, scheduleJobEvents: (flush) => frames.push(flush) });
    await ready(store);
    let writes = 0;
    const stop = store.subscribe(() => writes++);
    for (let i = 1; i <= 50; i++) fake.emit('jobsProgress', { updates: [{ id: a.id, bytesDone: i * MiB, bytesPerSecond: MiB }] });
    fake.emit('jobsChanged', { jobs: [{ ...b, state: 'uploading' }] });
    fake.emit('jobsChanged', { jobs: [{ ...a, state: 'completed', bytesDone: a.size }] });
    // nothing is drawn before the frame, and one frame is asked for
    expect(writes).toBe(0);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    stop();
    expect(writes).toBe(1);
    expect(store.getState().jobs.get(a.id)).toMatchObject({ state: 'completed', bytesDone: 100 * MiB });
    expect(store.getState().jobs.get(b.id)?.state).toBe('uploading');

    // a reconnect's snapshot says where things are now: what was waiting for the frame is older
    fake.emit('jobsChanged', { jobs: [{ ...b, state: 'failed' }] });
    fake.handle('snapshot', () =>
      fake.answerSnapshot({
        ...fake.snapshot,
        jobs: [
          { ...a, state: 'completed' },
          { ...b, state: 'completed' },
        ],
      }),
    );
    await store.getState().loadSnapshot();
    for (const flush of frames.splice(0)) flush();
    expect(store.getState().jobs.get(b.id)?.state).toBe('completed');
  });

  it('the toolbar counts its targets from the states, and gathers the same jobs on a click', async () => {
    const jobs = JOB_STATES.flatMap((state) => [makeJob({ state }), makeJob({ state })]);
    jobs.push(makeJob({ state: 'queued', waitingForFile: true }));
    const fake = createFakeApi({ jobs });
    const { store } = startFerry({ api: fake.api });
    await ready(store);
    const check = () => {
      const counts = selectActionCounts(store.getState());
      for (const action of ['pause', 'resume', 'retry', 'abort', 'clear'] as const)
        expect(counts[action], action).toBe(actionTargets(store.getState(), action).length);
      return counts;
    };
    expect(check()).toEqual({ pause: 5, resume: 2, retry: 2, abort: 9, clear: 4 });
    expect(selectCounts(store.getState())).toMatchObject({ all: 13, active: 4, paused: 2, failed: 2, completed: 2 });
    store.getState().selectAll([jobs[0]!.id, jobs[4]!.id]);
    expect(check()).toMatchObject({ pause: 1, resume: 1, clear: 0 });
  });
});

describe('a large batch of job events', () => {
  it('is applied over a few frames, in order, and ends where applying it at once ends', async () => {
    const jobs = Array.from({ length: 5000 }, (_, index) => makeJob({ name: `f${index}.bin`, state: 'queued', size: MiB }));
    const fake = createFakeApi({ jobs });
    const frames: (() => void)[] = [];
    const { store } = startFerry({ api: fake.api, scheduleJobEvents: (flush) => frames.push(flush) });
    await ready(store);
    // 'Pause all': every job changes at once, and a few finish meanwhile
    fake.emit('jobsChanged', { jobs: jobs.map((job) => ({ ...job, state: 'paused' as const })) });
    fake.emit('jobsChanged', { jobs: [{ ...jobs[0]!, state: 'completed', bytesDone: MiB }] });
    fake.emit('jobsRemoved', { ids: [jobs[1]!.id] });
    let drawn = 0;
    while (frames.length > 0) {
      frames.shift()!();
      drawn++;
      // each frame shows a consistent list: no job lost or doubled on the way
      expect(store.getState().jobOrder.length).toBeLessThanOrEqual(5000);
    }
    expect(drawn).toBeGreaterThan(1);
    expect(selectCounts(store.getState())).toMatchObject({ all: 4999, paused: 4998, completed: 1, active: 0 });
    expect(store.getState().jobs.get(jobs[0]!.id)?.state).toBe('completed');
  });

  it('is applied at once before a command answer', async () => {
    const jobs = Array.from({ length: 5000 }, (_, index) =>
      makeJob({ name: `f${index}.bin`, state: 'completed', size: MiB, bytesDone: MiB }),
    );
    const fake = createFakeApi({ jobs });
    const frames: (() => void)[] = [];
    const { store } = startFerry({ api: fake.api, scheduleJobEvents: (flush) => frames.push(flush) });
    await ready(store);
    fake.emit('jobsChanged', { jobs: jobs.map((job) => ({ ...job, completedAt: job.createdAt + 1 })) });
    frames.shift()!();
    // the rest of the batch is still waiting when the answer comes: it goes first, then the answer
    await store.getState().clearJobs(jobs.map((job) => job.id));
    for (const flush of frames.splice(0)) flush();
    expect(store.getState().jobOrder).toEqual([]);
  });
});
