/**
 * React's way into the store: the store comes from context (one per window; a test makes its own),
 * and components read it with selectors.
 */
import { createContext, useContext, useMemo } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { JobEntry } from './jobsSlice.ts';
import type { FerryState, FerryStore } from './store.ts';

export const StoreContext = createContext<FerryStore | null>(null);

export function useFerryStore(): FerryStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useFerry outside <StoreContext.Provider>');
  return store;
}

/** Reads the store with a selector; re-renders when the selected value changes (Object.is). */
export function useFerry<T>(selector: (state: FerryState) => T): T {
  return useStore(useFerryStore(), selector);
}

/** Same, for a derived array or object: re-renders only when its contents change (shallowly). */
export function useFerryShallow<T>(selector: (state: FerryState) => T): T {
  return useStore(useFerryStore(), useShallow(selector));
}

/** One job, by id: its row re-renders when this job changes, not when another one does. */
export function useJob(id: string): JobEntry | undefined {
  return useFerry((state) => state.jobs.get(id));
}

/** The functions of the store's state: its actions. */
export type FerryActions = { [K in keyof FerryState as FerryState[K] extends (...args: never[]) => unknown ? K : never]: FerryState[K] };

/**
 * The store's actions: the same functions in every state, so the object is made once per store and
 * using it never re-renders. It has no state fields (they would be stale): read those with useFerry.
 */
export function useActions(): FerryActions {
  const store = useFerryStore();
  return useMemo(() => {
    const state = store.getState();
    const actions: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(state)) if (typeof value === 'function') actions[key] = value;
    return actions as FerryActions;
  }, [store]);
}
