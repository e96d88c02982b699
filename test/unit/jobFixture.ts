// A Job with every field set, for unit tests: override what the test is about.
import type { Job } from '../../shared/job.ts';

let next = 1;

export function job(patch: Partial<Job> = {}): Job {
  const id = patch.id ?? `job-${next++}`;
  const size = patch.size ?? 100;
  return {
    id,
    state: 'queued',
    source: 'disk',
    path: `/data/${id}.bin`,
    endpointId: 'e1',
    bucket: 'bucket',
    key: `${id}.bin`,
    size,
    fingerprint: { size, mtimeMs: 0, ino: '1' },
    multipart: false,
    partSize: size,
    partCount: 1,
    concurrency: 1,
    uploadId: null,
    bytesDone: 0,
    etag: null,
    error: null,
    createdAt: 0,
    updatedAt: 0,
    completedAt: null,
    batchId: null,
    batchName: null,
    ...patch,
  };
}
