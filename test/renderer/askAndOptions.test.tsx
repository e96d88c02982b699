// Issue #12's window parts: the row's if-exists question (Replace, Skip, Keep both, "apply to the
// rest of this drop"), metadata and tags as rows in the Options form, the endpoint's defaults filling
// the form, and the quick bandwidth limit in the summary bar.
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeEndpoint, makeJob, MiB } from './fixtures.ts';
import { renderApp } from './renderApp.tsx';

const question = { code: 'ANSWER_NEEDED' as const, message: 's3://photos/2024/a.jpg exists: replace it?', retryable: false };

function asking(name: string, overrides: Parameters<typeof makeJob>[0] = {}) {
  return makeJob({ name, key: `2024/${name}`, state: 'paused', error: question, waitingForAnswer: true, ...overrides });
}

describe('the if-exists question in a row', () => {
  it('asks Replace, Skip or Keep both instead of Resume, and sends the answer for that job', async () => {
    const job = asking('a.jpg');
    const { user, fake } = await renderApp({ snapshot: { jobs: [job] } });
    const row = within(screen.getByRole('row', { name: 'a.jpg' }));
    expect(row.getByText('Waiting for answer').isConnected).toBe(true);
    expect(row.getByText('2024/a.jpg exists. Replace it?').isConnected).toBe(true);
    expect(row.queryByRole('button', { name: 'Resume' })).toBeNull();
    // a file alone: nothing else to apply the answer to
    expect(row.queryByRole('checkbox', { name: 'Apply to the rest of this drop' })).toBeNull();
    await user.click(row.getByRole('button', { name: 'Keep both' }));
    expect(fake.requests('answerExists')).toEqual([{ ids: [job.id], answer: 'rename', wholeBatch: false }]);
  });

  it('"Apply to the rest of this drop" answers the batch; a collapsed batch says some files ask', async () => {
    const jobs = [
      asking('a.jpg', { batchId: 'B1', batchName: 'holiday' }),
      asking('b.jpg', { batchId: 'B1', batchName: 'holiday' }),
      makeJob({ name: 'c.jpg', batchId: 'B1', batchName: 'holiday', state: 'completed', bytesDone: 100 * MiB }),
    ];
    const { user, fake } = await renderApp({ snapshot: { jobs } });
    const group = within(screen.getByRole('row', { name: 'holiday' }));
    expect(group.getByText(/2 exist: answer to go on/).isConnected).toBe(true);
    await user.click(group.getByRole('button', { name: 'Answer…' }));
    const row = within(screen.getByRole('row', { name: 'b.jpg' }));
    await user.click(row.getByRole('checkbox', { name: 'Apply to the rest of this drop' }));
    await user.click(row.getByRole('button', { name: 'Skip' }));
    expect(fake.requests('answerExists')).toEqual([{ ids: [jobs[1]!.id], answer: 'skip', wholeBatch: true }]);
  });

  it('an answer the engine refuses is said in words', async () => {
    const job = asking('a.jpg');
    const { user, fake } = await renderApp({ snapshot: { jobs: [job] } });
    fake.fail('answerExists', {
      code: 'INVALID_TRANSITION',
      message: 'a.jpg does not wait for an answer (it is completed).',
      retryable: false,
    });
    await user.click(within(screen.getByRole('row', { name: 'a.jpg' })).getByRole('button', { name: 'Replace' }));
    expect((await screen.findByText('a.jpg does not wait for an answer (it is completed).')).isConnected).toBe(true);
  });
});

describe('metadata and tags in the Options form', () => {
  it('adds and removes rows; a bad row says why beside it and the drop is refused until it is fixed', async () => {
    const { user, fake, store } = await renderApp();
    await user.type(screen.getByRole('combobox', { name: 'Bucket' }), 'photos');
    await user.click(screen.getByRole('button', { name: 'Options' }));
    const form = within(screen.getByRole('group', { name: 'Upload options' }));

    await user.click(form.getByRole('button', { name: 'Add metadata' }));
    await user.type(form.getByRole('textbox', { name: 'Metadata key 1' }), 'project id');
    await user.type(form.getByRole('textbox', { name: 'Metadata value 1' }), 'ferry');
    expect(form.getByRole('alert').textContent).toBe("A metadata key may contain letters, digits and -_.!#$%&'*+^`|~ (no spaces).");
    expect(form.getByRole('textbox', { name: 'Metadata key 1' }).getAttribute('aria-invalid')).toBe('true');

    await store.getState().uploadPaths(['/home/ana/a.txt']);
    expect(fake.requests('addPaths')).toEqual([]);
    expect(screen.getByText(/The upload options have a problem\. Metadata: A metadata key may contain/).isConnected).toBe(true);

    await user.clear(form.getByRole('textbox', { name: 'Metadata key 1' }));
    await user.type(form.getByRole('textbox', { name: 'Metadata key 1' }), 'project-id');
    expect(form.queryByRole('alert')).toBeNull();
    await user.click(form.getByRole('button', { name: 'Add metadata' }));
    await user.type(form.getByRole('textbox', { name: 'Metadata key 2' }), 'gone');
    await user.click(form.getByRole('button', { name: 'Remove metadata 2' }));
    expect(form.queryByRole('textbox', { name: 'Metadata key 2' })).toBeNull();

    await user.click(form.getByRole('button', { name: 'Add tag' }));
    await user.type(form.getByRole('textbox', { name: 'Tag key 1' }), 'team');
    await user.type(form.getByRole('textbox', { name: 'Tag value 1' }), 'media ops');
    // an empty row is not an option yet, and no problem either
    await user.click(form.getByRole('button', { name: 'Add tag' }));

    await store.getState().uploadPaths(['/home/ana/a.txt']);
    expect(fake.requests('addPaths')[0]!.options).toEqual({ metadata: { 'project-id': 'ferry' }, tags: { team: 'media ops' } });
  });

  it('more than 10 tags, or one key twice, is refused by the CLI’s rules', async () => {
    const { user, store } = await renderApp();
    await user.click(screen.getByRole('button', { name: 'Options' }));
    const form = within(screen.getByRole('group', { name: 'Upload options' }));
    act(() =>
      store.getState().setOptionRows(
        'tags',
        Array.from({ length: 11 }, (_, i) => ({ id: i + 1, key: `k${i}`, value: 'v' })),
      ),
    );
    expect(form.getByRole('alert').textContent).toBe('More than 10 tags: S3 keeps at most 10 per object.');
    act(() =>
      store.getState().setOptionRows('tags', [
        { id: 1, key: 'k', value: 'a' },
        { id: 2, key: 'k', value: 'b' },
      ]),
    );
    expect(form.getByRole('alert').textContent).toBe('The tag key "k" is given twice.');
  });
});

