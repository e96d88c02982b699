/** The window's components on a started store: the chunk that main.tsx loads beside the connection. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App.tsx';
import type { FerryStore } from './store/store.ts';

export function renderWindow(store: FerryStore): void {
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      <App store={store} />
    </StrictMode>,
  );
}
