// Issue #10, finding 2: "A page with a session can upload any file to any server". Through the
// browser host a page may only browse and upload outside Ferry's data directory, /proc, /sys, /dev
// and the secret stores, by absolute path, real paths resolved, and only what browseFiles showed it.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { WebHost } from '../../main/web/server.ts';
import type { EndpointView } from '../../shared/contract.ts';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createTestBucket, testClient } from '../harness/s3.ts';
import { tempDir } from '../harness/engine.ts';
import { exchangeLink, Page } from '../harness/web.ts';
import { homeWithSshKeyForFile, openPageHost, type PageHost } from './pageHost.ts';

const s3 = inject('s3');
let client: S3Client;
let bucket: string;
let opened: PageHost | undefined;
let host: WebHost;
let page: Page;
let endpoint: EndpointView;
const home = homeWithSshKeyForFile();
const dataDir = tempDir('web-paths-data');

beforeAll(async () => {
  // a folder in the home that holds a normal file and links to the secrets
  mkdirSync(join(home, 'photos'));
  writeFileSync(join(home, 'photos', 'cat.jpg'), 'a cat');
  client = testClient(s3);
  bucket = await createTestBucket(s3, 'web-paths');
  ({ host, page, endpoint } = opened = await openPageHost(s3, dataDir));
  symlinkSync(join(dataDir, 'ferry.db'), join(home, 'photos', 'db-link'));
  symlinkSync(join(home, '.ssh', 'id_rsa'), join(home, 'photos', 'key-link'));
});
afterAll(async () => {
  await opened?.close();
  client?.destroy();
});

async function listKeys(prefix: string): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => object.Key!);
}

const add = (paths: string[], prefix = '') => page.call('addPaths', { endpointId: endpoint.id, bucket, prefix, paths });

describe('browseFiles, from a browser page', () => {
  it('refuses the data directory, /proc, a secret store and a relative path, in words', async () => {
    for (const path of [dataDir, '/proc', '/proc/self', join(home, '.ssh'), 'photos', '../etc']) {
      await expect(page.call('browseFiles', { path }), path).rejects.toMatchObject({
        code: 'PATH_REFUSED',
        message: expect.stringMatching(/^Ferry does not (read|upload) .* from a browser page: /),
      });
    }
  });

  it('leaves out entries whose real path is protected', async () => {
    const listing = await page.call('browseFiles', { path: join(home, 'photos') });
    expect(listing.entries.map((entry) => entry.name)).toEqual(['cat.jpg']);
  });
});

describe('addPaths, from a browser page', () => {
  it('refuses the files all stored secrets decrypt from, and ~/.ssh/id_rsa; nothing is uploaded', async () => {
    await page.call('browseFiles', { path: home });
    for (const path of [join(dataDir, 'ferry.db'), join(dataDir, 'secret.key'), join(home, '.ssh', 'id_rsa'), '/proc/self/environ']) {
      await expect(add([path], 'stolen/'), path).rejects.toMatchObject({ code: 'PATH_REFUSED' });
    }
    expect(await listKeys('stolen/')).toEqual([]);
  });

  it('accepts only what browseFiles showed this session', async () => {
    const cat = join(home, 'photos', 'cat.jpg');
    const other = await exchangeLink(host.newLink().url);
    const stranger = new Page(host.port, other);
    await stranger.opened();
    await expect(stranger.call('addPaths', { endpointId: endpoint.id, bucket, prefix: 'x/', paths: [cat] })).rejects.toMatchObject({
      code: 'PATH_REFUSED',
      message: expect.stringContaining('choose files and folders with "Add files…"'),
    });
    await stranger.close();
  });

  it('skips a symlink into the data directory or ~/.ssh met while walking a folder, and says so', async () => {
    await page.call('browseFiles', { path: home });
    const { jobs, skipped } = await add([join(home, 'photos')], 'walked/');
    expect(jobs.map((job) => job.key)).toEqual(['walked/photos/cat.jpg']);
    expect(skipped).toEqual([
      { path: join(home, 'photos', 'db-link'), reason: "it is in Ferry's data directory" },
      { path: join(home, 'photos', 'key-link'), reason: 'it is in SSH keys (~/.ssh)' },
    ]);
    await page.keyCompleted('walked/photos/cat.jpg');
    expect(await listKeys('walked/')).toEqual(['walked/photos/cat.jpg']);
  });
});

describe('the browser host’s path check itself', () => {
  it('refuses a shown path whose real path is protected (a link retargeted after it was listed)', async () => {
    const { expandForBrowser, realPlaces } = await import('../../main/host/sources.ts');
    const { protectedPlaces } = await import('../../main/host/pathPolicy.ts');
    const places = await realPlaces(protectedPlaces({ dataDir, home }));
    const link = join(home, 'photos', 'db-link');
    await expect(expandForBrowser([link], '', places, new Set([link]))).rejects.toMatchObject({
      code: 'PATH_REFUSED',
      message: expect.stringContaining("it is in Ferry's data directory"),
    });
    await expect(expandForBrowser([join(dataDir, 'ferry.db')], '', places, new Set([join(dataDir, 'ferry.db')]))).rejects.toMatchObject({
      code: 'PATH_REFUSED',
    });
  });
});
