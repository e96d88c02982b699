/** `ferry receipt JOB_ID [--json]`: the receipt of a completed upload (shared/receipt.ts). */
import { compositeEtag } from '../../engine/uploader.ts';
import { JobStore } from '../../store/jobStore.ts';
import { FerryError } from '../../../shared/errors.ts';
import { findJobs } from '../../../shared/job.ts';
import { buildReceipt, formatReceipt } from '../../../shared/receipt.ts';
import { openRegistry, type Context } from '../context.ts';
import { EXIT, line } from '../output.ts';

export async function receipt(ctx: Context, id: string, options: { json?: boolean }): Promise<number> {
  const registry = openRegistry(ctx);
  const store = JobStore.open(ctx.dataDir);
  try {
    const [job] = findJobs(store.loadJobs(), [id]);
    if (job!.state !== 'completed') {
      throw new FerryError('INVALID_INPUT', `Job ${job!.id.slice(0, 8)} is ${job!.state}: only a completed upload has a receipt.`);
    }
    const endpointName = registry.list().find((endpoint) => endpoint.id === job!.endpointId)?.name ?? job!.endpointId;
    const built = buildReceipt(job!, store.loadParts(job!.id), endpointName, compositeEtag, store.versionId(job!.id));
    line(ctx.io.stdout, options.json ? JSON.stringify(built, null, 2) : formatReceipt(built));
    return EXIT.ok;
  } finally {
    store.close();
    registry.close();
  }
}
