/** `ferry limit RATE|off`: changes the bandwidth limit of the running ferry upload, run or serve, at once. */
import { sendLimit } from '../../engine/control.ts';
import { FerryError } from '../../../shared/errors.ts';
import { formatBytes } from '../../../shared/partPlan.ts';
import { parseRate } from '../../../shared/uploadOptions.ts';
import type { Context } from '../context.ts';
import { EXIT, UsageError, line } from '../output.ts';

export async function limit(ctx: Context, rate: string): Promise<number> {
  const bytesPerSecond = rate.toLowerCase() === 'off' ? null : parseRate(rate);
  if (bytesPerSecond === null && rate.toLowerCase() !== 'off')
    throw new UsageError(`The limit must be a rate such as 10MiB/s or 500KB/s, or off, not "${rate}".`);
  try {
    await sendLimit(ctx.dataDir, bytesPerSecond);
  } catch (error) {
    if (error instanceof FerryError && error.code === 'ENGINE_LOCKED') {
      throw new FerryError(
        'ENGINE_LOCKED',
        'No running Ferry process owns this data directory: give the limit to the upload itself (ferry upload|run --bwlimit RATE).',
      );
    }
    throw error;
  }
  line(
    ctx.io.stdout,
    bytesPerSecond === null
      ? 'Bandwidth limit lifted.'
      : `Bandwidth limit set to ${formatBytes(bytesPerSecond)}/s in the running Ferry process.`,
  );
  return EXIT.ok;
}
