// Issue #12: a row shows a small badge for a non-default storage class or encryption, and none otherwise.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { makeJob } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

describe('the options badge', () => {
  it('names a non-default storage class and the encryption; plain uploads have none', async () => {
    const cold = makeJob({ name: 'cold.bin', options: { storageClass: 'GLACIER_IR', sseC: true, contentType: 'image/png' } });
    const kms = makeJob({ name: 'kms.bin', options: { sse: 'aws:kms', sseKmsKeyId: 'k1' } });
    const plain = makeJob({ name: 'plain.bin', options: { storageClass: 'STANDARD', contentType: 'text/plain' } });
    await renderApp({ snapshot: { jobs: [cold, kms, plain] } });
    const badge = within(screen.getByRole('row', { name: 'cold.bin' })).getByText('GLACIER_IR · SSE-C');
    expect(badge.getAttribute('title')).toMatch(/contentType: image\/png/);
    expect(within(screen.getByRole('row', { name: 'kms.bin' })).getByText('SSE-KMS')).toBeTruthy();
    expect(screen.getByRole('row', { name: 'plain.bin' }).querySelector('.option-badge')).toBeNull();
  });
});

describe('upload options in the window', () => {
  it('the Options form sets the next drop’s options, which go with its files', async () => {
    const { fake, user, store } = await renderApp();
    await user.type(screen.getByRole('combobox', { name: 'Bucket' }), 'photos');
    await user.click(screen.getByRole('button', { name: 'Options' }));
    const form = within(screen.getByRole('group', { name: 'Upload options' }));
    await user.selectOptions(form.getByRole('combobox', { name: 'Storage class' }), 'GLACIER_IR');
    await user.selectOptions(form.getByRole('combobox', { name: 'If the key exists' }), 'rename');
    await user.type(form.getByRole('textbox', { name: 'Cache-Control' }), 'no-cache');
    expect(screen.getByRole('button', { name: 'Options (3)' })).toBeTruthy();
    await store.getState().uploadPaths(['/home/ana/a.txt']);
    expect(fake.requests('addPaths')[0]!.options).toEqual({ storageClass: 'GLACIER_IR', ifExists: 'rename', cacheControl: 'no-cache' });
  });

  it('a completed row copies a link with the chosen expiry; Settings sets the bandwidth limit', async () => {
    const done = makeJob({ name: 'done.bin', state: 'completed', bytesDone: 10, size: 10 });
    const writeText = vi.fn(async () => undefined);
    const { fake, user } = await renderApp({ snapshot: { jobs: [done] } });
    // after userEvent.setup(), which installs a clipboard of its own
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await user.click(within(screen.getByRole('row', { name: 'done.bin' })).getByRole('button', { name: 'Copy link' }));
    await user.click(within(screen.getByRole('menu', { name: 'Copy link for done.bin' })).getByRole('menuitem', { name: 'valid 1 day' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(`https://s3.example/${done.id}?X-Amz-Expires=86400`));
    expect(fake.requests('shareLink')).toEqual([{ jobId: done.id, expiresInSeconds: 86_400 }]);

    await user.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = within(screen.getByRole('dialog', { name: 'Settings' }));
    await user.type(dialog.getByRole('textbox', { name: /Bandwidth limit/ }), '10MiB/s');
    await user.tab();
    expect(fake.requests('setSettings')).toEqual([{ bandwidthLimit: 10 * 1024 * 1024 }]);
  });
});
