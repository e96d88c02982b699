import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderApp } from './renderApp.tsx';

describe('settings', () => {
  it('saves resume-on-launch and the theme, which the window follows at once', async () => {
    const { user, fake } = await renderApp({ snapshot: { settings: { resumeOnLaunch: true, theme: 'system' } } });
    expect(document.documentElement.dataset.theme).toBeUndefined();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    await user.click(within(dialog).getByRole('checkbox', { name: /Resume uploads when Ferry starts/ }));
    expect(fake.requests('setSettings')).toEqual([{ resumeOnLaunch: false }]);
    await user.click(within(dialog).getByRole('radio', { name: 'Dark' }));
    expect(fake.requests('setSettings')[1]).toEqual({ theme: 'dark' });
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    // another window changed it
    act(() => fake.emit('settingsChanged', { resumeOnLaunch: false, theme: 'system' }));
    expect(document.documentElement.dataset.theme).toBeUndefined();
    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    // the focus goes back to where it was
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Settings' }));
  });

  it('a failed save is undone and said in words', async () => {
    const { user, fake } = await renderApp();
    fake.fail('setSettings', { code: 'STORE_ERROR', message: 'The settings could not be written: disk full.' });
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const box = within(screen.getByRole('dialog', { name: 'Settings' })).getByRole('checkbox', {
      name: /Resume uploads/,
    }) as HTMLInputElement;
    await user.click(box);
    expect((await screen.findByRole('alert')).textContent).toContain('The settings could not be written: disk full.');
    expect(box.checked).toBe(true);
  });
});

describe('Add files…', () => {
  it('browses the host’s disk, and adds the ticked files and folders by path', async () => {
    const { user, fake, store } = await renderApp();
    act(() => store.getState().setDestination({ bucket: 'photos', prefix: 'in/' }));
    fake.handle('browseFiles', ({ path }) =>
      path === null
        ? {
            path: '/home/ana',
            parent: '/home',
            entries: [
              { name: 'notes.txt', path: '/home/ana/notes.txt', kind: 'file', size: 2048 },
              { name: 'Pictures', path: '/home/ana/Pictures', kind: 'directory', size: null },
            ],
          }
        : {
            path: '/home/ana/Pictures',
            parent: '/home/ana',
            entries: [{ name: 'cat.jpg', path: '/home/ana/Pictures/cat.jpg', kind: 'file', size: 1_000_000 }],
          },
    );
    await user.click(within(screen.getByRole('toolbar')).getByRole('button', { name: 'Add files…' }));
    const dialog = screen.getByRole('dialog', { name: 'Add files' });
    const home = await within(dialog).findByRole('table', { name: 'Contents of /home/ana' });
    const rows = within(home)
      .getAllByRole('row')
      .slice(1)
      .map((row) => row.getAttribute('aria-label'));
    expect(rows).toEqual(['Pictures', 'notes.txt']); // folders first
    await user.click(within(home).getByRole('checkbox', { name: 'Select notes.txt' }));
    await user.click(within(home).getByRole('button', { name: 'Open Pictures' }));
    const pictures = await within(dialog).findByRole('table', { name: 'Contents of /home/ana/Pictures' });
    await user.click(within(pictures).getByRole('checkbox', { name: 'Select cat.jpg' }));
    expect(within(dialog).getByText(/s3:\/\/photos\/in\//)).toBeVisible();
    await user.click(within(dialog).getByRole('button', { name: 'Add 2 items' }));
    expect(fake.requests('addPaths')).toEqual([
      { endpointId: 'minio', bucket: 'photos', prefix: 'in/', paths: ['/home/ana/notes.txt', '/home/ana/Pictures/cat.jpg'] },
    ]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('says why the host’s folder cannot be shown', async () => {
    const { user, fake } = await renderApp();
    fake.fail('browseFiles', { code: 'FILE_UNREADABLE', message: 'Cannot open the folder /root: permission denied.' });
    await user.click(within(screen.getByRole('toolbar')).getByRole('button', { name: 'Add files…' }));
    expect((await within(screen.getByRole('dialog', { name: 'Add files' })).findByRole('alert')).textContent).toContain(
      'Cannot open the folder /root: permission denied.',
    );
  });
});
