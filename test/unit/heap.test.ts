// The host's one collection after loading a large store (main/host/heap.ts): Node 22 offers it without
// --expose-gc, and the process goes on as before.
import { describe, expect, it } from 'vitest';
import { compactHeap } from '../../main/host/heap.ts';

describe('compactHeap', () => {
  it('collects without --expose-gc, and leaves what is alive alone', () => {
    const alive = Array.from({ length: 1000 }, (_, i) => ({ id: `job-${i}` }));
    expect(compactHeap()).toBe(true);
    expect(alive[999]!.id).toBe('job-999');
    // the flag is set for this process only, not for the code that runs in it
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
