// The browser host in this process, on its own data directory, with one page connected and the test
// RGW added as an endpoint through that page, and a home with a secret in it: what the webhost
// security tests start from.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { HostService } from '../../main/host/service.ts';
import { hostVaults } from '../../main/endpoints/keychain.ts';
import { startWebHost, type WebHost } from '../../main/web/server.ts';
import type { EndpointView } from '../../shared/contract.ts';
import { tempDir } from '../harness/engine.ts';
import { testEndpointInput } from '../harness/s3.ts';
import type { TestS3 } from '../harness/s3env.ts';
import { exchangeLink, Page } from '../harness/web.ts';
import { fakeRenderer } from './hostHarness.ts';

export interface PageHost {
  service: HostService;
  host: WebHost;
  page: Page;
  endpoint: EndpointView;
  /** Closes the page, the web host and the service. */
  close(): Promise<void>;
}

export async function openPageHost(s3: TestS3, dataDir: string): Promise<PageHost> {
  const service = await HostService.open({
    dataDir,
    vault: hostVaults(dataDir, {}).vault,
    host: { kind: 'browser', version: 'test', canReadPaths: false },
  });
  const host = await startWebHost({ service, rendererDir: fakeRenderer() });
  let page: Page | undefined;
  try {
    page = new Page(host.port, await exchangeLink(host.newLink().url));
    await page.opened();
    const endpoint = await page.call('addEndpoint', testEndpointInput(s3));
    return { service, host, page, endpoint, close: () => closeAll(page, host, service) };
  } catch (error) {
    await closeAll(page, host, service);
    throw error;
  }
}

async function closeAll(page: Page | undefined, host: WebHost, service: HostService): Promise<void> {
  await page?.close();
  await host.close();
  await service.close();
}

/**
 * A temporary home with an SSH key in it (a secret store the host must refuse), made $HOME for the
 * file's tests (from its first beforeAll, which it registers) and given back after them.
 */
export function homeWithSshKeyForFile(): string {
  const home = tempDir('home');
  const saved = process.env.HOME;
  beforeAll(() => {
    process.env.HOME = home;
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'id_rsa'), 'PRIVATE KEY');
  });
  afterAll(() => {
    process.env.HOME = saved;
  });
  return home;
}
