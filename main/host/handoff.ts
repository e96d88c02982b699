/**
 * `ferry upload` while another process owns the data directory (issue #13): the CLI hands its jobs
 * to that owner (`ferry serve`, the desktop app) through the control channel (main/engine/control.ts)
 * instead of being refused for the lock, and follows them there.
 *
 *   add:     the CLI sends what it would have queued itself (endpoint id, bucket, batch, files with
 *            their keys, part size, files at once, options); the owner validates it here with zod,
 *            applies the path policy of the browser host (absolute paths only, each resolved to its
 *            real path, none in a protected place: pathPolicy.ts), checks the bucket and queues the
 *            jobs in its engine: they appear in its window. The SSE-C key comes unsealed by the
 *            channel, never inside the payload. Answers the jobs' status rows.
 *   status:  the status rows of the given job ids (at most STATUS_CHUNK at once); an id the owner no
 *            longer has (cleared in the window) is left out.
 *
 * The schemas are the one definition of both sides: the CLI validates the owner's answers with them.
 */
import { homedir } from 'node:os';
import { realpath, stat } from 'node:fs/promises';
import * as z from 'zod';
import { FerryError, isErrorCode, type ErrorCode } from '../../shared/errors.ts';
import { JOB_STATES, type Job } from '../../shared/job.ts';
import { JOB_IF_EXISTS, uploadOptionsSchema } from '../../shared/uploadOptions.ts';
import { firstIssue } from '../../shared/endpointInput.ts';
import type { HandoffHandler } from '../engine/control.ts';
import type { Engine } from '../engine/engine.ts';
import type { EndpointRegistry } from '../endpoints/registry.ts';
import { fileError } from '../engine/fileSource.ts';
import { protectedPlaces, refusal, shapeRefusal, type ProtectedPlace } from './pathPolicy.ts';
import { realPlaces } from './sources.ts';

/** Files per `add` request, and ids per `status` request: each message stays far below the channel's 4 MiB. */
export const ADD_CHUNK = 1000;
export const STATUS_CHUNK = 2000;

export const handoffAddSchema = z
  .object({
    endpointId: z.string().min(1).max(200),
    bucket: z.string().min(1).max(255),
    batch: z.object({ id: z.string().uuid(), name: z.string().min(1).max(1024) }),
    files: z
      .array(z.object({ path: z.string().min(1).max(4096), key: z.string().min(1).max(1024) }).strict())
      .min(1)
      .max(ADD_CHUNK),
    partSize: z.number().int().positive().optional(),
    concurrency: z.number().int().min(1).max(64).optional(),
    options: uploadOptionsSchema,
    guessContentType: z.boolean(),
  })
  .strict();
export type HandoffAdd = z.infer<typeof handoffAddSchema>;

const errorCodeSchema = z.custom<ErrorCode>((value) => isErrorCode(value), 'not an error code');

/** What the CLI needs of one job to draw its progress and say how it ended. */
export const statusRowSchema = z.object({
  id: z.string().min(1).max(200),
  state: z.enum(JOB_STATES),
  path: z.string(),
  bucket: z.string(),
  key: z.string(),
  size: z.number().int().nonnegative(),
  bytesDone: z.number().int().nonnegative(),
  error: z.object({ code: errorCodeSchema, message: z.string(), restart: z.literal(true).optional() }).nullable(),
  skipped: z.boolean(),
  options: z.object({ ifExists: z.enum(JOB_IF_EXISTS).optional() }),
  retry: z
    .object({
      attempt: z.number().int(),
      maxAttempts: z.number().int().nullable(),
      nextRetryAt: z.number(),
      giveUpAt: z.number().nullable(),
      error: z.object({ code: errorCodeSchema, message: z.string() }),
    })
    .nullable(),
});
export type StatusRow = z.infer<typeof statusRowSchema>;

/** Which host took the jobs, for the CLI's words ("through ferry serve (process 1234)"). */
export const HANDOFF_OWNERS = { browser: 'ferry serve', electron: 'the Ferry app' } as const;

export const addReplySchema = z.object({
  jobs: z.array(statusRowSchema),
  warnings: z.array(z.string()),
  owner: z.enum([HANDOFF_OWNERS.browser, HANDOFF_OWNERS.electron]),
  pid: z.number().int().positive(),
});
export const statusReplySchema = z.object({ jobs: z.array(statusRowSchema) });

