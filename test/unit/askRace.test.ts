/**
 * "Apply to the rest of this drop" while another file of the drop is checking its key: the answer
 * must reach it, not leave it asking again (the engine against the in-memory FakeS3).
 */
import { describe, expect, it } from 'vitest';
import type { Engine, JobSpec } from '../../main/engine/engine.ts';
import { isWaitingForAnswer } from '../../shared/existsAnswer.ts';
import { FakeS3 } from './fakeS3.ts';
import { fakeEngineEachTest } from './fakeEngine.ts';

const fixture = fakeEngineEachTest('ask-race');

function waitFor(engine: Engine, id: string, test: (state: string) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      const job = engine.get(id);
      if (job && test(job.state)) {
        off();
        resolve();
      }
    };
    const off = engine.events.on(check);
    check();
  });
}

describe('an answer for the whole drop', () => {
  it('reaches a file of the drop whose check of the key was on its way', async () => {
    const s3 = new FakeS3();
    s3.objects.set('a', { etag: '"x"', size: 1 });
    s3.objects.set('b', { etag: '"y"', size: 1 });
    // b's check of its key is held until the answer has been given
    const held = s3.gate((call) => call.operation === 'HeadObject' && call.key === 'b');
    const engine = await fixture.open(s3, { maxActiveJobs: 4 });
    const [first, second] = fixture.files(2, 100);
    const spec = (path: string, key: string): JobSpec => ({
      path,
      endpointId: 'fake',
      bucket: 'bucket',
      key,
      batch: { id: 'drop', name: 'a drop' },
      options: { ifExists: 'ask' },
    });
    const [a, b] = await engine.addJobs([spec(first!, 'a'), spec(second!, 'b')]);
    await waitFor(engine, a!.id, (state) => state === 'paused');
    await held.reached;
    engine.answerExists([a!.id], 'skip', { wholeBatch: true });
    held.open();
    await engine.whenIdle();
    const answered = engine.get(b!.id)!;
    expect(isWaitingForAnswer(answered)).toBe(false);
    expect(answered.state).toBe('completed');
    expect(answered.skipped).toBe(true);
    expect(engine.get(a!.id)?.skipped).toBe(true);
  });
});
