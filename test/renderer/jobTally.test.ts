// The sums kept by difference (renderer/store/jobTally.ts, issue #13): after any sequence of writes
// they are what summing every job from scratch gives, and what did not change keeps its identity.
import { describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/contract.ts';
import { JOB_STATES } from '../../shared/job.ts';
import { startFerry } from '../../renderer/app.ts';
import { tallyJobs } from '../../renderer/store/jobTally.ts';
import { selectCounts, selectTotals } from '../../renderer/store/selectors.ts';
import type { FerryStore } from '../../renderer/store/store.ts';
import { act, waitFor } from '@testing-library/react';
import { createFakeApi } from './fakeApi.ts';
import { renderApp } from './renderApp.tsx';
import { makeJob, MiB } from './fixtures.ts';

async function ready(store: FerryStore): Promise<void> {
  for (let i = 0; i < 50 && store.getState().loadStatus !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  expect(store.getState().loadStatus).toBe('ready');
}

function randomSource(seed: number) {
  let value = seed;
  const random = () => (value = (value * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  return { random, pick };
}

describe('the job tally', () => {
  it('kept by difference equals the tally from scratch after random writes', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
      const { random, pick } = randomSource(seed);
      const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      const view = (id: string): JobView => {
        const batchId = pick([null, 'B1', 'B2']);
        const state = pick(JOB_STATES);
        return makeJob({
          id,
          name: `${id}.bin`,
          batchId,
          batchName: batchId === null ? null : `folder ${batchId}`,
          state,
          size: 100 * MiB,
          bytesDone: Math.floor(random() * 100) * MiB,
          waitingForFile: random() < 0.2,
          waitingForAnswer: state === 'paused' && random() < 0.3,
          retry:
            state === 'uploading' && random() < 0.3
              ? {
                  attempt: 2,
                  maxAttempts: 5,
                  nextRetryAt: Math.floor(random() * 1000),
                  giveUpAt: null,
                  error: { code: 'SERVER_ERROR', message: 'x' },
                }
              : null,
        });
      };
      const { store } = startFerry({ api: createFakeApi({ jobs: ids.slice(0, 4).map(view) }).api });
      await ready(store);
      for (let step = 0; step < 60; step++) {
        const removed = random() < 0.3 ? [pick(ids)] : [];
        const upserts = Array.from({ length: Math.floor(random() * 3) }, () => view(pick(ids)));
        const progress = Array.from({ length: Math.floor(random() * 3) }, () => ({
          id: pick(ids),
          bytesDone: Math.floor(random() * 100) * MiB,
          bytesPerSecond: Math.floor(random() * 10) * MiB,
        }));
        store.getState().applyJobChanges({ removed, upserts, progress });
        const state = store.getState();
        expect(state.jobTally, `seed ${seed}, step ${step}`).toEqual(tallyJobs(state.jobs.values()));
      }
    }
  });

  it('a progress tick changes the sums and its batch, not the census nor another batch', async () => {
    const a = makeJob({ state: 'uploading', batchId: 'B1', batchName: 'one', size: 10 * MiB });
    const b = makeJob({ state: 'uploading', batchId: 'B2', batchName: 'two', size: 10 * MiB });
    const { store } = startFerry({ api: createFakeApi({ jobs: [a, b] }).api });
    await ready(store);
    const before = store.getState().jobTally;
    const counts = selectCounts(store.getState());
    store.getState().applyProgress([{ id: a.id, bytesDone: 5 * MiB, bytesPerSecond: MiB }]);
    const after = store.getState().jobTally;
    expect(after.census).toBe(before.census);
    expect(selectCounts(store.getState())).toBe(counts);
    expect(after.groups.get('B2')).toBe(before.groups.get('B2'));
    expect(after.groups.get('B1')).toMatchObject({ bytesDone: 5 * MiB, bytesPerSecond: MiB });
    expect(selectTotals(store.getState())).toMatchObject({ bytesPerSecond: MiB, remainingBytes: 15 * MiB });
  });

  it('says nothing moves when the uploads still running stalled, whatever speeds went before (no float residue)', async () => {
    // speeds are smoothed averages, not whole numbers: summed and taken out again they leave a
    // residue unless kept exact
    const a = makeJob({ id: 'a', name: 'a.bin', state: 'uploading', size: 100 * MiB, bytesDone: 0 });
    const b = makeJob({ id: 'b', name: 'b.bin', state: 'uploading', size: 100 * MiB, bytesDone: 0 });
    const { store } = await renderApp({ snapshot: { jobs: [a, b] } });
    act(() => {
      store.getState().applyProgress([{ id: 'a', bytesDone: 10 * MiB, bytesPerSecond: 1047452.6710915866 }]);
      store.getState().applyProgress([{ id: 'b', bytesDone: 10 * MiB, bytesPerSecond: 2721960.138473809 }]);
    });
    await waitFor(() => expect(document.title).toMatch(/% · 3.59 MiB\/s — Ferry$/));
    act(() => {
      store.getState().upsertJobs([{ ...b, state: 'completed', bytesDone: 100 * MiB }]);
      // a stalls: the engine says 0 when nothing moved for a while
      store.getState().applyProgress([{ id: 'a', bytesDone: 10 * MiB, bytesPerSecond: 0 }]);
    });
    const state = store.getState();
    expect(state.jobTally).toEqual(tallyJobs(state.jobs.values()));
    expect(selectTotals(state)).toMatchObject({ uploading: 1, bytesPerSecond: 0, etaSeconds: null });
    await waitFor(() => expect(document.title).toMatch(/% · – — Ferry$/));
  });
});
