// Issue #15 through the browser host: a page may point the receipts folder only at a folder outside
// the places Ferry protects (its data directory, /proc, the secret stores), real paths resolved; and
// "Resume with a local file…" reads only a file the page was shown, outside them.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { HostService } from '../../main/host/service.ts';
import type { EndpointView } from '../../shared/contract.ts';
import { createTestBucket } from '../harness/s3.ts';
import { tempDir } from '../harness/engine.ts';
import type { Page } from '../harness/web.ts';
import { homeWithSshKeyForFile, openPageHost, type PageHost } from './pageHost.ts';

const s3 = inject('s3');
let opened: PageHost | undefined;
let service: HostService;
let page: Page;
let endpoint: EndpointView;
let bucket: string;
const home = homeWithSshKeyForFile();
const dataDir = tempDir('web-receipts-data');

beforeAll(async () => {
  mkdirSync(join(home, 'receipts'));
  symlinkSync(join(home, '.ssh'), join(home, 'receipts-link'));
  bucket = await createTestBucket(s3, 'web-receipts');
  ({ service, page, endpoint } = opened = await openPageHost(s3, dataDir));
});
afterAll(async () => {
  await opened?.close();
});

describe('the receipts folder, set from a browser page', () => {
  it('refuses the data directory, a secret store, a link into one and /proc; a relative path and a missing folder, in words', async () => {
    for (const folder of [dataDir, join(home, '.ssh'), join(home, 'receipts-link'), '/proc/self']) {
      await expect(page.call('setSettings', { receiptsFolder: folder }), folder).rejects.toMatchObject({
        code: 'PATH_REFUSED',
        message: expect.stringMatching(/^Ferry does not write receipts to .* from a browser page: /),
      });
    }
    await expect(page.call('setSettings', { receiptsFolder: 'receipts' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(page.call('setSettings', { receiptsFolder: join(home, 'nowhere') })).rejects.toMatchObject({
      message: expect.stringMatching(/There is no folder/),
    });
    expect(service.settings.receiptsFolder ?? null).toBeNull();
  });

  it('takes a folder outside them, stored as its real path', async () => {
    const settings = await page.call('setSettings', { receiptsFolder: join(home, 'receipts') });
    expect(settings.receiptsFolder).toBe(realpathSync(join(home, 'receipts')));
    await page.call('setSettings', { receiptsFolder: null });
  });
});

describe('"Resume with a local file…", from a browser page', () => {
  it('refuses a file the page was not shown, and a secret, before asking the server anything', async () => {
    for (const path of [join(home, '.ssh', 'id_rsa'), join(home, 'receipts')]) {
      await expect(
        page.call('adoptOrphan', { endpointId: endpoint.id, bucket, key: 'k', uploadId: 'not-an-upload', path }),
        path,
      ).rejects.toMatchObject({ code: 'PATH_REFUSED' });
    }
  });
});
