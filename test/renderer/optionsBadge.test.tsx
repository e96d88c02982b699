// Issue #12: a row shows a small badge for a non-default storage class or encryption, and none otherwise.
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
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
