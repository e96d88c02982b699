/**
 * A page of jobs as the snapshot carries it (issue #13, the first row of 10,000 jobs within 1 s):
 * the same {@link JobView}s, in a compact form. A JobView in JSON is about 550 bytes, most of it
 * field names and texts every job of a drop repeats (endpoint, bucket, batch id and name, options,
 * the folder of its path and of its key); 10,000 of them made a 5.4 MiB message that the host had to
 * stringify and the page to parse before the first row.
 *
 * In a page, each job is one array (a {@link PageRow}); what jobs share is written once:
 *   groups  [endpointId, bucket, batchId, batchName, partSize, options]: a job names its group
 *   texts   the folders of paths and keys: a job's path is texts[folder] + name, and its key
 *           texts[keyFolder] + name (either written whole, a string, when it does not end with the name)
 * and numbers that repeat are written as differences (createdAt from the job before, completedAt
 * from createdAt). About 90 bytes a job.
 *
 * The host encodes ({@link encodeJobPage}); the page decodes ({@link decodeJobPage}), validating the
 * page with {@link jobPageSchema} first: what the host sends is checked at the page's boundary too.
 */
import * as z from 'zod';
import type { JobView } from './contract.ts';
import { ERROR_CODES, type ErrorCode, type ErrorInfo } from './errors.ts';
import { JOB_STATES } from './job.ts';
import type { JobRetry } from './retry.ts';
import type { UploadOptions } from './uploadOptions.ts';

/** Bits of a row's `flags`. */
const FLAG = { multipart: 1, waitingForFile: 2, waitingForAnswer: 4, skipped: 8, browser: 16 } as const;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const index = z.number().int().min(0);
const errorCode = z.string().refine((code): code is ErrorCode => Object.hasOwn(ERROR_CODES, code), 'an unknown error code');
const errorInfoSchema = z.object({
  code: errorCode,
  message: z.string(),
  retryable: z.boolean(),
  restart: z.literal(true).optional(),
});
const retrySchema = z.object({
  attempt: z.number().int(),
  maxAttempts: z.number().int().nullable(),
  nextRetryAt: z.number(),
  giveUpAt: z.number().nullable(),
  error: z.object({ code: errorCode, message: z.string() }),
});
/** A job's rarely set fields: its error and its retry, or null when it has neither. */
const detailsSchema = z.object({ error: errorInfoSchema.optional(), retry: retrySchema.optional() }).nullable();

/** What jobs of one drop share: [endpointId, bucket, batchId, batchName, partSize, options]. */
const groupSchema = z.tuple([
  z.string(),
  z.string(),
  z.string().nullable(),
  z.string().nullable(),
  count,
  // the window only shows options: any object the host kept is shown as it is
  z.record(z.string(), z.unknown()).nullable(),
]);
export type JobGroup = z.infer<typeof groupSchema>;

/**
 * One job: [id, state (index in JOB_STATES), name, group, path and key (each a text index + name, or
 * written whole), size, bytesDone, partCount, flags, createdAt (difference from the row before),
 * completedAt (difference from createdAt, or null), details].
 */
const rowSchema = z.tuple([
  z.string().min(1),
  z
    .number()
    .int()
    .min(0)
    .max(JOB_STATES.length - 1),
  z.string(),
  index,
  z.union([index, z.string()]),
  z.union([index, z.string()]),
  count,
  count,
  count,
  z.number().int().min(0).max(31),
  z.number().int(),
  z.number().int().nullable(),
  detailsSchema,
]);
export type PageRow = z.infer<typeof rowSchema>;

export const jobPageSchema = z.object({
  groups: z.array(groupSchema),
  texts: z.array(z.string()),
  rows: z.array(rowSchema),
});
export type JobPage = z.infer<typeof jobPageSchema>;

/** A table of values written once each: `add` answers the value's index. */
class Table<T> {
  readonly values: T[] = [];
  readonly #indexes = new Map<string, number>();
  add(key: string, value: T): number {
    let at = this.#indexes.get(key);
    if (at === undefined) {
      at = this.values.push(value) - 1;
      this.#indexes.set(key, at);
    }
    return at;
  }
}

