import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeEndpoint } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

async function openEndpoints(user: Awaited<ReturnType<typeof renderApp>>['user']) {
  await user.click(screen.getByRole('button', { name: 'Endpoints' }));
  return screen.getByRole('dialog', { name: 'Endpoints' });
}

function everythingShown(): string {
  const values = Array.from(document.querySelectorAll('input')).map((input) => input.value);
  return `${document.body.innerHTML}\n${values.join('\n')}`;
}

describe('the endpoint form', () => {
  it('refuses a bad URL in words, before sending anything', async () => {
    const { user, fake } = await renderApp({ snapshot: { endpoints: [] } });
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    const form = screen.getByRole('form', { name: 'New endpoint' });
    await user.selectOptions(within(form).getByLabelText('Provider'), 'Other S3-compatible');
    await user.type(within(form).getByLabelText('Name'), 'Lab');
    const url = within(form).getByLabelText('URL');
    await user.clear(url);
    await user.type(url, 'ftp://files.example.com');
    await user.type(within(form).getByLabelText('Access key ID'), 'AKID');
    await user.type(within(form).getByLabelText('Secret access key'), SECRET);
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));
    expect(
      within(form).getByText('The URL must be an http:// or https:// address, e.g. https://s3.eu-west-1.amazonaws.com.'),
    ).toBeVisible();
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(url);
    expect(fake.requests('addEndpoint')).toEqual([]);
  });

  it('applies a preset: URL, region, addressing and checksums; a placeholder must be replaced', async () => {
    const { user } = await renderApp({ snapshot: { endpoints: [] } });
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    const form = screen.getByRole('form', { name: 'New endpoint' });
    // Amazon S3 is the default: the region fills the URL, and follows a change of region
    expect((within(form).getByLabelText('URL') as HTMLInputElement).value).toBe('https://s3.us-east-1.amazonaws.com');
    expect((within(form).getByRole('radio', { name: /Virtual-hosted/ }) as HTMLInputElement).checked).toBe(true);
    const region = within(form).getByLabelText('Region');
    await user.clear(region);
    await user.type(region, 'eu-west-1');
    expect((within(form).getByLabelText('URL') as HTMLInputElement).value).toBe('https://s3.eu-west-1.amazonaws.com');

    await user.selectOptions(within(form).getByLabelText('Provider'), 'Cloudflare R2');
    expect((within(form).getByLabelText('URL') as HTMLInputElement).value).toBe('https://{account}.r2.cloudflarestorage.com');
    expect((within(form).getByLabelText('Region') as HTMLInputElement).value).toBe('auto');
    expect((within(form).getByRole('radio', { name: /Path style/ }) as HTMLInputElement).checked).toBe(true);
    expect((within(form).getByLabelText('Checksums') as HTMLSelectElement).value).toBe('when-required');
    expect((within(form).getByLabelText('Name') as HTMLInputElement).value).toBe('Cloudflare R2');
    expect(within(form).getByText(/every part but the last must have the same size/)).toBeVisible();
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));
    expect(within(form).getByText('Replace {account} in the URL with your own value.')).toBeVisible();
  });

  it('adds an endpoint, tests it at once, and never shows the secret again', async () => {
    const { user, fake, store } = await renderApp({ snapshot: { endpoints: [] } });
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }));
    const dialog = screen.getByRole('dialog', { name: 'Endpoints' });
    const form = within(dialog).getByRole('form', { name: 'New endpoint' });
    await user.selectOptions(within(form).getByLabelText('Provider'), 'MinIO');
    await user.clear(within(form).getByLabelText('Name'));
    await user.type(within(form).getByLabelText('Name'), 'Studio');
    const url = within(form).getByLabelText('URL');
    await user.clear(url);
    await user.type(url, 'http://192.168.1.20:9000/');
    await user.type(within(form).getByLabelText('Access key ID'), 'AKIDSTUDIO');
    await user.type(within(form).getByLabelText('Secret access key'), SECRET);
    expect((within(form).getByLabelText('Secret access key') as HTMLInputElement).type).toBe('password');
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));

    expect(fake.requests('addEndpoint')).toEqual([
      {
        name: 'Studio',
        url: 'http://192.168.1.20:9000',
        region: 'us-east-1',
        addressing: 'path',
        checksums: 'when-required',
        credential: { kind: 'static', accessKeyId: 'AKIDSTUDIO', secretAccessKey: SECRET },
      },
    ]);
    const id = store.getState().endpoints[0]!.id;
    await waitFor(() => expect(fake.requests('testEndpoint')).toEqual([{ id }]));
    const details = within(dialog).getByRole('region', { name: 'Studio' });
    expect(await within(details).findByText('Connected')).toBeVisible();
    expect(within(details).getByText('42 ms')).toBeVisible();
    expect(within(details).getByText('+1.2 s')).toBeVisible();
    expect(within(details).getByText('photos, backups')).toBeVisible();
    expect(within(details).getByText('AKIDSTUDIO')).toBeVisible();
    expect(everythingShown()).not.toContain(SECRET);
    // the destination bar now uploads to it
    expect(store.getState().destination.endpointId).toBe(id);
  });

  it('edits an endpoint: the secret field starts empty, and empty keeps the stored secret', async () => {
    const { user, fake } = await renderApp({ snapshot: { endpoints: [makeEndpoint()] } });
    const dialog = await openEndpoints(user);
    await user.click(within(dialog).getByRole('button', { name: 'Edit' }));
    const form = within(dialog).getByRole('form', { name: 'Edit Studio MinIO' });
    const secret = within(form).getByLabelText('Secret access key') as HTMLInputElement;
    expect(secret.value).toBe('');
    expect(secret.placeholder).toBe('Stored — leave empty to keep');
    expect((within(form).getByLabelText('Access key ID') as HTMLInputElement).value).toBe('AKIDSTUDIO');
    await user.clear(within(form).getByLabelText('Region'));
    await user.type(within(form).getByLabelText('Region'), 'eu-central-1');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(fake.requests('updateEndpoint')).toEqual([
      {
        id: 'minio',
        name: 'Studio MinIO',
        url: 'http://127.0.0.1:9000',
        region: 'eu-central-1',
        addressing: 'path',
        checksums: 'when-required',
      },
    ]);
  });

  it('edits an endpoint: a new access key ID needs its secret', async () => {
    const { user, fake } = await renderApp({ snapshot: { endpoints: [makeEndpoint()] } });
    const dialog = await openEndpoints(user);
    await user.click(within(dialog).getByRole('button', { name: 'Edit' }));
    const form = within(dialog).getByRole('form', { name: 'Edit Studio MinIO' });
    const keyId = within(form).getByLabelText('Access key ID');
    await user.clear(keyId);
    await user.type(keyId, 'AKIDNEW');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(within(form).getByText('Enter the secret access key that goes with the new access key ID.')).toBeVisible();
    expect(fake.requests('updateEndpoint')).toEqual([]);
    await user.type(within(form).getByLabelText('Secret access key'), SECRET);
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(fake.requests('updateEndpoint')[0]?.credential).toEqual({ kind: 'static', accessKeyId: 'AKIDNEW', secretAccessKey: SECRET });
  });

  it('shows an engine refusal next to the form', async () => {
    const { user, fake } = await renderApp({ snapshot: { endpoints: [makeEndpoint()] } });
    fake.fail('addEndpoint', { code: 'INVALID_INPUT', message: 'An endpoint named "studio minio" exists already.' });
    const dialog = await openEndpoints(user);
    await user.click(within(dialog).getByRole('button', { name: 'New endpoint' }));
    const form = within(dialog).getByRole('form', { name: 'New endpoint' });
    await user.clear(within(form).getByLabelText('Name'));
    await user.type(within(form).getByLabelText('Name'), 'studio minio');
    await user.click(within(form).getByRole('radio', { name: /AWS profile/ }));
    await user.type(within(form).getByLabelText('Profile'), 'work');
    await user.click(within(form).getByRole('button', { name: 'Add endpoint' }));
    expect((await within(form).findByRole('alert')).textContent).toContain('An endpoint named "studio minio" exists already.');
    expect(fake.requests('addEndpoint')[0]?.credential).toEqual({ kind: 'aws-profile', profile: 'work' });
  });

  it('tests an endpoint and shows a failure in words', async () => {
    const { user, fake } = await renderApp({ snapshot: { endpoints: [makeEndpoint()] } });
    fake.handle('testEndpoint', () => ({
      ok: false,
      latencyMs: 12,
      buckets: null,
      clockOffsetMs: null,
      warnings: [],
      error: { code: 'AUTH_BAD_SECRET', message: 'The secret access key is wrong (SignatureDoesNotMatch).', retryable: false },
    }));
    const dialog = await openEndpoints(user);
    await user.type(within(dialog).getByLabelText('Bucket to test (optional)'), 'photos');
    await user.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    expect(fake.requests('testEndpoint')).toEqual([{ id: 'minio', bucket: 'photos' }]);
    expect(await within(dialog).findByText('The secret access key is wrong (SignatureDoesNotMatch).')).toBeVisible();
    expect(within(dialog).getByText('The test failed.')).toBeVisible();
  });

  it('removes an endpoint after a confirmation', async () => {
    const { user, fake } = await renderApp({
      snapshot: { endpoints: [makeEndpoint(), makeEndpoint({ id: 'r2', name: 'R2', url: 'https://acct.r2.cloudflarestorage.com' })] },
    });
    const dialog = await openEndpoints(user);
    await user.click(within(dialog).getByRole('button', { name: /R2/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Remove…' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Remove R2?' });
    await user.click(within(confirm).getByRole('button', { name: 'Remove endpoint' }));
    expect(fake.requests('removeEndpoint')).toEqual([{ id: 'r2' }]);
    await waitFor(() => expect(within(dialog).queryByRole('button', { name: /^R2/ })).toBeNull());
  });

  it('shows the vault warning prominently', async () => {
    const warning = 'No secret service was found: secrets are encrypted with a key stored next to them.';
    const { user } = await renderApp({
      snapshot: { host: { kind: 'electron', version: '0.1.0', vaultWarning: warning, canReadPaths: true } },
    });
    expect(screen.getByRole('alert').textContent).toContain(warning);
    const dialog = await openEndpoints(user);
    expect(within(dialog).getByRole('alert').textContent).toContain(warning);
  });
});

