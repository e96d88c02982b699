/**
 * Ferry's named errors: a small closed set of codes that every layer shares. The engine throws
 * `FerryError` subclasses; hosts (CLI, window) show `message` and map `code` to actions.
 * An error crossing a boundary (IPC, JSON) travels as {@link ErrorInfo}.
 */

/** Every error code the user can meet, with whether trying again may help. */
export const ERROR_CODES = {
  FILE_NOT_FOUND: { retryable: false },
  FILE_UNREADABLE: { retryable: false },
  FILE_CHANGED: { retryable: false },
  FILE_NOT_AVAILABLE: { retryable: true },
  FILE_TOO_LARGE: { retryable: false },
  NOT_A_FILE: { retryable: false },
  INVALID_INPUT: { retryable: false },
  INVALID_KEY: { retryable: false },
  ENDPOINT_NOT_FOUND: { retryable: false },
  AUTH_INVALID_KEY_ID: { retryable: false },
  AUTH_BAD_SECRET: { retryable: false },
  ACCESS_DENIED: { retryable: false },
  NO_SUCH_BUCKET: { retryable: false },
  WRONG_REGION: { retryable: false },
  CLOCK_SKEW: { retryable: true },
  ENDPOINT_UNREACHABLE: { retryable: true },
  TLS_ERROR: { retryable: false },
  TIMEOUT: { retryable: true },
  THROTTLED: { retryable: true },
  SERVER_ERROR: { retryable: true },
  INTEGRITY_MISMATCH: { retryable: false },
  UPLOAD_GONE: { retryable: true },
  REQUEST_REJECTED: { retryable: false },
  ENGINE_LOCKED: { retryable: false },
  HOST_DISCONNECTED: { retryable: true },
  STORE_ERROR: { retryable: false },
  INVALID_TRANSITION: { retryable: false },
  JOB_NOT_FOUND: { retryable: false },
  OBJECT_EXISTS: { retryable: false },
  UNKNOWN: { retryable: false },
} as const satisfies Record<string, { retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The serialisable form of an error: what crosses IPC, JSON output and the store. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** Base of every error Ferry raises on purpose. `message` is written for the user. */
export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FerryError';
    this.code = code;
    this.retryable = options?.retryable ?? ERROR_CODES[code].retryable;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

/** The local file is no longer the one the upload started with (size, mtime or inode differ). */
export class FileChangedError extends FerryError {
  constructor(path: string, what: string) {
    super('FILE_CHANGED', `The file changed since the upload started (${what}): ${path}. Start a new upload of the file as it is now.`);
    this.name = 'FileChangedError';
  }
}

/** The server's view of the object does not match what was sent. */
export class IntegrityError extends FerryError {
  constructor(message: string) {
    super('INTEGRITY_MISMATCH', message);
    this.name = 'IntegrityError';
  }
}

/** A job lifecycle event that the state machine does not allow from the job's current state. */
export class InvalidTransitionError extends FerryError {
  readonly from: string;
  readonly event: string;

  constructor(from: string, event: string) {
    super('INVALID_TRANSITION', `Cannot ${event} a job that is ${from}.`);
    this.name = 'InvalidTransitionError';
    this.from = from;
    this.event = event;
  }
}

/** Another engine owns the data directory. */
export class EngineLockedError extends FerryError {
  constructor(message: string) {
    super('ENGINE_LOCKED', message);
    this.name = 'EngineLockedError';
  }
}

/** Turns anything thrown into an ErrorInfo fit to show; unknown errors keep their message only. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof FerryError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'UNKNOWN', message: message || 'Unexpected error.', retryable: false };
}

/** Makes a switch exhaustive: the compiler rejects a call with a value that is not `never`. */
export function missingCase(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
