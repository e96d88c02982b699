/**
 * Fast scrolling through a long list (issue #13, smooth under load). When the list moves by more
 * than its own height between two scroll events (the scroll bar dragged, a fling), no row of one
 * frame is still in view at the next: nobody reads them, and building each full row (its buttons,
 * its menus, its progress) for a single frame is what made such a drag miss frames. The list then
 * shows light rows instead (name, progress bar and status, as react-virtuoso's "scroll seek"
 * placeholders do) and the full rows come back once it slows down or stops.
 *
 * It never applies while the focus is inside the list: a keyboard user's row keeps its buttons.
 */
import { useEffect, useState, type RefObject } from 'react';

/** After this long without a scroll event the list has stopped: the full rows come back. */
export const SEEK_SETTLE_MS = 150;

/**
 * Whether the list scrolls fast, given whether it did and the last step: it starts when a step
 * is longer than the view (nothing of the last frame stays in view) and ends when one is shorter
 * than a quarter of it (a person reads rows moving that slowly).
 */
export function isSeeking(seeking: boolean, stepPx: number, viewportPx: number): boolean {
  const step = Math.abs(stepPx);
  if (viewportPx <= 0) return false; // not laid out: nothing is drawn either
  return seeking ? step >= viewportPx / 4 : step > viewportPx;
}

/** Whether the list in `scroller` is scrolled fast right now (see above). */
export function useFastScroll(scroller: RefObject<HTMLElement | null>): boolean {
  const [seeking, setSeeking] = useState(false);
  useEffect(() => {
    const element = scroller.current;
    if (!element) return;
    let last = element.scrollTop;
    let current = false;
    let settle: ReturnType<typeof setTimeout> | null = null;
    const show = (next: boolean) => {
      if (next === current) return;
      current = next;
      setSeeking(next);
    };
    const onScroll = () => {
      const top = element.scrollTop;
      const step = top - last;
      last = top;
      const focused = element.contains(element.ownerDocument.activeElement);
      show(!focused && isSeeking(current, step, element.clientHeight));
      if (settle !== null) clearTimeout(settle);
      settle = current ? setTimeout(() => show(false), SEEK_SETTLE_MS) : null;
    };
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      element.removeEventListener('scroll', onScroll);
      if (settle !== null) clearTimeout(settle);
    };
  }, [scroller]);
  return seeking;
}
