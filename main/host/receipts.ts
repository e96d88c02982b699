/**
 * Receipts in the window's hosts (issue #15): a completed job's receipt for "Copy receipt", and the
 * opt-in setting that writes every completed upload's receipt to a folder on the host. A receipt
 * never holds a secret (shared/receipt.ts); a file is never overwritten.
 */
import { realpath, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { FerryError } from '../../shared/errors.ts';
import { buildReceipt, formatReceipt, type Receipt } from '../../shared/receipt.ts';
import type { Engine } from '../engine/engine.ts';
import { compositeEtag } from '../engine/uploader.ts';
import { refusal, type ProtectedPlace } from './pathPolicy.ts';

/** The receipt of completed job `id`, as a document and as text; `endpointName` names its endpoint. */
export function receiptOf(engine: Engine, id: string, endpointName: (endpointId: string) => string): { receipt: Receipt; text: string } {
  const job = engine.get(id);
  if (!job) throw new FerryError('JOB_NOT_FOUND', `No job with id ${id}.`);
  if (job.state !== 'completed')
    throw new FerryError('INVALID_INPUT', `${job.path} is ${job.state}: only a completed upload has a receipt.`);
  const receipt = buildReceipt(job, engine.parts(job.id), endpointName(job.endpointId), compositeEtag, engine.versionId(job.id));
  return { receipt, text: formatReceipt(receipt) };
}

/**
 * The receipts folder as it will be used (its real path): an existing folder given by its absolute
 * path; from a browser page (`places` given) not inside a place Ferry protects (pathPolicy.ts).
 */
export async function checkReceiptsFolder(folder: string, places: readonly ProtectedPlace[] | null): Promise<string> {
  if (!isAbsolute(folder))
    throw new FerryError(
      'INVALID_INPUT',
      `The receipts folder must be a full path, such as /home/me/receipts, not "${folder.slice(0, 256)}".`,
    );
  let real: string;
  try {
    real = await realpath(folder);
    if (!(await stat(real)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new FerryError('INVALID_INPUT', `There is no folder ${folder.slice(0, 256)}: create it first.`);
  }
  const why = places ? refusal(real, places) : null;
  if (why) throw new FerryError('PATH_REFUSED', `Ferry does not write receipts to ${folder.slice(0, 256)} from a browser page: ${why}.`);
  return real;
}

/** The file name of a receipt: `ferry-receipt-<completed time>-<job id>.json`, sortable by time. */
export function receiptFileName(receipt: Receipt): string {
  const when = (receipt.completedAt ?? receipt.queuedAt).replace(/[:.]/g, '-');
  return `ferry-receipt-${when}-${receipt.jobId}.json`;
}

/** Writes a receipt into `folder` (never over an existing file); returns the file's path. */
export async function writeReceiptFile(folder: string, receipt: Receipt): Promise<string> {
  const path = join(folder, receiptFileName(receipt));
  await writeFile(path, `${JSON.stringify(receipt, null, 2)}\n`, { flag: 'wx' });
  return path;
}
