// The window's side of issue #10's endpoint findings: the "not encrypted" mark on plain http:// to
// another computer, the CA file field, and an edit that points an endpoint elsewhere needing the
// secret again.
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeEndpoint } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

async function openEndpoints(user: Awaited<ReturnType<typeof renderApp>>['user']) {
  await user.click(screen.getByRole('button', { name: 'Endpoints' }));
  return screen.getByRole('dialog', { name: 'Endpoints' });
}

// typing is slow on a loaded machine: the default 5 s is not a statement about Ferry
const TYPING = 30_000;

describe('endpoint security in the window', () => {
  it(
    'marks an endpoint reached over plain http:// on another computer "not encrypted", and only that one',
    async () => {
      const { user } = await renderApp({
        snapshot: {
          endpoints: [
            makeEndpoint({ id: 'lan', name: 'LAN MinIO', url: 'http://192.168.1.20:9000' }),
            makeEndpoint({ id: 'local', name: 'Local MinIO', url: 'http://127.0.0.1:9000' }),
          ],
        },
      });
      const dialog = await openEndpoints(user);
      const list = within(within(dialog).getByRole('navigation', { name: 'Endpoint list' }));
      expect(list.getByRole('button', { name: /LAN MinIO/ }).textContent).toContain('not encrypted');
      expect(list.getByRole('button', { name: /Local MinIO/ }).textContent).not.toContain('not encrypted');
    },
    TYPING,
  );

  it(
    'an edit that points the endpoint at another server needs the secret again; the CA file goes with the request',
    async () => {
      const { user, fake } = await renderApp({ snapshot: { endpoints: [makeEndpoint()] } });
      const dialog = await openEndpoints(user);
      await user.click(within(dialog).getByRole('button', { name: 'Edit' }));
      const form = within(dialog).getByRole('form', { name: 'Edit Studio MinIO' });
      const url = within(form).getByLabelText('URL');
      await user.clear(url);
      await user.type(url, 'https://s3.example.net');
      await user.type(within(form).getByLabelText('CA file'), '/etc/ssl/private-ca.pem');
      await user.click(within(form).getByRole('button', { name: 'Save changes' }));
      expect(within(form).getByText('The URL now points to another server: enter the secret access key again.')).toBeTruthy();
      expect(fake.requests('updateEndpoint')).toEqual([]);
      await user.type(within(form).getByLabelText('Secret access key'), SECRET);
      await user.click(within(form).getByRole('button', { name: 'Save changes' }));
      expect(fake.requests('updateEndpoint')[0]).toMatchObject({
        url: 'https://s3.example.net',
        caFile: '/etc/ssl/private-ca.pem',
        credential: { kind: 'static', accessKeyId: 'AKIDSTUDIO', secretAccessKey: SECRET },
      });
    },
    TYPING,
  );

  it(
    'refuses a URL with a user name and password in it',
    async () => {
      const { user, fake } = await renderApp({ snapshot: { endpoints: [] } });
      const dialog = await openEndpoints(user);
      await user.click(within(dialog).getByRole('button', { name: 'New endpoint' }));
      const form = within(dialog).getByRole('form', { name: 'New endpoint' });
      await user.clear(within(form).getByLabelText('URL'));
      await user.type(within(form).getByLabelText('URL'), 'https://KEY:SECRET@s3.example.net');
      await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));
      expect(within(form).getByText(/must not carry a user name or password/)).toBeTruthy();
      expect(fake.requests('addEndpoint')).toEqual([]);
    },
    TYPING,
  );
});
