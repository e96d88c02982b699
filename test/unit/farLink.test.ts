// The benchmark's far endpoint (bench/lib/farProxy.ts): its link must carry bytes at its rate, shared by every
// connection, and a late timer must not slow the link down (the reservation is in absolute time).
import { describe, expect, it } from 'vitest';
import { LinkPacer } from '../../bench/lib/farProxy.ts';

describe('LinkPacer', () => {
  it('lets 25 MB through a 200 Mbit/s link in one second, whoever sends them', () => {
    const link = new LinkPacer(200e6);
    // 64 KiB chunks from any number of connections, all arriving at t = 0
    let last = 0;
    let sent = 0;
    while (sent + 65_536 <= 25_000_000) {
      last = link.delayFor(65_536, 0);
      sent += 65_536;
    }
    expect(last).toBeCloseTo((sent * 8) / 200e3, 6); // ms
    expect(last).toBeGreaterThan(990);
    expect(last).toBeLessThanOrEqual(1000);
  });

  it('does not count idle time as capacity, nor lose capacity to a late chunk', () => {
    const link = new LinkPacer(8e6); // 1,000 bytes per ms
    expect(link.delayFor(1000, 0)).toBe(1); // leaves at 1 ms
    expect(link.delayFor(1000, 0.5)).toBe(1.5); // queued behind the first: leaves at 2 ms
    // the link idles until 10 ms: the next chunk leaves 1 ms after it arrives, no burst of saved-up capacity
    expect(link.delayFor(1000, 10)).toBe(1);
  });
});
