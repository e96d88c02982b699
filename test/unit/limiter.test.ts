import { describe, expect, it } from 'vitest';
import { Limiter, requestUnits, SLOT_UNITS } from '../../main/engine/limiter.ts';

describe('Limiter', () => {
  it('never runs more tasks than its limit', async () => {
    const limiter = new Limiter(3);
    const signal = new AbortController().signal;
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run('low', signal, async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 2));
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(limiter.active).toBe(0);
  });

  it('lets high-priority requests (create, complete) pass queued parts', async () => {
    const limiter = new Limiter(1);
    const signal = new AbortController().signal;
    const release = await limiter.acquire('low', signal);
    const order: string[] = [];
    const low = limiter.acquire('low', signal).then((r) => {
      order.push('low');
      r();
    });
    const high = limiter.acquire('high', signal).then((r) => {
      order.push('high');
      r();
    });
    release();
    await Promise.all([low, high]);
    expect(order).toEqual(['high', 'low']);
  });

  it('lets small requests share a slot by their bytes, and keeps them in order behind a large one', async () => {
    expect(requestUnits(64 * 1024)).toBe(1);
    expect(requestUnits(0)).toBe(1);
    expect(requestUnits(512 * 1024)).toBe(SLOT_UNITS / 2);
    expect(requestUnits(1024 * 1024)).toBe(SLOT_UNITS);
    expect(requestUnits(undefined)).toBe(SLOT_UNITS);
    const limiter = new Limiter(1);
    const signal = new AbortController().signal;
    const small = await Promise.all(Array.from({ length: SLOT_UNITS }, () => limiter.acquire('low', signal, 1)));
    expect(limiter.active).toBe(SLOT_UNITS);
    const order: string[] = [];
    const large = limiter.acquire('low', signal).then((release) => {
      order.push('large');
      return release;
    });
    const later = limiter.acquire('low', signal, 1).then((release) => {
      order.push('small');
      return release;
    });
    small.slice(1).forEach((release) => release());
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]); // the large one needs the whole slot; the small one waits its turn
    small[0]!();
    (await large)();
    (await later)();
    expect(order).toEqual(['large', 'small']);
    expect(limiter.active).toBe(0);
    expect(limiter.peak).toBe(SLOT_UNITS);
  });

  it('lets a part waiting for a whole slot in while small checks keep coming (--if-exists skip, ask)', async () => {
    // a big file's part waits behind small files' HeadObjects; each small job that finds its key
    // taken ends at once, and the next one's check arrives as soon as a unit is free
    const limiter = new Limiter(1);
    const signal = new AbortController().signal;
    const checks = await Promise.all(Array.from({ length: SLOT_UNITS }, () => limiter.acquire('high', signal, 1)));
    let partIn = false;
    const part = limiter.acquire('low', signal).then((release) => {
      partIn = true;
      return release;
    });
    const later: Promise<() => void>[] = [];
    for (let i = 0; i < 4 * SLOT_UNITS && !partIn; i++) {
      checks.shift()!();
      later.push(limiter.acquire('high', signal, 1).then((release) => (checks.push(release), release)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(partIn).toBe(true);
    (await part)();
    await Promise.all(later);
    checks.forEach((release) => release());
    expect(limiter.active).toBe(0);
  });

  it('drops a waiter whose signal aborts, with the abort reason', async () => {
    const limiter = new Limiter(1);
    const release = await limiter.acquire('low', new AbortController().signal);
    const controller = new AbortController();
    const waiting = limiter.acquire('low', controller.signal);
    controller.abort('paused');
    await expect(waiting).rejects.toBe('paused');
    release();
    expect(limiter.active).toBe(0);
  });
});
