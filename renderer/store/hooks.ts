/**
 * React's way into the store: the store comes from context (one per window; a test makes its own),
 * and components read it with selectors.
 */
import { createContext, useContext } from 'react';
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
  return actionsOf(useFerryStore());
}

/** Made once per store: rows mount by the dozen per frame while the list scrolls. */
const actionsByStore = new WeakMap<FerryStore, FerryActions>();

function actionsOf(store: FerryStore): FerryActions {
  let actions = actionsByStore.get(store);
  if (!actions) {
    const found: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(store.getState())) if (typeof value === 'function') found[key] = value;
    actions = found as FerryActions;
    actionsByStore.set(store, actions);
  }
  return actions;
}