describe('the endpoint’s defaults fill the form', () => {
  it('when the destination’s endpoint changes; a field the person edited keeps its value', async () => {
    const plain = makeEndpoint({ id: 'plain', name: 'Plain' });
    const cold = makeEndpoint({
      id: 'cold',
      name: 'Cold store',
      defaults: { storageClass: 'STANDARD_IA', cacheControl: 'max-age=60', ifExists: 'skip', acl: 'private' },
    });
    const { user, fake, store } = await renderApp({ snapshot: { endpoints: [plain, cold] } });
    await user.click(screen.getByRole('button', { name: 'Options' }));
    const form = () => within(screen.getByRole('group', { name: 'Upload options' }));
    const value = (name: string) => (form().getByLabelText(name) as HTMLInputElement | HTMLSelectElement).value;
    expect(value('If the key exists')).toBe('ask');
    expect(value('Storage class')).toBe('');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Endpoint' }), 'cold');
    expect(value('Storage class')).toBe('STANDARD_IA');
    expect(value('Cache-Control')).toBe('max-age=60');
    expect(value('If the key exists')).toBe('skip');
    expect(value('ACL')).toBe('private');

    // the person's choice wins over any endpoint's
    await user.selectOptions(form().getByRole('combobox', { name: 'Storage class' }), 'GLACIER_IR');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Endpoint' }), 'plain');
    expect(value('Storage class')).toBe('GLACIER_IR');
    expect(value('Cache-Control')).toBe('');
    expect(value('If the key exists')).toBe('ask');

    // the drop goes with what the form shows
    await user.selectOptions(screen.getByRole('combobox', { name: 'Endpoint' }), 'cold');
    await user.type(screen.getByRole('combobox', { name: 'Bucket' }), 'photos');
    await store.getState().uploadPaths(['/home/ana/a.txt']);
    expect(fake.requests('addPaths')[0]).toMatchObject({
      endpointId: 'cold',
      options: { storageClass: 'GLACIER_IR', cacheControl: 'max-age=60', ifExists: 'skip', acl: 'private' },
    });
  });
});

describe('the quick bandwidth limit in the summary bar', () => {
  it('sets off, a preset or a custom rate at once; a rate that does not parse is said in words', async () => {
    const { user, fake } = await renderApp();
    const menu = () => screen.getByRole('combobox', { name: 'Bandwidth limit' });
    expect((menu() as HTMLSelectElement).value).toBe('off');
    await user.selectOptions(menu(), '5 MiB/s');
    expect(fake.requests('setSettings')).toEqual([{ bandwidthLimit: 5 * MiB }]);
    expect((menu() as HTMLSelectElement).value).toBe(String(5 * MiB));

    await user.selectOptions(menu(), 'custom…');
    const custom = screen.getByRole('textbox', { name: 'Custom bandwidth limit' });
    await user.type(custom, 'fast');
    expect(screen.getByRole('alert').textContent).toBe('A rate such as 20MiB/s or 500KB/s');
    expect(screen.getByRole('button', { name: 'Set' })).toHaveProperty('disabled', true);
    await user.clear(custom);
    await user.type(custom, '20MiB/s{Enter}');
    expect(fake.requests('setSettings')).toEqual([{ bandwidthLimit: 5 * MiB }, { bandwidthLimit: 20 * MiB }]);
    expect((menu() as HTMLSelectElement).value).toBe('current');
    expect(within(menu()).getByRole('option', { name: '20.0 MiB/s' }).isConnected).toBe(true);

    await user.selectOptions(menu(), 'off');
    expect(fake.requests('setSettings').at(-1)).toEqual({ bandwidthLimit: null });

    // the same setting as Settings': a change made elsewhere shows here
    act(() => fake.emit('settingsChanged', { resumeOnLaunch: true, theme: 'system', bandwidthLimit: 10 * MiB }));
    expect((menu() as HTMLSelectElement).value).toBe(String(10 * MiB));
  });
});
