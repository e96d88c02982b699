import { describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/contract.ts';
import { decodeJobPage, encodeJobPage } from '../../shared/jobPage.ts';

function view(overrides: Partial<JobView> = {}): JobView {
  return {
    id: '5f0c2a9e-1f7b-4c52-9a55-0a3f0d7b8c11',
    state: 'queued',
    name: 'f00001.bin',
    path: '/home/ana/many-small/d0/f00001.bin',
    source: 'disk',
    endpointId: 'rgw',
    bucket: 'photos',
    key: 'ui/many-small/d0/f00001.bin',
    size: 16_384,
    bytesDone: 0,
    partSize: 16 * 1024 * 1024,
    partCount: 1,
    multipart: false,
    error: null,
    retry: null,
    waitingForFile: false,
    createdAt: 1_764_600_000_000,
    completedAt: null,
    options: { ifExists: 'ask' },
    batchId: 'b-1',
    batchName: 'many-small',
    ...overrides,
  };
}

describe('a page of jobs', () => {
  it('gives back the same views, whatever fields they have', () => {
    const views: JobView[] = [
      view(),
      view({ id: 'b', name: 'f00002.bin', path: '/home/ana/many-small/d0/f00002.bin', key: 'ui/many-small/d0/f00002.bin' }),
      view({
        id: 'c',
        state: 'completed',
        bytesDone: 16_384,
        completedAt: 1_764_600_009_999,
        createdAt: 1_764_599_000_000,
        skipped: true,
        options: undefined,
      }),
      view({
        id: 'd',
        state: 'uploading',
        name: 'clip.mov',
        path: 'holiday/clip.mov',
        source: 'browser',
        key: 'renamed (1).mov',
        multipart: true,
        partCount: 7,
        waitingForFile: true,
        retry: {
          attempt: 2,
          maxAttempts: 5,
          nextRetryAt: 1_764_600_001_000,
          giveUpAt: null,
          error: { code: 'SERVER_ERROR', message: '503' },
        },
        batchId: null,
        batchName: null,
      }),
      view({
        id: 'e',
        state: 'paused',
        name: 'C:\\odd',
        path: 'C:\\odd',
        waitingForAnswer: true,
        error: { code: 'ANSWER_NEEDED', message: 'The key exists.', retryable: false },
        options: { contentType: 'text/plain', metadata: { owner: 'ana' } },
      }),
    ];
    for (const job of views) if (job.options === undefined) delete job.options;
    const page = encodeJobPage(views);
    expect(decodeJobPage(JSON.parse(JSON.stringify(page)))).toEqual(views);
  });

  it('writes what a drop shares once: a tenth of the JSON of the views', () => {
    const views = Array.from({ length: 1000 }, (_, index) => {
      const name = `f${String(index).padStart(5, '0')}.bin`;
      const folder = `d${Math.floor(index / 500)}/`;
      return view({ id: crypto.randomUUID(), name, path: `/home/ana/many-small/${folder}${name}`, key: `ui/many-small/${folder}${name}` });
    });
    const page = encodeJobPage(views);
    expect(page.groups).toHaveLength(1);
    expect(page.texts).toHaveLength(4);
    expect(JSON.stringify(page).length).toBeLessThan(JSON.stringify(views).length / 4);
  });

  it('refuses what is not a page', () => {
    const page = encodeJobPage([view()]);
    expect(() => decodeJobPage({ ...page, rows: [[...page.rows[0]!.slice(0, 3)]] })).toThrow();
    expect(() => decodeJobPage({ ...page, rows: [page.rows[0]!.map((value, index) => (index === 1 ? 9 : value))] })).toThrow();
    expect(() => decodeJobPage({ ...page, groups: [] })).toThrow(/group/);
    expect(() => decodeJobPage({ ...page, texts: [] })).toThrow(/text/);
    expect(() => decodeJobPage('[]')).toThrow();
  });
});
