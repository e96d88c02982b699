/**
 * Ferry's named errors: a small closed set of codes that every layer shares. The engine throws
 * `FerryError` subclasses; hosts (CLI, window) show `message` and map `code` to actions.
 * An error crossing a boundary (IPC, JSON) travels as {@link ErrorInfo}.
 */

/**
 * Every error code the user can meet, with two answers that differ:
 *   retryable  the same request may succeed if sent again (request-level retry, retry.ts; nothing else);
 *   retryAsIs  the job may succeed if retried as it is (FILE_CHANGED: no, it must start over from the
 *              file as it is now; UPLOAD_GONE: yes, a retry starts a new upload by itself).
 */
export const ERROR_CODES = {
  FILE_NOT_FOUND: { retryable: false, retryAsIs: true },
  FILE_UNREADABLE: { retryable: false, retryAsIs: true },
  FILE_CHANGED: { retryable: false, retryAsIs: false },
  FILE_NOT_AVAILABLE: { retryable: true, retryAsIs: true },
  FILE_TOO_LARGE: { retryable: false, retryAsIs: false },
  NOT_A_FILE: { retryable: false, retryAsIs: false },
  INVALID_INPUT: { retryable: false, retryAsIs: false },
  INVALID_KEY: { retryable: false, retryAsIs: false },
  ENDPOINT_NOT_FOUND: { retryable: false, retryAsIs: true },
  AUTH_INVALID_KEY_ID: { retryable: false, retryAsIs: true },
  AUTH_BAD_SECRET: { retryable: false, retryAsIs: true },
  ACCESS_DENIED: { retryable: false, retryAsIs: true },
  NO_SUCH_BUCKET: { retryable: false, retryAsIs: true },
  WRONG_REGION: { retryable: false, retryAsIs: true },
  CLOCK_SKEW: { retryable: true, retryAsIs: true },
  ENDPOINT_UNREACHABLE: { retryable: true, retryAsIs: true },
  TLS_ERROR: { retryable: false, retryAsIs: true },
  TIMEOUT: { retryable: true, retryAsIs: true },
  THROTTLED: { retryable: true, retryAsIs: true },
  SERVER_ERROR: { retryable: true, retryAsIs: true },
  INTEGRITY_MISMATCH: { retryable: false, retryAsIs: true },
  UPLOAD_GONE: { retryable: false, retryAsIs: true },
  /** The disk holding Ferry's data directory is full: jobs pause until space is freed. */
  DISK_FULL: { retryable: true, retryAsIs: true },
  JOB_CONFLICT: { retryable: false, retryAsIs: false },
  REQUEST_REJECTED: { retryable: false, retryAsIs: true },
  ENGINE_LOCKED: { retryable: false, retryAsIs: true },
  HOST_DISCONNECTED: { retryable: true, retryAsIs: true },
  STORE_ERROR: { retryable: false, retryAsIs: true },
  INVALID_TRANSITION: { retryable: false, retryAsIs: false },
  JOB_NOT_FOUND: { retryable: false, retryAsIs: false },
  UNKNOWN: { retryable: false, retryAsIs: true },
  /** The browser host does not read this path (main/host/pathPolicy.ts). */
  PATH_REFUSED: { retryable: false, retryAsIs: false },
  OBJECT_EXISTS: { retryable: false, retryAsIs: false },
  /**
   * The key exists and the job's if-exists is `ask` (the window's default): the job waits, paused,
   * until the person answers Replace, Skip or Keep both (shared/existsAnswer.ts).
   */
  ANSWER_NEEDED: { retryable: false, retryAsIs: true },
  /** "Upload changes only": the object is no longer the one Ferry uploaded, so nothing is copied from it (issue #15). */
  OBJECT_CHANGED: { retryable: false, retryAsIs: true },
} as const satisfies Record<string, { retryable: boolean; retryAsIs: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The serialisable form of an error: what crosses IPC, JSON output and the store. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  /** Set when a job cannot be retried as it is and must start over ("upload again from the start"). */
  restart?: true;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** Base of every error Ferry raises on purpose. `message` is written for the user. */
export class FerryError extends Error {
  readonly code: ErrorCode;
  /** Sending the same request again may help (request-level retry only). */
  readonly retryable: boolean;
  /** Retrying the job as it is may help; if not, it must start over ("upload again from the start"). */
  readonly retryAsIs: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean; retryAsIs?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FerryError';
    this.code = code;
    this.retryable = options?.retryable ?? ERROR_CODES[code].retryable;
    this.retryAsIs = options?.retryAsIs ?? ERROR_CODES[code].retryAsIs;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, retryable: this.retryable, ...(this.retryAsIs ? {} : { restart: true as const }) };
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
