/**
 * The uploads as a table whose rows are virtualised (@tanstack/react-virtual): only the rows in
 * view (and a few around) are in the DOM, whatever the number of jobs. A batch of several files is
 * one group row that expands into its files (rows of the same list). The list itself re-renders
 * when the shown rows change (a filter, a search, a sort, an added or finished job), never on a
 * progress tick.
 *
 * A row's React key is its entry (its job, or its batch), so a row keeps its elements while its job
 * stays in view and a scroll builds only the rows that come into view: a wheel or a trackpad moving
 * a row or two a frame builds one or two rows a frame. Keyed by their place among the rows drawn
 * instead (as they were), every row showed another job at every such step and all of them changed
 * their text and attributes each frame (12 ms of the main thread a frame, against 7 ms keyed by job,
 * at 3,000 px/s through 10,000 rows; docs/benchmark-history.md).
 *
 * Faster than that, when the list moves more than its height between two frames (a dragged scroll
 * bar, a fling: fastScroll.ts), no row would stay in view for two frames: the full rows stay as they
 * were, hidden, and light rows (SeekRow.tsx, keyed by place: each shows another job every frame)
 * show where the list is, until it slows down and the full rows are built where it stopped.
 *
 * Keyboard: Tab reaches each row's checkbox and buttons; Up/Down move between rows; Space ticks the
 * row; Ctrl/Cmd+A selects every shown job, Escape clears the selection, Delete removes the selected
 * (App).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useRef, type KeyboardEvent } from 'react';
import { useActions, useFerry, useFerryShallow, useFerryStore } from '../store/hooks.ts';
import { selectListItems, selectVisibleIds } from '../store/selectors.ts';
import type { SortKey } from '../store/uiSlice.ts';
import { GroupRow } from './GroupRow.tsx';
import { JobRow } from './JobRow.tsx';
import { useFastScroll } from './fastScroll.ts';
import { SeekRow, seekRowContent } from './SeekRow.tsx';

export const ROW_HEIGHT = 48;

function SortHeader({ label, sortKey, className }: { label: string; sortKey: SortKey; className: string }) {
  const sort = useFerry((state) => state.sort);
  const actions = useActions();
  const active = sort.key === sortKey;
  return (
    <div role="columnheader" className={`cell ${className}`} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort-button" onClick={() => actions.sortBy(sortKey)}>
        {label}
        <span className="sort-mark" aria-hidden="true">
          {active ? (sort.descending ? '▼' : '▲') : ''}
        </span>
      </button>
    </div>
  );
}

/** The items in view, of those the virtualiser drew (all of them when the view's height is not known). */
function seekItems<T extends { start: number; end: number }>(items: readonly T[], offset: number, height: number): readonly T[] {
  if (height <= 0) return items;
  return items.filter((item) => item.end > offset && item.start < offset + height);
}

