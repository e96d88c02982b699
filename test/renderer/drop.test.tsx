import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { HostInfo } from '../../shared/contract.ts';
import { makeJob } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

const BROWSER_HOST: HostInfo = { kind: 'browser', version: '0.1.0', vaultWarning: null, canReadPaths: false };

// What Chromium hands a drop handler: DataTransferItems whose entries can be walked.
type FakeEntry = {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?: (ok: (file: File) => void) => void;
  createReader?: () => { readEntries: (ok: (entries: FakeEntry[]) => void) => void };
};

function fileEntry(file: File): FakeEntry {
  return { isFile: true, isDirectory: false, name: file.name, file: (ok) => ok(file) };
}

function folderEntry(name: string, children: FakeEntry[]): FakeEntry {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader: () => {
      // two batches then an empty one, as readEntries does for big folders
      const batches = [children.slice(0, 1), children.slice(1), []];
      return { readEntries: (ok) => ok(batches.shift() ?? []) };
    },
  };
}

function dataTransfer(entries: FakeEntry[], files: File[] = []) {
  return {
    types: ['Files'],
    files,
    items: entries.map((entry) => ({ kind: 'file', type: '', webkitGetAsEntry: () => entry, getAsFile: () => null })),
    dropEffect: 'none',
  };
}

const file = (name: string, text: string) => new File([text], name, { lastModified: 1_700_000_000_000 });

describe('dropping files', () => {
  it('browser host: offers the drop to waiting jobs first, adds the rest, and answers read requests with the bytes', async () => {
    const waiting = makeJob({ name: 'notes.txt', path: 'notes.txt', source: 'browser', state: 'queued', waitingForFile: true, size: 11 });
    const { user, fake } = await renderApp({ snapshot: { jobs: [waiting], host: BROWSER_HOST } });
    fake.handle('attachBrowserFiles', ({ files }) => ({
      attached: files.filter((info) => info.name === 'notes.txt').map((info) => ({ jobId: waiting.id, fileId: info.fileId })),
    }));
    await user.type(screen.getByRole('textbox', { name: 'Prefix' }), 'inbox');
    await user.type(screen.getByRole('combobox', { name: 'Bucket' }), 'photos');

    const a = file('a.jpg', 'AAAAAAAAAA-first');
    const b = file('b.jpg', 'BBBB');
    const notes = file('notes.txt', 'hello world');
    const target = screen.getByRole('table', { name: 'Uploads' });
    fireEvent.dragEnter(target, { dataTransfer: dataTransfer([]) });
    expect(screen.getByText('Drop to upload')).toBeVisible();
    expect(screen.getByText('s3://photos/inbox/')).toBeVisible();
    fireEvent.drop(target, {
      dataTransfer: dataTransfer([fileEntry(notes), folderEntry('trip', [fileEntry(a), folderEntry('day1', [fileEntry(b)])])]),
    });
    expect(screen.queryByText('Drop to upload')).toBeNull();

    await waitFor(() => expect(fake.requests('addBrowserFiles')).toHaveLength(1));
    const order = fake.commandNames().filter((name) => name === 'attachBrowserFiles' || name === 'addBrowserFiles');
    expect(order).toEqual(['attachBrowserFiles', 'addBrowserFiles']);
    const offered = fake.requests('attachBrowserFiles')[0]!.files;
    expect(offered.map(({ name, relativePath, size, lastModified }) => ({ name, relativePath, size, lastModified }))).toEqual([
      { name: 'notes.txt', relativePath: '', size: 11, lastModified: 1_700_000_000_000 },
      { name: 'a.jpg', relativePath: 'trip/', size: 16, lastModified: 1_700_000_000_000 },
      { name: 'b.jpg', relativePath: 'trip/day1/', size: 4, lastModified: 1_700_000_000_000 },
    ]);
    const added = fake.requests('addBrowserFiles')[0]!;
    expect(added).toMatchObject({ endpointId: 'minio', bucket: 'photos', prefix: 'inbox/' });
    expect(added.files.map((info) => info.name)).toEqual(['a.jpg', 'b.jpg']);
    expect(await screen.findByRole('row', { name: 'a.jpg' })).toBeVisible();
    expect(screen.getByText('1 upload resumed with the dropped file')).toBeVisible();

    // the host reads part of a.jpg: the page sends exactly those bytes
    const aId = added.files[0]!.fileId;
    act(() => fake.emit('fileReadRequested', { requestId: 'r1', fileId: aId, start: 3, end: 11 }));
    await waitFor(() => expect(fake.sentFileData).toHaveLength(1));
    expect(fake.sentFileData[0]!.requestId).toBe('r1');
    expect(new TextDecoder().decode(fake.sentFileData[0]!.data!)).toBe('AAAAAAA-');
    // the waiting job's file is read through the id it was attached with
    const notesId = offered[0]!.fileId;
    act(() => fake.emit('fileReadRequested', { requestId: 'r2', fileId: notesId, start: 0, end: 5 }));
    await waitFor(() => expect(fake.sentFileData).toHaveLength(2));
    expect(new TextDecoder().decode(fake.sentFileData[1]!.data!)).toBe('hello');
    // an id the page does not know is answered with an error in words
    act(() => fake.emit('fileReadRequested', { requestId: 'r3', fileId: 'nope', start: 0, end: 5 }));
    await waitFor(() => expect(fake.sentFileData).toHaveLength(3));
    expect(fake.sentFileData[2]).toEqual({
      requestId: 'r3',
      data: null,
      error: 'This page no longer has the file: drop it again to resume.',
    });
  });

  it('browser host: without a bucket nothing new is added, and the window says why', async () => {
    const { fake } = await renderApp({ snapshot: { host: BROWSER_HOST } });
    fireEvent.drop(screen.getByRole('heading', { name: 'Drop files or folders here' }), {
      dataTransfer: dataTransfer([fileEntry(file('a.jpg', 'x'))]),
    });
    expect((await screen.findByRole('alert')).textContent).toContain('Choose a bucket to upload to.');
    expect(fake.requests('attachBrowserFiles')).toHaveLength(1);
    expect(fake.requests('addBrowserFiles')).toEqual([]);
  });

  it('desktop: adds the dropped files and folders by path', async () => {
    const desktop = { getPathForFile: (dropped: File) => `/home/ana/${dropped.name}` };
    const { fake, store } = await renderApp({ desktop });
    act(() => store.getState().setDestination({ bucket: 'photos', prefix: '' }));
    const dropped = [file('a.jpg', 'x'), file('holiday', '')];
    fireEvent.drop(screen.getByRole('heading', { name: 'Drop files or folders here' }), { dataTransfer: dataTransfer([], dropped) });
    await waitFor(() =>
      expect(fake.requests('addPaths')).toEqual([
        { endpointId: 'minio', bucket: 'photos', prefix: '', paths: ['/home/ana/a.jpg', '/home/ana/holiday'] },
      ]),
    );
    expect(fake.requests('addBrowserFiles')).toEqual([]);
    expect(await screen.findByRole('row', { name: 'a.jpg' })).toBeVisible();
  });

  it('a drag that leaves the window hides the overlay', async () => {
    await renderApp();
    const target = screen.getByRole('heading', { name: 'Drop files or folders here' });
    fireEvent.dragEnter(target, { dataTransfer: dataTransfer([]) });
    expect(screen.getByText('Nowhere to upload yet')).toBeVisible();
    fireEvent.dragLeave(target, { dataTransfer: dataTransfer([]) });
    expect(screen.queryByText('Nowhere to upload yet')).toBeNull();
  });
});
