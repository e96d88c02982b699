/**
 * The transfer settings a person changes while Ferry runs (Settings, issue #13): files at once, parts
 * per file and part size. They apply live to new work: a file that starts after the change runs
 * under the new "files at once", an upload added after it gets the new part size and parts per file
 * (an upload already planned keeps its own: its parts on the server fix its part size).
 *
 * The engine's request limit (every S3 request in flight across all jobs) is raised to the larger
 * of the two counts, so that neither setting is silently capped by it; it never drops below what
 * the engine was opened with.
 */
import { DEFAULT_PART_SIZE } from '../../shared/partPlan.ts';
import { TRANSFER_LIMITS } from '../../shared/contract.ts';
import { FerryError } from '../../shared/errors.ts';

export interface TransferSettings {
  /** Jobs uploading at once. */
  filesAtOnce: number;
  /** Parts in flight within one job, for jobs added from now on. */
  partsPerFile: number;
  /** The preferred part size for jobs added from now on; null: automatic. */
  partSize: number | null;
}

/** The engine's tunables this module changes (a view of its options). */
export interface TransferTunables {
  maxActiveJobs: number;
  partConcurrency: number;
  partSize: number;
  maxRequests: number;
}

/** What the request limiter needs: its limit can be raised while requests are in flight. */
export interface AdjustableLimit {
  limit: number;
}

/** Checks `settings` (a host validated them with the contract already; the engine is a boundary too). */
export function checkTransferSettings(settings: Partial<TransferSettings>): void {
  const within = (value: number | undefined, limits: { min: number; max: number }, what: string) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= limits.min && value <= limits.max))
      throw new FerryError('INVALID_INPUT', `${what} must be a whole number from ${limits.min} to ${limits.max}, not ${value}.`);
  };
  within(settings.filesAtOnce, TRANSFER_LIMITS.filesAtOnce, 'Files at once');
  within(settings.partsPerFile, TRANSFER_LIMITS.partsPerFile, 'Parts per file');
  if (settings.partSize !== null) within(settings.partSize, TRANSFER_LIMITS.partSize, 'The part size (bytes)');
}

/** The request limit each engine was opened with (the floor), by its tunables. */
const baseRequests = new WeakMap<TransferTunables, number>();

/** Applies `settings` to the engine's tunables and its request limit. */
export function applyTransferSettings(tunables: TransferTunables, limiter: AdjustableLimit, settings: Partial<TransferSettings>): void {
  checkTransferSettings(settings);
  if (!baseRequests.has(tunables)) baseRequests.set(tunables, tunables.maxRequests);
  if (settings.filesAtOnce !== undefined) tunables.maxActiveJobs = settings.filesAtOnce;
  if (settings.partsPerFile !== undefined) tunables.partConcurrency = settings.partsPerFile;
  if (settings.partSize !== undefined) tunables.partSize = settings.partSize ?? DEFAULT_PART_SIZE;
  tunables.maxRequests = Math.max(baseRequests.get(tunables)!, tunables.maxActiveJobs, tunables.partConcurrency);
  limiter.limit = tunables.maxRequests;
}
