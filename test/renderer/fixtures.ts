/** Views as the engine would send them, with overridable fields. */
import type { EndpointView, JobView, Snapshot, SnapshotContents } from '../../shared/contract.ts';
import { encodeJobPage } from '../../shared/jobPage.ts';

export const MiB = 1024 * 1024;

let counter = 0;

export function makeJob(overrides: Partial<JobView> = {}): JobView {
  counter += 1;
  const name = overrides.name ?? `file-${counter}.bin`;
  return {
    id: `job-${counter}`,
    state: 'queued',
    name,
    path: `/data/${name}`,
    source: 'disk',
    endpointId: 'minio',
    bucket: 'photos',
    key: `2024/${name}`,
    size: 100 * MiB,
    bytesDone: 0,
    partSize: 16 * MiB,
    partCount: 7,
    multipart: true,
    error: null,
    retry: null,
    waitingForFile: false,
    createdAt: 1_700_000_000_000 + counter,
    completedAt: null,
    batchId: null,
    batchName: null,
    ...overrides,
  };
}

export function makeEndpoint(overrides: Partial<EndpointView> = {}): EndpointView {
  return {
    id: 'minio',
    name: 'Studio MinIO',
    url: 'http://127.0.0.1:9000',
    region: 'us-east-1',
    addressing: 'path',
    checksums: 'when-required',
    credential: { kind: 'static', accessKeyId: 'AKIDSTUDIO' },
    ...overrides,
  };
}

/** What a snapshot holds (the jobs as views), with overridable fields; {@link wireSnapshot} makes the host's answer of it. */
export function makeSnapshot(overrides: Partial<SnapshotContents> = {}): SnapshotContents {
  return {
    jobs: [],
    endpoints: [makeEndpoint()],
    settings: { resumeOnLaunch: true, theme: 'system' },
    host: { kind: 'electron', version: '0.1.0', vaultWarning: null, canReadPaths: true },
    ...overrides,
  };
}

/** A snapshot as the host answers it, every job in its first page (see FakeApi.pageSize for pages). */
export function wireSnapshot(contents: SnapshotContents): Snapshot {
  const copy = structuredClone(contents);
  return { ...copy, jobs: encodeJobPage(copy.jobs), jobCount: copy.jobs.length, cursor: null };
}
