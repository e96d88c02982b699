import { describe, expect, it } from 'vitest';
import { CURSOR_IDLE_MS, MAX_CURSORS, SnapshotPages } from '../../main/host/snapshotPages.ts';

const ids = (count: number) => Array.from({ length: count }, (_, index) => `job-${index}`);

describe('the pages of a snapshot', () => {
  it('answers the first page at once and the rest in order, then forgets the cursor', () => {
    const pages = new SnapshotPages();
    const { first, cursor } = pages.open(ids(25), 10);
    expect(first).toEqual(ids(10));
    const second = pages.next(cursor!, 10);
    expect(second).toEqual({ ids: ids(20).slice(10), cursor, total: 25 });
    const last = pages.next(cursor!, 10);
    expect(last).toEqual({ ids: ids(25).slice(20), cursor: null, total: 25 });
    expect(pages.size).toBe(0);
    expect(() => pages.next(cursor!)).toThrow(/no longer available/);
  });

  it('needs no cursor when the first page holds every job', () => {
    expect(new SnapshotPages().open(ids(3), 10)).toEqual({ first: ids(3), cursor: null });
  });

  it('forgets cursors left unread, and the oldest when too many are open', () => {
    let now = 0;
    const pages = new SnapshotPages(() => now);
    const idle = pages.open(ids(5), 1).cursor!;
    now += CURSOR_IDLE_MS + 1;
    const cursors = Array.from({ length: MAX_CURSORS + 1 }, () => pages.open(ids(5), 1).cursor!);
    expect(pages.size).toBe(MAX_CURSORS);
    expect(() => pages.next(idle)).toThrow();
    expect(() => pages.next(cursors[0]!)).toThrow();
    expect(pages.next(cursors[1]!, 1).ids).toEqual(['job-1']);
  });
});
