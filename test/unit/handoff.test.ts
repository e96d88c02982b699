// The CLI's side of the handoff (main/cli/handoff.ts) over a real control socket, the owner replaced by
// recording handlers: many files go in several messages of one batch, and an owner that takes no jobs
// leaves the lock's message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { serveControl, type ControlServer, type HandoffHandler } from '../../main/engine/control.ts';
import { handOff, type Handoff } from '../../main/cli/handoff.ts';
import { handoffAddSchema, type StatusRow } from '../../main/host/handoff.ts';
import { EngineLockedError } from '../../shared/errors.ts';

let dir: string;
let server: ControlServer | null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-handoff-'));
  server = null;
});
afterEach(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { io: { stdout, stderr, stdin: new PassThrough(), env: {} }, out: () => out, err: () => err };
}

function handoff(files: number): Handoff {
  return {
    add: {
      endpointId: 'e1',
      bucket: 'b',
      batch: { id: '6f1c1f1e-8a2b-4c3d-9e4f-a5b6c7d8e9f0', name: 'photos' },
      files: Array.from({ length: files }, (_, index) => ({ path: `/data/photos/${index}.jpg`, key: `photos/${index}.jpg` })),
      options: {},
      guessContentType: true,
    },
    detach: true,
    skipped: 0,
    destination: 's3://b/photos/ on e1',
  };
}

const locked = new EngineLockedError('The data directory is in use by Ferry process 1 (ferry upload).');

describe('handing jobs over', () => {
  it('sends many files in several messages of the same batch, in order, and prints every id with --detach', async () => {
    const received: string[][] = [];
    const onAdd: HandoffHandler = async ({ payload }) => {
      const add = handoffAddSchema.parse(JSON.parse(payload!));
      expect(add.batch.name).toBe('photos');
      received.push(add.files.map((file) => file.key));
      const jobs: StatusRow[] = add.files.map((file) => ({
        id: `id-${file.key}`,
        state: 'queued',
        path: file.path,
        bucket: add.bucket,
        key: file.key,
        size: 10,
        bytesDone: 0,
        error: null,
        skipped: false,
        options: {},
        retry: null,
      }));
      return { ids: jobs.map((job) => job.id), data: { jobs, warnings: [], owner: 'ferry serve', pid: 4242 } };
    };
    server = await serveControl(dir, async () => ({ ids: [], notStarted: [] }), { env: {}, onAdd });
    const out = io();
    expect(await handOff({ io: out.io, dataDir: dir }, handoff(5), locked, 2)).toBe(0);
    expect(received).toEqual([['photos/0.jpg', 'photos/1.jpg'], ['photos/2.jpg', 'photos/3.jpg'], ['photos/4.jpg']]);
    expect(out.out().trim().split('\n')).toEqual([0, 1, 2, 3, 4].map((n) => `id-photos/${n}.jpg`));
    expect(out.err()).toBe(
      'Handed 5 files (50 B) to ferry serve (process 4242), which owns the data directory: it uploads them now. See them with: ferry jobs\n',
    );
  });

  it('leaves the lock message when the owner takes no jobs (another ferry upload), and when it has no channel', async () => {
    server = await serveControl(dir, async () => ({ ids: [], notStarted: [] }), { env: {} });
    await expect(handOff({ io: io().io, dataDir: dir }, handoff(1), locked)).rejects.toBe(locked);
    await server.close();
    server = null;
    await expect(handOff({ io: io().io, dataDir: dir }, handoff(1), locked)).rejects.toBe(locked);
  });
});
