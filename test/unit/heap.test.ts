// The host's one collection after loading a large store (main/host/heap.ts): Node 22 offers it without
// --expose-gc, and the process goes on as before.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compactHeap, QuietCompactor } from '../../main/host/heap.ts';

describe('compactHeap', () => {
  it('collects without --expose-gc, and leaves what is alive alone', () => {
    const alive = Array.from({ length: 1000 }, (_, i) => ({ id: `job-${i}` }));
    expect(compactHeap()).toBe(true);
    expect(alive[999]!.id).toBe('job-999');
    // the flag is set for this process only, not for the code that runs in it
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});

describe('QuietCompactor', () => {
  afterEach(() => vi.useRealTimers());

  it('collects once, after the last of a burst of requests, and not after cancel', () => {
    vi.useFakeTimers();
    let collections = 0;
    const compactor = new QuietCompactor(1000, () => collections++);
    for (let i = 0; i < 5; i++) {
      compactor.request();
      vi.advanceTimersByTime(600); // each page comes before the quiet period ends
    }
    expect(collections).toBe(0);
    vi.advanceTimersByTime(400);
    expect(collections).toBe(1);
    vi.advanceTimersByTime(5000);
    expect(collections).toBe(1);
    compactor.request();
    compactor.cancel();
    vi.advanceTimersByTime(5000);
    expect(collections).toBe(1);
  });

  it('waits while uploads send, and collects once they have stopped for the quiet period', () => {
    vi.useFakeTimers();
    let collections = 0;
    let bytesSent = 0;
    const compactor = new QuietCompactor(
      1000,
      () => collections++,
      () => bytesSent,
    );
    compactor.request();
    for (let i = 0; i < 5; i++) {
      bytesSent += 8 * 2 ** 20; // a part went out in this second
      vi.advanceTimersByTime(1000);
    }
    expect(collections).toBe(0); // every second so far moved bytes
    vi.advanceTimersByTime(999);
    expect(collections).toBe(0);
    vi.advanceTimersByTime(1); // a whole second without a byte sent
    expect(collections).toBe(1);
  });
});
