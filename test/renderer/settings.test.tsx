/**
 * Issue #13's settings in the window: the transfer fields (validated, saved when left), the
 * notification of a finished batch in the browser host (the page's Notification API, faked), the
 * destination remembered per endpoint, and the warning for a bucket the endpoint did not list.
 */
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { PageNotifications, NotificationPermissionState } from '../../renderer/notify/notifications.ts';
import { makeEndpoint, makeJob, MiB } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

const BROWSER_HOST = { kind: 'browser' as const, version: '0.1.0', vaultWarning: null, canReadPaths: false };

function fakeNotifications(answer: NotificationPermissionState = 'granted') {
  const shown: { title: string; body: string }[] = [];
  let permission: NotificationPermissionState = 'default';
  let asked = 0;
  const notifications: PageNotifications = {
    permission: () => permission,
    requestPermission: async () => {
      asked += 1;
      permission = answer;
      return permission;
    },
    show: (title, body) => {
      if (permission === 'granted') shown.push({ title, body });
    },
  };
  return { notifications, shown, asked: () => asked };
}

describe('transfer settings', () => {
  it('saves files at once, parts per file and part size when the field is left, and refuses what is out of bounds', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    const files = within(dialog).getByRole('spinbutton', { name: /^Files at once/ });
    await user.clear(files);
    await user.type(files, '40');
    await user.tab();
    expect(within(dialog).getByText('A whole number from 1 to 32.')).toBeTruthy();
    expect(fake.requests('setSettings')).toEqual([]);
    await user.clear(files);
    await user.type(files, '2');
    await user.tab();
    const parts = within(dialog).getByRole('spinbutton', { name: /^Parts per file/ });
    await user.clear(parts);
    await user.type(parts, '16');
    await user.tab();
    const size = within(dialog).getByRole('textbox', { name: /^Part size/ });
    await user.type(size, '1MiB');
    await user.tab();
    expect(within(dialog).getByText(/A size from 5MiB to 5GiB/)).toBeTruthy();
    await user.clear(size);
    await user.type(size, '64MiB');
    await user.tab();
    expect(fake.requests('setSettings')).toEqual([{ filesAtOnce: 2 }, { partsPerFile: 16 }, { partSize: 64 * MiB }]);
    await user.clear(size);
    await user.tab();
    expect(fake.requests('setSettings').at(-1)).toEqual({ partSize: null });
  });
});

describe('notifications on finish (browser host)', () => {
  it('asks the browser on the click, then notifies when a batch has finished', async () => {
    const fake = fakeNotifications('granted');
    const queued = makeJob({ state: 'uploading', name: 'a.bin', size: 3 * MiB });
    const other = makeJob({ state: 'queued', name: 'b.bin', size: 1 * MiB });
    const { user, fake: api } = await renderApp({
      snapshot: { host: BROWSER_HOST, jobs: [queued, other], settings: { resumeOnLaunch: true, theme: 'system', notifyOnFinish: true } },
      notifications: fake.notifications,
    });
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const box = within(screen.getByRole('dialog', { name: 'Settings' })).getByRole('checkbox', {
      name: /Notify me when uploads finish/,
    }) as HTMLInputElement;
    // without the browser's permission it is not on, whatever the setting says
    expect(box.checked).toBe(false);
    await user.click(box);
    expect(fake.asked()).toBe(1);
    await waitFor(() => expect(box.checked).toBe(true));
    expect(api.requests('setSettings')).toEqual([{ notifyOnFinish: true }]);

    act(() => api.emit('jobsChanged', { jobs: [{ ...queued, state: 'completed', bytesDone: queued.size }] }));
    expect(fake.shown).toEqual([]); // b.bin is still queued: the batch goes on
    act(() => api.emit('jobsChanged', { jobs: [{ ...other, state: 'failed' }] }));
    expect(fake.shown).toEqual([{ title: 'Uploads finished, some failed', body: '1 file (3.00 MiB) uploaded; 1 failed.' }]);
  });

  it('says so when the browser refuses, and stays off', async () => {
    const fake = fakeNotifications('denied');
    const { user, fake: api } = await renderApp({ snapshot: { host: BROWSER_HOST }, notifications: fake.notifications });
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const box = within(screen.getByRole('dialog', { name: 'Settings' })).getByRole('checkbox', { name: /Notify me/ }) as HTMLInputElement;
    await user.click(box);
    expect((await screen.findByRole('alert')).textContent).toContain('The browser blocks notifications for this page');
    expect(box.checked).toBe(false);
    expect(api.requests('setSettings')).toEqual([]);
  });
});

describe('the destination', () => {
  const second = makeEndpoint({ id: 'r2', name: 'Archive R2', url: 'https://acct.r2.cloudflarestorage.com' });

  it('restores the last destination of a new session and each endpoint’s own when it is chosen', async () => {
    const { user, fake } = await renderApp({
      snapshot: {
        endpoints: [makeEndpoint(), second],
        settings: {
          resumeOnLaunch: true,
          theme: 'system',
          lastEndpointId: 'r2',
          destinations: { r2: { bucket: 'backups', prefix: 'nightly/' }, minio: { bucket: 'photos', prefix: '2026/' } },
        },
      },
    });
    const bar = screen.getByRole('group', { name: 'Destination' });
    expect((within(bar).getByRole('combobox', { name: 'Endpoint' }) as HTMLSelectElement).value).toBe('r2');
    expect((within(bar).getByRole('combobox', { name: 'Bucket' }) as HTMLInputElement).value).toBe('backups');
    expect((within(bar).getByRole('textbox', { name: 'Prefix' }) as HTMLInputElement).value).toBe('nightly/');
    await user.selectOptions(within(bar).getByRole('combobox', { name: 'Endpoint' }), 'minio');
    expect((within(bar).getByRole('combobox', { name: 'Bucket' }) as HTMLInputElement).value).toBe('photos');
    expect((within(bar).getByRole('textbox', { name: 'Prefix' }) as HTMLInputElement).value).toBe('2026/');
    expect(fake.requests('setSettings').at(-1)).toMatchObject({ lastEndpointId: 'minio' });
    // a new prefix is remembered when the field is left
    const prefix = within(bar).getByRole('textbox', { name: 'Prefix' });
    await user.clear(prefix);
    await user.type(prefix, 'raw');
    await user.tab();
    expect(fake.requests('setSettings').at(-1)).toEqual({
      lastEndpointId: 'minio',
      destinations: { r2: { bucket: 'backups', prefix: 'nightly/' }, minio: { bucket: 'photos', prefix: 'raw/' } },
    });
  });

  it('warns about a bucket that is not among the listed ones, once the typing is done', async () => {
    const { user } = await renderApp();
    const bar = screen.getByRole('group', { name: 'Destination' });
    const bucket = within(bar).getByRole('combobox', { name: 'Bucket' });
    await user.type(bucket, 'photoz');
    expect(within(bar).queryByText(/is not among this endpoint’s buckets/)).toBeNull();
    await user.tab();
    expect(within(bar).getByRole('status').textContent).toContain('“photoz” is not among this endpoint’s buckets');
    await user.clear(bucket);
    await user.type(bucket, 'photos');
    await user.tab();
    expect(within(bar).queryByRole('status')).toBeNull();
  });
});