describe('endpoints: tested again, and named by their server (issue #13)', () => {
  it('tests the endpoint again after its secret changed, and not after an edit that kept it', async () => {
    const { user, fake } = await renderApp({ snapshot: { endpoints: [makeEndpoint()] } });
    const dialog = await openEndpoints(user);
    await user.click(within(dialog).getByRole('button', { name: 'Edit' }));
    let form = within(dialog).getByRole('form', { name: 'Edit Studio MinIO' });
    await user.clear(within(form).getByLabelText('Region'));
    await user.type(within(form).getByLabelText('Region'), 'eu-central-1');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(fake.requests('testEndpoint')).toEqual([]);

    await user.click(within(dialog).getByRole('button', { name: 'Edit' }));
    form = within(dialog).getByRole('form', { name: 'Edit Studio MinIO' });
    await user.type(within(form).getByLabelText('Secret access key'), 'a-new-secret-key');
    await user.click(within(form).getByRole('button', { name: 'Save changes' }));
    expect(fake.requests('testEndpoint')).toEqual([{ id: 'minio' }]);
    expect((await within(dialog).findByRole('status')).textContent).toContain('Connected');
  });

  it('names a Ceph RGW endpoint "Ceph RGW" in the list and the details, from what its answers said', async () => {
    const { user } = await renderApp({
      snapshot: { endpoints: [makeEndpoint({ name: 'Lab Ceph', url: 'http://10.0.0.5:7480', server: 'ceph-rgw' })] },
    });
    const dialog = await openEndpoints(user);
    const list = within(dialog).getByRole('navigation', { name: 'Endpoint list' });
    expect(within(list).getByRole('button', { name: /Lab Ceph/ }).textContent).toContain('Ceph RGW');
    expect(within(dialog).getByText('Provider').nextElementSibling?.textContent).toBe('Ceph RGW');
  });
});