/** `text` as its folder's index in `texts` when it ends with `name` (the folder is then written once), else whole. */
function shortened(text: string, name: string, texts: Table<string>): number | string {
  if (!text.endsWith(name)) return text;
  const folder = text.slice(0, text.length - name.length);
  return texts.add(folder, folder);
}

/** `text` as {@link shortened} wrote it. */
function lengthened(text: number | string, name: string, texts: readonly string[], id: string): string {
  if (typeof text === 'string') return text;
  const folder = texts[text];
  if (folder === undefined) throw new RangeError(`The job ${id} names a text the page does not have.`);
  return folder + name;
}

/** The jobs in a page, in their order. */
export function encodeJobPage(views: readonly JobView[]): JobPage {
  const groups = new Table<JobGroup>();
  const texts = new Table<string>();
  /** The options texts already seen, so that a drop's options are stringified once, not per job. */
  const optionKeys = new Map<UploadOptions, string>();
  const rows: PageRow[] = [];
  let lastCreated = 0;
  for (const view of views) {
    let optionsKey = '';
    if (view.options) {
      optionsKey = optionKeys.get(view.options) ?? JSON.stringify(view.options);
      optionKeys.set(view.options, optionsKey);
    }
    const groupKey = JSON.stringify([view.endpointId, view.bucket, view.batchId, view.batchName, view.partSize, optionsKey]);
    const group = groups.add(groupKey, [
      view.endpointId,
      view.bucket,
      view.batchId,
      view.batchName,
      view.partSize,
      (view.options as Record<string, unknown> | undefined) ?? null,
    ]);
    const path = shortened(view.path, view.name, texts);
    const key = shortened(view.key, view.name, texts);
    const flags =
      (view.multipart ? FLAG.multipart : 0) |
      (view.waitingForFile ? FLAG.waitingForFile : 0) |
      (view.waitingForAnswer ? FLAG.waitingForAnswer : 0) |
      (view.skipped ? FLAG.skipped : 0) |
      (view.source === 'browser' ? FLAG.browser : 0);
    const details =
      view.error || view.retry ? { ...(view.error ? { error: view.error } : {}), ...(view.retry ? { retry: view.retry } : {}) } : null;
    rows.push([
      view.id,
      JOB_STATES.indexOf(view.state),
      view.name,
      group,
      path,
      key,
      view.size,
      view.bytesDone,
      view.partCount,
      flags,
      view.createdAt - lastCreated,
      view.completedAt === null ? null : view.completedAt - view.createdAt,
      details,
    ]);
    lastCreated = view.createdAt;
  }
  return { groups: groups.values, texts: texts.values, rows };
}

/** The jobs of a page the host sent, validated; throws a ZodError for a page that is not one. */
export function decodeJobPage(input: unknown): JobView[] {
  const page = jobPageSchema.parse(input);
  const views: JobView[] = [];
  let created = 0;
  for (const [
    id,
    state,
    name,
    groupIndex,
    path,
    key,
    size,
    bytesDone,
    partCount,
    flags,
    createdDelta,
    completedDelta,
    details,
  ] of page.rows) {
    const group = page.groups[groupIndex];
    if (group === undefined) throw new RangeError(`The job ${id} names a group the page does not have.`);
    const [endpointId, bucket, batchId, batchName, partSize, options] = group;
    created += createdDelta;
    const view: JobView = {
      id,
      state: JOB_STATES[state]!,
      name,
      path: lengthened(path, name, page.texts, id),
      source: flags & FLAG.browser ? 'browser' : 'disk',
      endpointId,
      bucket,
      key: lengthened(key, name, page.texts, id),
      size,
      bytesDone,
      partSize,
      partCount,
      multipart: (flags & FLAG.multipart) !== 0,
      error: (details?.error as ErrorInfo | undefined) ?? null,
      retry: (details?.retry as JobRetry | undefined) ?? null,
      waitingForFile: (flags & FLAG.waitingForFile) !== 0,
      createdAt: created,
      completedAt: completedDelta === null ? null : created + completedDelta,
      batchId,
      batchName,
    };
    if (flags & FLAG.waitingForAnswer) view.waitingForAnswer = true;
    if (options !== null) view.options = options as UploadOptions;
    if (flags & FLAG.skipped) view.skipped = true;
    views.push(view);
  }
  return views;
}
