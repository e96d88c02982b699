// A SIGKILL in the middle of an upload loses nothing: the restarted engine finishes the upload and
// sends only the parts the server did not have.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MiB } from '../../shared/partPlan.ts';
import { Engine } from '../../main/engine/engine.ts';
import { createTestBucket, listPartNumbers, listUploads, makeFile, objectSha256, testClient } from '../harness/s3.ts';
import { tempDir, testResolver, waitForState } from '../harness/engine.ts';

const s3 = inject('s3');
let client: S3Client;
let bucket: string;
const CHILD = fileURLToPath(new URL('./fixtures/engine-child.ts', import.meta.url));

beforeAll(async () => {
  client = testClient(s3);
  bucket = await createTestBucket(s3, 'crash');
});
afterAll(() => client?.destroy());

interface Child {
  process: ChildProcess;
  /** Resolves with the first line matching `test`. */
  line(test: (value: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startChild(args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(process.execPath, [CHILD, ...args], {
    env: { ...process.env, FERRY_CHILD_S3: JSON.stringify(s3), FERRY_CHILD_BUCKET: bucket, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const waiters: { test: (v: Record<string, unknown>) => boolean; resolve: (v: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const value = JSON.parse(text) as Record<string, unknown>;
    for (const waiter of [...waiters]) {
      if (waiter.test(value)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(value);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    process: child,
    exited,
    line: (test) =>
      new Promise((resolve, reject) => {
        waiters.push({ test, resolve });
        exited.then(({ code, signal, stderr: err }) =>
          reject(new Error(`child exited (${code ?? signal}) before the expected line: ${err}`)),
        );
      }),
  };
}

describe('a SIGKILL mid-upload', () => {
  it('is resumed by the next engine without re-sending a completed part', async () => {
    const file = await makeFile(tempDir('files'), 'crash.bin', 100 * MiB, 61);
    const dataDir = tempDir('crash-data');

    const first = startChild([dataDir, file.path, 'crash.bin']);
    await first.line((v) => typeof v.parts === 'number' && v.parts >= 4);
    first.process.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    // what the server holds now is all the next run may skip
    const uploads = await listUploads(client, bucket, 'crash.bin');
    expect(uploads).toHaveLength(1);
    const held = await listPartNumbers(client, bucket, 'crash.bin', uploads[0]!.uploadId);
    expect(held.length).toBeGreaterThanOrEqual(4);
    expect(held.length).toBeLessThan(20);

    // ListParts in pages of 2: the resume must read every page to know what the server holds
    const engine = await Engine.open({ dataDir, endpoints: testResolver(s3), progressIntervalMs: 50, listPageSize: 2 });
    try {
      const [job] = engine.list();
      expect(job).toMatchObject({ uploadId: uploads[0]!.uploadId, partSize: 5 * MiB });
      const done = await waitForState(engine, job!.id, 'completed');
      expect(engine.stats().bytesSent).toBe(done.size - held.length * 5 * MiB);
    } finally {
      await engine.close();
    }
    expect(await objectSha256(client, bucket, 'crash.bin')).toBe(file.sha256);
    expect(await listUploads(client, bucket, 'crash.bin')).toEqual([]);
  });

  it('adopts parts the store never recorded (killed before the batch was written) by hashing the file', async () => {
    const file = await makeFile(tempDir('files'), 'adopt.bin', 60 * MiB, 62);
    const dataDir = tempDir('adopt-data');
    const first = startChild([dataDir, file.path, 'adopt.bin']);
    await first.line((v) => typeof v.parts === 'number' && v.parts >= 3);
    first.process.kill('SIGKILL');
    await first.exited;
    // the worst case: not one acknowledgement reached the store
    const db = new DatabaseSync(join(dataDir, 'ferry.db'));
    db.exec('DELETE FROM parts');
    db.close();
    const uploads = await listUploads(client, bucket, 'adopt.bin');
    const held = await listPartNumbers(client, bucket, 'adopt.bin', uploads[0]!.uploadId);

    const engine = await Engine.open({ dataDir, endpoints: testResolver(s3) });
    try {
      const [job] = engine.list();
      const done = await waitForState(engine, job!.id, 'completed');
      expect(engine.stats().bytesSent).toBe(done.size - held.length * 5 * MiB);
    } finally {
      await engine.close();
    }
    expect(await objectSha256(client, bucket, 'adopt.bin')).toBe(file.sha256);
  });

  it('leaves the data directory to one engine at a time, and a killed owner frees it', async () => {
    const dataDir = tempDir('locked');
    const child = startChild([dataDir], { FERRY_CHILD_HOLD: '1' });
    await child.line((v) => v.holding === true);
    await expect(Engine.open({ dataDir, endpoints: testResolver(s3) })).rejects.toMatchObject({
      code: 'ENGINE_LOCKED',
      message: expect.stringContaining(`is in use by Ferry process ${child.process.pid}`),
    });
    child.process.kill('SIGKILL');
    await child.exited;
    const engine = await Engine.open({ dataDir, endpoints: testResolver(s3) });
    await engine.close();
  });
});
