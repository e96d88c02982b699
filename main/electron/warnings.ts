/**
 * Imported first by main.ts, so that it runs before node:sqlite loads: node:sqlite prints an
 * ExperimentalWarning that is not the user's concern (bin/ferry.js does the same for the CLI).
 */
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const options = rest[0];
  const type = typeof options === 'string' ? options : (options as { type?: string } | undefined)?.type;
  if (type === 'ExperimentalWarning') return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
