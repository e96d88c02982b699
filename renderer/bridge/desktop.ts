/**
 * What the Electron preload puts on `window`: the contract's commands answering envelopes (`window.ferry`) and the one
 * desktop-only helper the page needs, the path of a dropped file (Electron's webUtils.getPathForFile).
 * Absent in the browser host.
 */
import type { FerryWireApi } from '../../shared/contract.ts';

export interface FerryDesktop {
  /** The absolute path of a dropped or chosen File ('' when it has none, e.g. a file made by the page). */
  getPathForFile(file: File): string;
}

declare global {
  interface Window {
    ferry?: FerryWireApi;
    ferryDesktop?: FerryDesktop;
  }
}

/** The desktop helper when the page runs in Ferry's Electron window, else null. */
export function desktopHelper(): FerryDesktop | null {
  return typeof window !== 'undefined' && window.ferryDesktop ? window.ferryDesktop : null;
}
