/** The CLI's output conventions: one-line errors on stderr, aligned tables, durations and ages in words. */
import { FerryError } from '../../shared/errors.ts';

/** Exit codes of the `ferry` command (the CLI contract). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Raised by a command for a usage or input problem: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => void };
  env: NodeJS.ProcessEnv;
}

export function line(stream: NodeJS.WritableStream, text: string): void {
  stream.write(`${text}\n`);
}

/**
 * Codes that mean the input cannot work (exit 2): bad paths, names, keys, and an endpoint that is
 * unreachable or refuses the credentials. A failed upload is reported by the job summary (exit 1).
 */
const INPUT_CODES = new Set([
  'FILE_NOT_FOUND',
  'FILE_UNREADABLE',
  'NOT_A_FILE',
  'FILE_TOO_LARGE',
  'INVALID_INPUT',
  'INVALID_KEY',
  'ENDPOINT_NOT_FOUND',
  'ENGINE_LOCKED',
  // the owner of the data directory refused a path handed to it (issue #13): nothing was queued
  'PATH_REFUSED',
  'JOB_NOT_FOUND',
  'INVALID_TRANSITION',
  'JOB_CONFLICT',
  'STORE_ERROR',
  'AUTH_INVALID_KEY_ID',
  'AUTH_BAD_SECRET',
  'ACCESS_DENIED',
  'NO_SUCH_BUCKET',
  'WRONG_REGION',
  'ENDPOINT_UNREACHABLE',
  'TLS_ERROR',
  'CLOCK_SKEW',
]);

/** Prints an error as one line (no stack trace unless FERRY_DEBUG=1) and returns the exit code it means. */
export function reportError(io: Io, error: unknown): number {
  if (io.env.FERRY_DEBUG === '1' && error instanceof Error) line(io.stderr, error.stack ?? String(error));
  if (error instanceof UsageError) {
    line(io.stderr, `ferry: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof FerryError) {
    line(io.stderr, `ferry: ${error.message}`);
    return INPUT_CODES.has(error.code) ? EXIT.usage : EXIT.failed;
  }
  const message = error instanceof Error ? error.message : String(error);
  line(io.stderr, `ferry: unexpected error: ${message} (set FERRY_DEBUG=1 for details)`);
  return EXIT.failed;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
