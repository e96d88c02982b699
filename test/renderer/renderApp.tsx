/** Starts the window on a fake FerryApi, renders it, and waits for the first snapshot. */
import { render, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { expect } from 'vitest';
import type { SnapshotContents } from '../../shared/contract.ts';
import { startFerry } from '../../renderer/app.ts';
import type { BridgeConnection } from '../../renderer/bridge/connection.ts';
import type { FerryDesktop } from '../../renderer/bridge/desktop.ts';
import { App } from '../../renderer/components/App.tsx';
import type { PageNotifications } from '../../renderer/notify/notifications.ts';
import { createFakeApi, type FakeApi } from './fakeApi.ts';

export type RenderedApp = ReturnType<typeof startFerry> & {
  fake: FakeApi;
  user: ReturnType<typeof userEvent.setup>;
  view: ReturnType<typeof render>;
};

export async function renderApp(
  options: {
    snapshot?: Partial<SnapshotContents>;
    fake?: FakeApi;
    desktop?: FerryDesktop;
    connection?: BridgeConnection;
    notifications?: PageNotifications;
    /** Folds job events until the test runs the flush (the window: once per animation frame). */
    scheduleJobEvents?: (flush: () => void) => void;
  } = {},
): Promise<RenderedApp> {
  const fake = options.fake ?? createFakeApi(options.snapshot);
  const ferry = startFerry({
    api: fake.api,
    desktop: options.desktop ?? null,
    connection: options.connection ?? null,
    ...(options.notifications ? { notifications: options.notifications } : {}),
    ...(options.scheduleJobEvents ? { scheduleJobEvents: options.scheduleJobEvents } : {}),
  });
  const user = userEvent.setup();
  const view = render(<App store={ferry.store} />);
  await waitFor(() => expect(ferry.store.getState().loadStatus).toBe('ready'));
  return { ...ferry, fake, user, view };
}
