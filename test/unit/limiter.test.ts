import { describe, expect, it } from 'vitest';
import { Limiter } from '../../main/engine/limiter.ts';

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
