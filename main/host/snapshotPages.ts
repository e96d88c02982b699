/**
 * The rest of a snapshot's jobs, a page at a time (issue #13, the first row of 10,000 jobs within
 * 1 s). A snapshot answers its first page at once and keeps the ids of the others under a cursor;
 * `jobsPage` reads the next ones as they are then. Ids, not views, are kept: a page says where each
 * job is when it is read, a job removed since is left out (its jobsRemoved event says so too), and a
 * forgotten cursor holds little.
 *
 * Cursors are random, used by one window, and forgotten after their last page, after
 * {@link CURSOR_IDLE_MS} without a read, or when more than {@link MAX_CURSORS} are open (the oldest
 * first): a window that lost its cursor takes a new snapshot.
 */
import { randomUUID } from 'node:crypto';
import { FerryError } from '../../shared/errors.ts';

/** Jobs in a snapshot's first page: more than a tall window shows, little to send (about 20 KiB). */
export const FIRST_PAGE_JOBS = 200;
/** Jobs in each later page: about 0.4 MiB, a few milliseconds to parse and append. */
export const PAGE_JOBS = 5000;
export const CURSOR_IDLE_MS = 5 * 60_000;
export const MAX_CURSORS = 16;

interface Cursor {
  ids: readonly string[];
  next: number;
  usedAt: number;
}

export class SnapshotPages {
  readonly #cursors = new Map<string, Cursor>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The first page's ids, and a cursor for the rest (null when the first page holds them all). */
  open(ids: readonly string[], firstPage = FIRST_PAGE_JOBS): { first: readonly string[]; cursor: string | null } {
    this.#forgetIdle();
    if (ids.length <= firstPage) return { first: ids, cursor: null };
    const cursor = randomUUID();
    this.#cursors.set(cursor, { ids, next: firstPage, usedAt: this.#now() });
    while (this.#cursors.size > MAX_CURSORS) this.#cursors.delete(this.#cursors.keys().next().value!);
    return { first: ids.slice(0, firstPage), cursor };
  }

  /**
   * The next page's ids, and the cursor again (null after the last page, which forgets it); `total`: how
   * many jobs the snapshot had.
   */
  next(cursor: string, pageSize = PAGE_JOBS): { ids: readonly string[]; cursor: string | null; total: number } {
    this.#forgetIdle();
    const open = this.#cursors.get(cursor);
    if (!open) throw new FerryError('INVALID_INPUT', 'This list of uploads is no longer available: take a new snapshot.');
    const ids = open.ids.slice(open.next, open.next + pageSize);
    open.next += ids.length;
    open.usedAt = this.#now();
    if (open.next < open.ids.length) return { ids, cursor, total: open.ids.length };
    this.#cursors.delete(cursor);
    return { ids, cursor: null, total: open.ids.length };
  }

  /** Cursors open now (for tests). */
  get size(): number {
    return this.#cursors.size;
  }

  #forgetIdle(): void {
    const now = this.#now();
    for (const [cursor, open] of this.#cursors) if (now - open.usedAt > CURSOR_IDLE_MS) this.#cursors.delete(cursor);
  }
}
