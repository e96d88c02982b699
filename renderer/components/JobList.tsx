/**
 * The uploads as a table whose rows are virtualised (@tanstack/react-virtual): only the rows in
 * view (and a few around) are in the DOM, whatever the number of jobs. The list itself re-renders
 * when the shown ids change (a filter, an added or finished job), never on a progress tick.
 *
 * Keyboard: Tab reaches each row's checkbox and buttons; Up/Down move between rows; Space ticks the
 * row; Ctrl/Cmd+A selects every shown job and Escape clears the selection (App).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useRef, type KeyboardEvent } from 'react';
import { useActions, useFerry, useFerryShallow } from '../store/hooks.ts';
import { selectVisibleIds } from '../store/selectors.ts';
import { JobRow } from './JobRow.tsx';

export const ROW_HEIGHT = 48;

export function JobList({ emptyText }: { emptyText: string }) {
  const ids = useFerryShallow(selectVisibleIds);
  const allSelected = useFerry((state) => ids.length > 0 && state.selected.size >= ids.length && ids.every((id) => state.selected.has(id)));
  const actions = useActions();
  const scroller = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => ids[index] ?? index,
    overscan: 8,
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
    if (!row || (event.key !== 'ArrowDown' && event.key !== 'ArrowUp' && event.key !== 'Home' && event.key !== 'End')) return;
    const index = Number(row.dataset.index);
    const next = event.key === 'Home' ? 0 : event.key === 'End' ? ids.length - 1 : index + (event.key === 'ArrowDown' ? 1 : -1);
    if (next < 0 || next >= ids.length) return;
    event.preventDefault();
    focusRow(next);
  }

  const items = virtualizer.getVirtualItems();
  return (
    <div className="job-table" role="table" aria-label="Uploads" aria-rowcount={ids.length + 1} onKeyDown={onKeyDown}>
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
          <div role="columnheader" className="cell cell-name">
            Name
          </div>
          <div role="columnheader" className="cell cell-progress">
            Progress
          </div>
          <div role="columnheader" className="cell cell-number cell-speed">
            Speed
          </div>
          <div role="columnheader" className="cell cell-number cell-eta">
            Time left
          </div>
          <div role="columnheader" className="cell cell-state">
            Status
          </div>
          <div role="columnheader" className="cell cell-actions">
            <span className="visually-hidden">Actions</span>
          </div>
        </div>
      </div>
      <div ref={scroller} role="rowgroup" className="job-table-body" data-testid="job-scroller">
        {ids.length === 0 ? (
          <div className="list-empty" role="row">
            <div role="cell">{emptyText}</div>
          </div>
        ) : (
          <div role="none" className="job-table-sizer" style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => (
              <JobRow key={item.key} id={ids[item.index]!} index={item.index} top={item.start} />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
