/**
 * The snapshot's first page that the browser host hands with the document of its link (issue #13,
 * shared/wire.ts FIRST_PAGE_ID): read once and removed from the page. A preview of the first rows,
 * shown while the socket opens and takes the page's own snapshot; null when there is none (a
 * reload, Electron) or it does not read as one.
 */
import type { Snapshot } from '../../shared/contract.ts';
import { FIRST_PAGE_ID } from '../../shared/wire.ts';

export function takeFirstPage(target: Window): Snapshot | null {
  const element = target.document.getElementById(FIRST_PAGE_ID);
  if (!element) return null;
  element.remove();
  try {
    const value: unknown = JSON.parse(element.textContent ?? '');
    // the jobs are checked as they are decoded (shared/jobPage.ts); the rest is checked for its
    // shape here: applied as a preview, a part missing would throw before the window is drawn
    return readsAsSnapshot(value) ? value : null;
  } catch {
    return null;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** Whether `value` has the parts of a Snapshot that the preview applies (the page of jobs is decoded later). */
function readsAsSnapshot(value: unknown): value is Snapshot {
  return (
    isObject(value) &&
    isObject(value.jobs) &&
    typeof value.jobCount === 'number' &&
    Number.isSafeInteger(value.jobCount) &&
    value.jobCount >= 0 &&
    Array.isArray(value.endpoints) &&
    value.endpoints.every(isObject) &&
    isObject(value.settings) &&
    isObject(value.host)
  );
}
