// Issue #11, defect 10: dropping a file that an older job waits for re-attaches it only when the drop
// goes where that job goes; a drop to another destination is a new job there, not a resume of the old.
import { describe, expect, inject, it } from 'vitest';
import { HostService } from '../../main/host/service.ts';
import { FileKeyVault } from '../../main/endpoints/vault.ts';
import type { EndpointView, JobView } from '../../shared/contract.ts';
import { createTestBucket, testEndpointInput } from '../harness/s3.ts';
import { tempDir } from '../harness/engine.ts';

const s3 = inject('s3');

async function call<T>(
  service: HostService,
  command: string,
  request: unknown,
  session: Parameters<HostService['dispatch']>[2],
): Promise<T> {
  const envelope = await service.dispatch(command, request, session);
  if (!envelope.ok) throw new Error(envelope.error.message);
  return envelope.value as T;
}

describe('a dropped file and the job waiting for it', () => {
  it('resumes the job only when the destinations match', async () => {
    const bucket = await createTestBucket(s3, 'reattach');
    const dataDir = tempDir('reattach');
    const service = await HostService.open({
      dataDir,
      vault: new FileKeyVault(dataDir),
      host: { kind: 'browser', version: 'test', canReadPaths: false },
      engine: { autoStart: false }, // nothing uploads: the test is about which job takes the file
    });
    try {
      const endpoint = await call<EndpointView>(service, 'addEndpoint', testEndpointInput(s3), null);
      const file = { fileId: 'f1', name: 'report.pdf', relativePath: '', size: 4096, lastModified: 1_700_000_000_000 };
      const first = service.openSession(() => undefined);
      const { jobs } = await call<{ jobs: JobView[] }>(
        service,
        'addBrowserFiles',
        { endpointId: endpoint.id, bucket, prefix: 'old/', files: [file] },
        first,
      );
      const jobId = jobs[0]!.id;
      await service.closeSession(first); // the page went away: the job waits for its file
      expect(service.engine.sources.isWaitingForFile(service.engine.get(jobId)!)).toBe(true);

      const second = service.openSession(() => undefined);
      // dropped again with the bar pointing elsewhere: not this job's file
      const elsewhere = await call<{ attached: unknown[] }>(
        service,
        'attachBrowserFiles',
        { files: [{ ...file, fileId: 'f2' }], destination: { endpointId: endpoint.id, bucket, prefix: 'new/' } },
        second,
      );
      expect(elsewhere.attached).toEqual([]);
      expect(service.engine.sources.isWaitingForFile(service.engine.get(jobId)!)).toBe(true);

      // dropped with the bar pointing where the job goes: it resumes
      const same = await call<{ attached: unknown[] }>(
        service,
        'attachBrowserFiles',
        { files: [{ ...file, fileId: 'f3' }], destination: { endpointId: endpoint.id, bucket, prefix: 'old/' } },
        second,
      );
      expect(same.attached).toEqual([{ jobId, fileId: 'f3' }]);
      expect(service.engine.sources.isWaitingForFile(service.engine.get(jobId)!)).toBe(false);
      await service.closeSession(second);
    } finally {
      await service.close();
    }
  });
});
