// Issue #13 through the host service against the real Ceph RGW: the endpoint test names the server
// from its answers ("Ceph RGW"), an endpoint added elsewhere (the CLI) is named in the background,
// and the transfer settings are validated at the contract and reach new uploads.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostService } from '../../main/host/service.ts';
import { FileKeyVault } from '../../main/endpoints/vault.ts';
import { EndpointRegistry } from '../../main/endpoints/registry.ts';
import type { EndpointView, Events } from '../../shared/contract.ts';
import { MiB } from '../../shared/partPlan.ts';
import { createTestBucket, headEtag, testClient } from '../harness/s3.ts';
import { tempDir } from '../harness/engine.ts';

const s3 = inject('s3');
let client: S3Client;
let bucket: string;

beforeAll(async () => {
  client = testClient(s3);
  bucket = await createTestBucket(s3, 'settings-host');
});
afterAll(() => client?.destroy());

function open(dataDir: string): Promise<HostService> {
  return HostService.open({ dataDir, vault: new FileKeyVault(dataDir), host: { kind: 'electron', version: 'test', canReadPaths: true } });
}

const endpointInput = () => ({
  name: 'Lab',
  url: s3.endpoint,
  region: s3.region,
  addressing: 'path' as const,
  checksums: 'when-required' as const,
  credential: { kind: 'static' as const, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
});

/** Resolves with the endpoints of the first endpointsChanged event that satisfies `done`. */
function endpointsWhen(service: HostService, done: (endpoints: EndpointView[]) => boolean): Promise<EndpointView[]> {
  return new Promise((resolve) => {
    const stop = service.onEvent((event, payload) => {
      if (event !== 'endpointsChanged') return;
      const { endpoints } = payload as Events['endpointsChanged'];
      if (done(endpoints)) {
        stop();
        resolve(endpoints);
      }
    });
  });
}

describe('the server an endpoint runs', () => {
  it('the endpoint test names Ceph RGW from its answers, and the window hears of it', async () => {
    const service = await open(tempDir('server-kind'));
    try {
      const added = await service.dispatch('addEndpoint', endpointInput());
      expect(added.ok).toBe(true);
      const id = (added as { value: EndpointView }).value.id;
      const changed = endpointsWhen(service, (endpoints) => endpoints.some((endpoint) => endpoint.server === 'ceph-rgw'));
      const tested = await service.dispatch('testEndpoint', { id });
      expect(tested).toMatchObject({ ok: true, value: { ok: true, server: 'ceph-rgw' } });
      expect((await changed).find((endpoint) => endpoint.id === id)?.server).toBe('ceph-rgw');
      // an edit that keeps the server (the region) keeps the name
      await service.dispatch('updateEndpoint', { id, name: 'Lab', region: 'us-east-1' });
      expect(service.registry.get(id).server).toBe('ceph-rgw');
    } finally {
      await service.close();
    }
  });

  it('an endpoint added from the command line is named in the background when the window’s host starts', async () => {
    const dataDir = tempDir('server-kind-cli');
    const registry = new EndpointRegistry({ dataDir, vault: new FileKeyVault(dataDir) });
    registry.add(endpointInput());
    registry.close();
    const service = await open(dataDir);
    try {
      const named =
        service.registry.list()[0]?.server === 'ceph-rgw'
          ? service.registry.list()
          : await endpointsWhen(service, (list) => list[0]?.server === 'ceph-rgw');
      expect(named[0]?.server).toBe('ceph-rgw');
    } finally {
      await service.close();
    }
  });
});

describe('transfer settings through the contract', () => {
  it('refuses what is out of bounds in words, and a new upload gets the part size set', async () => {
    const dataDir = tempDir('settings-transfer');
    const service = await open(dataDir);
    try {
      const refused = await service.dispatch('setSettings', { filesAtOnce: 0 });
      expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect((refused as { error: { message: string } }).error.message).toBe(
        'Invalid setSettings request: Files at once must be a whole number from 1 to 32.',
      );
      expect(await service.dispatch('setSettings', { partSize: 1024 })).toMatchObject({ ok: false });
      const saved = await service.dispatch('setSettings', { partSize: 5 * MiB, partsPerFile: 2, filesAtOnce: 1 });
      expect(saved).toMatchObject({ ok: true, value: { partSize: 5 * MiB, partsPerFile: 2, filesAtOnce: 1 } });
      const endpoint = await service.dispatch('addEndpoint', endpointInput());
      const endpointId = (endpoint as { value: EndpointView }).value.id;
      const file = join(dataDir, 'twelve.bin');
      writeFileSync(file, Buffer.alloc(12 * MiB, 7));
      const added = await service.dispatch('addPaths', { endpointId, bucket, prefix: '', paths: [file] });
      expect(added).toMatchObject({ ok: true, value: { jobs: [{ partSize: 5 * MiB, partCount: 3 }] } });
      await service.engine.whenIdle();
      expect(await headEtag(client, bucket, 'twelve.bin')).toMatch(/-3"?$/);
    } finally {
      await service.close();
    }
  });
});