export function JobList({ emptyText }: { emptyText: string }) {
  const items = useFerryShallow(selectListItems);
  const ids = useFerryShallow(selectVisibleIds);
  const allSelected = useFerry((state) => ids.length > 0 && state.selected.size >= ids.length && ids.every((id) => state.selected.has(id)));
  const actions = useActions();
  const store = useFerryStore();
  const scroller = useRef<HTMLDivElement>(null);
  const seeking = useFastScroll(scroller);
  // the same function while the rows are the same: the virtualiser places every row again (a pass
  // over all 10,000) whenever it changes, and the list re-renders on every frame of a scroll
  const getItemKey = useCallback((index: number) => items[index] ?? index, [items]);

  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey,
    // a few rows beyond the view: each one more is built, styled and laid out on every frame of a drag
    overscan: 3,
    // rows are measured (a failed row wraps its whole error); an unlaid-out row keeps the estimate
    measureElement: (element, entry) => {
      const height = entry?.borderBoxSize?.[0]?.blockSize ?? element.getBoundingClientRect().height;
      return height > 0 ? height : ROW_HEIGHT;
    },
    initialRect: { width: 1000, height: 600 },
    // React 19 batches the virtualiser's updates well; a flushSync from its layout effect only warns
    useFlushSync: false,
  });

  const focusRow = useCallback(
    (index: number) => {
      virtualizer.scrollToIndex(index, { align: 'auto' });
      // the row may only exist after the virtualiser re-rendered
      requestAnimationFrame(() =>
        scroller.current?.querySelector<HTMLInputElement>(`[data-index="${index}"] input[type="checkbox"]`)?.focus(),
      );
    },
    [virtualizer],
  );

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const row = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
    if (!row || (event.target as HTMLElement).closest('[role="menu"]')) return;
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp' && event.key !== 'Home' && event.key !== 'End') return;
    const index = Number(row.dataset.index);
    const next = event.key === 'Home' ? 0 : event.key === 'End' ? items.length - 1 : index + (event.key === 'ArrowDown' ? 1 : -1);
    if (next < 0 || next >= items.length) return;
    event.preventDefault();
    focusRow(next);
  }

  const virtualItems = virtualizer.getVirtualItems();
  // the full rows where they were when the list started to scroll fast (hidden meanwhile)
  const held = useRef(virtualItems);
  if (!seeking || held.current.length === 0) held.current = virtualItems;
  const fullItems = held.current;
  const seekState = seeking ? store.getState() : null;
  return (
    <div className="job-table" role="table" aria-label="Uploads" aria-rowcount={items.length + 1} onKeyDown={onKeyDown}>
      <div role="rowgroup" className="job-table-head">
        <div role="row" aria-rowindex={1} className="job-row head">
          <div role="columnheader" className="cell cell-check">
            <input
              type="checkbox"
              aria-label="Select all shown uploads"
              checked={allSelected}
              disabled={ids.length === 0}
              onChange={() => (allSelected ? actions.clearSelection() : actions.selectAll(ids))}
            />
          </div>
          <SortHeader label="Name" sortKey="name" className="cell-name" />
          <SortHeader label="Progress" sortKey="progress" className="cell-progress" />
          <div role="columnheader" className="cell cell-number cell-speed">
            Speed
          </div>
          <div role="columnheader" className="cell cell-number cell-eta">
            Time left
          </div>
          <SortHeader label="Status" sortKey="status" className="cell-state" />
          <div role="columnheader" className="cell cell-actions">
            <span className="visually-hidden">Actions</span>
          </div>
        </div>
      </div>
      <div ref={scroller} role="rowgroup" className="job-table-body" data-testid="job-scroller">
        {items.length === 0 ? (
          <div className="list-empty" role="row">
            <div role="cell">{emptyText}</div>
          </div>
        ) : (
          <div role="none" className={`job-table-sizer${seeking ? ' seeking' : ''}`} style={{ height: virtualizer.getTotalSize() }}>
            {fullItems.map((item) => {
              // held while scrolling fast: the list may have lost rows since
              const entry = items[item.index];
              if (entry === undefined) return null;
              const id = entry.slice(2);
              if (entry.startsWith('g:'))
                return <GroupRow key={entry} batchId={id} index={item.index} top={item.start} measure={virtualizer.measureElement} />;
              return (
                <JobRow
                  key={entry}
                  id={id}
                  index={item.index}
                  top={item.start}
                  depth={entry.startsWith('c:') ? 1 : 0}
                  measure={virtualizer.measureElement}
                />
              );
            })}
            {seekState !== null &&
              // the rows in view only: the few beyond it (overscan) are for the full rows' keyboard
              seekItems(virtualItems, virtualizer.scrollOffset ?? 0, virtualizer.scrollRect?.height ?? 0).map((item, slot) => {
                const entry = items[item.index];
                const content = entry === undefined ? null : seekRowContent(seekState, entry);
                return content === null ? null : (
                  <SeekRow key={`seek-${slot}`} index={item.index} top={item.start} child={entry!.startsWith('c:')} content={content} />
                );
              })}
          </div>
        )}
      </div>
    </div>
  );
}
