import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { OrphanView } from '../../shared/contract.ts';
import { makeJob, MiB } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

const DAY = 86_400_000;

function orphans(): OrphanView[] {
  return [
    {
      key: 'raw/old-cut.mov',
      uploadId: 'u-1',
      initiated: new Date(Date.now() - 9 * DAY).toISOString(),
      parts: 412,
      bytes: 6400 * MiB,
      jobId: null,
    },
    {
      key: 'raw/interview.mp4',
      uploadId: 'u-2',
      initiated: new Date(Date.now() - 3 * 3_600_000).toISOString(),
      parts: 12,
      bytes: 192 * MiB,
      jobId: 'job-interview',
    },
  ];
}

describe('orphaned uploads', () => {
  it('lists the incomplete uploads of a bucket with age, parts, size and owner, and aborts the chosen ones', async () => {
    const job = makeJob({ id: 'job-interview', name: 'interview.mp4', state: 'paused' });
    const { user, fake } = await renderApp({ snapshot: { jobs: [job] } });
    let listed = orphans();
    fake.handle('listOrphans', () => ({ uploads: listed }));
    await user.click(screen.getByRole('button', { name: 'Orphaned uploads' }));
    const dialog = screen.getByRole('dialog', { name: 'Orphaned uploads' });
    expect(within(dialog).getByText('Choose an endpoint and a bucket, then List.')).toBeVisible();

    await user.type(within(dialog).getByLabelText('Bucket'), 'media');
    await user.type(within(dialog).getByLabelText('Prefix'), 'raw');
    await user.click(within(dialog).getByRole('button', { name: 'List' }));
    expect(fake.requests('listOrphans')).toEqual([{ endpointId: 'minio', bucket: 'media', prefix: 'raw/' }]);

    const table = await within(dialog).findByRole('table', { name: 'Incomplete uploads' });
    const old = within(table).getByRole('row', { name: 'raw/old-cut.mov' });
    expect(within(old).getByText('9 days ago')).toBeVisible();
    expect(within(old).getByText('412')).toBeVisible();
    expect(within(old).getByText('6.25 GiB')).toBeVisible();
    expect(within(old).getByText('Not Ferry’s')).toBeVisible();
    const owned = within(table).getByRole('row', { name: 'raw/interview.mp4' });
    expect(within(owned).getByText('3 hours ago')).toBeVisible();
    expect(within(owned).getByText('interview.mp4')).toBeVisible();

    expect((within(dialog).getByRole('button', { name: 'Abort selected…' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(within(old).getByRole('checkbox', { name: 'Select raw/old-cut.mov' }));
    await user.click(within(dialog).getByRole('button', { name: 'Abort selected…' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Abort 1 incomplete upload?' });
    expect(within(confirm).getByText(/6\.25 GiB/)).toBeVisible();
    listed = listed.slice(1);
    await user.click(within(confirm).getByRole('button', { name: 'Abort uploads' }));
    expect(fake.requests('abortOrphans')).toEqual([
      { endpointId: 'minio', bucket: 'media', uploads: [{ key: 'raw/old-cut.mov', uploadId: 'u-1' }] },
    ]);
    await waitFor(() => expect(within(dialog).queryByRole('row', { name: 'raw/old-cut.mov' })).toBeNull());
    expect(screen.getByText('1 incomplete upload aborted')).toBeVisible();
  });

  it('warns when an aborted upload belongs to a Ferry job', async () => {
    const { user, fake } = await renderApp();
    fake.handle('listOrphans', () => ({ uploads: orphans() }));
    await user.click(screen.getByRole('button', { name: 'Orphaned uploads' }));
    const dialog = screen.getByRole('dialog', { name: 'Orphaned uploads' });
    await user.type(within(dialog).getByLabelText('Bucket'), 'media');
    await user.click(within(dialog).getByRole('button', { name: 'List' }));
    await user.click(await within(dialog).findByRole('checkbox', { name: 'Select all incomplete uploads' }));
    await user.click(within(dialog).getByRole('button', { name: 'Abort selected…' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Abort 2 incomplete uploads?' });
    expect(within(confirm).getByText(/One of them belongs to a Ferry upload/)).toBeVisible();
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(fake.requests('abortOrphans')).toEqual([]);
  });

  it('says so when there are none, and shows a listing error in words', async () => {
    const { user, fake } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Orphaned uploads' }));
    const dialog = screen.getByRole('dialog', { name: 'Orphaned uploads' });
    await user.click(within(dialog).getByRole('button', { name: 'List' }));
    expect(within(dialog).getByText('Enter the bucket whose incomplete uploads to list.')).toBeVisible();
    await user.type(within(dialog).getByLabelText('Bucket'), 'media');
    await user.click(within(dialog).getByRole('button', { name: 'List' }));
    expect(await within(dialog).findByText(/No incomplete uploads in/)).toBeVisible();
    fake.fail('listOrphans', {
      code: 'ACCESS_DENIED',
      message: 'Access denied: the credentials may not list multipart uploads of "media".',
    });
    await user.click(within(dialog).getByRole('button', { name: 'List' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'Access denied: the credentials may not list multipart uploads',
    );
  });
});

describe('orphaned uploads: where to look', () => {
  it('takes the endpoint and bucket from the destination bar, still editable, also after an earlier listing elsewhere', async () => {
    const { user, fake } = await renderApp();
    fake.handle('listOrphans', () => ({ uploads: [] }));
    const bar = screen.getByRole('group', { name: 'Destination' });
    await user.type(within(bar).getByRole('combobox', { name: 'Bucket' }), 'photos');
    await user.click(screen.getByRole('button', { name: 'Orphaned uploads' }));
    let dialog = screen.getByRole('dialog', { name: 'Orphaned uploads' });
    expect((within(dialog).getByLabelText('Bucket') as HTMLInputElement).value).toBe('photos');
    await user.clear(within(dialog).getByLabelText('Bucket'));
    await user.type(within(dialog).getByLabelText('Bucket'), 'backups');
    await user.click(within(dialog).getByRole('button', { name: 'List' }));
    expect(fake.requests('listOrphans')).toEqual([{ endpointId: 'minio', bucket: 'backups', prefix: '' }]);
    await user.keyboard('{Escape}');

    // the bar points elsewhere now: the panel follows the bar, not the last listing
    await user.clear(within(bar).getByRole('combobox', { name: 'Bucket' }));
    await user.type(within(bar).getByRole('combobox', { name: 'Bucket' }), 'archive');
    await user.click(screen.getByRole('button', { name: 'Orphaned uploads' }));
    dialog = screen.getByRole('dialog', { name: 'Orphaned uploads' });
    expect((within(dialog).getByLabelText('Bucket') as HTMLInputElement).value).toBe('archive');
  });
});