function statusRow(engine: Engine, job: Job): StatusRow {
  return {
    id: job.id,
    state: job.state,
    path: job.path,
    bucket: job.bucket,
    key: job.key,
    size: job.size,
    bytesDone: job.bytesDone,
    error: job.error
      ? { code: job.error.code, message: job.error.message, ...(job.error.restart ? { restart: true as const } : {}) }
      : null,
    skipped: job.skipped === true,
    options: job.options?.ifExists ? { ifExists: job.options.ifExists } : {},
    retry: job.state === 'uploading' ? engine.retryOf(job.id) : null,
  };
}

function parseJson(text: string | null): unknown {
  if (text === null) throw new FerryError('INVALID_INPUT', 'The handoff request carries no jobs.');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new FerryError('INVALID_INPUT', 'The handoff request is not JSON.');
  }
}

/**
 * The owner's answers to `add` and `status`, on its engine and endpoint registry; `dataDir` is
 * protected like the other places of the path policy; `host` is the kind of host answering.
 */
export function handoffHandlers(
  engine: Engine,
  registry: EndpointRegistry,
  dataDir: string,
  host: keyof typeof HANDOFF_OWNERS,
): { onAdd: HandoffHandler; onStatus: HandoffHandler } {
  let places: Promise<ProtectedPlace[]> | null = null;

  /** `given`'s real path, when it is an absolute path to a file outside the protected places. */
  async function allowed(given: string): Promise<string> {
    const shape = shapeRefusal(given);
    if (shape) throw new FerryError('PATH_REFUSED', `Refused ${given.slice(0, 256)}: ${shape}. Nothing was queued.`);
    let real: string;
    try {
      real = await realpath(given);
      if (!(await stat(real)).isFile()) throw new FerryError('NOT_A_FILE', `${given} is not a file. Nothing was queued.`);
    } catch (error) {
      if (error instanceof FerryError) throw error;
      throw fileError(error, given);
    }
    places ??= realPlaces(protectedPlaces({ dataDir, home: homedir() }));
    const why = refusal(real, await places);
    if (why) throw new FerryError('PATH_REFUSED', `Refused ${given}: ${why}. Nothing was queued.`);
    return real;
  }

  return {
    async onAdd({ payload, secret }) {
      const parsed = handoffAddSchema.safeParse(parseJson(payload));
      if (!parsed.success) throw new FerryError('INVALID_INPUT', `The jobs handed over are malformed: ${firstIssue(parsed.error)}`);
      const add = parsed.data;
      if (add.options.sseC && secret === null) throw new FerryError('INVALID_INPUT', 'SSE-C was asked for without its key.');
      const endpoint = registry.get(add.endpointId);
      const paths: string[] = [];
      for (const file of add.files) paths.push(await allowed(file.path));
      const warnings = await engine.checkBucket(endpoint.id, add.bucket);
      const jobs = await engine.addJobs(
        add.files.map((file, index) => ({
          batch: add.batch,
          path: paths[index]!,
          endpointId: endpoint.id,
          bucket: add.bucket,
          key: file.key,
          partSize: add.partSize,
          concurrency: add.concurrency,
          options: add.options,
          guessContentType: add.guessContentType,
          ...(add.options.sseC && secret !== null ? { sseCKey: secret } : {}),
        })),
      );
      return {
        ids: jobs.map((job) => job.id),
        data: {
          jobs: jobs.map((job) => statusRow(engine, engine.get(job.id) ?? job)),
          warnings,
          owner: HANDOFF_OWNERS[host],
          pid: process.pid,
        },
      };
    },
    async onStatus({ ids }) {
      if (ids === null || ids.length > STATUS_CHUNK)
        throw new FerryError('INVALID_INPUT', `Ask for the state of 1 to ${STATUS_CHUNK} jobs.`);
      const jobs = ids.map((id) => engine.get(id)).filter((job) => job !== undefined);
      return { ids: jobs.map((job) => job.id), data: { jobs: jobs.map((job) => statusRow(engine, job)) } };
    },
  };
}
