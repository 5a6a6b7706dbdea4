// Errors of the domain. Adapters translate their own failures (ENOENT, NoSuchKey,
// ConditionalCheckFailed...) into these, and each front end maps them to its wire
// status in one place (SFTP statuses in src/sftp/status.ts, HTTP in src/admin).

export type CoreErrorCode =
  | 'not_found'
  | 'already_exists'
  | 'permission_denied'
  | 'not_empty'
  | 'not_a_directory'
  | 'is_a_directory'
  | 'invalid_argument'
  | 'unsupported'
  | 'conflict'
  | 'limit_exceeded'
  | 'unavailable'
  | 'failure';

export class CoreError extends Error {
  readonly code: CoreErrorCode;
  constructor(code: CoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoreError';
    this.code = code;
  }
}

export const isCoreError = (err: unknown, code?: CoreErrorCode): err is CoreError =>
  err instanceof CoreError && (code === undefined || err.code === code);

export const notFound = (what: string) => new CoreError('not_found', `${what} not found`);
export const alreadyExists = (what: string) => new CoreError('already_exists', `${what} already exists`);
export const permissionDenied = (message: string) => new CoreError('permission_denied', message);
export const notEmpty = (what: string) => new CoreError('not_empty', `${what} is not empty`);
export const notADirectory = (what: string) => new CoreError('not_a_directory', `${what} is not a directory`);
export const isADirectory = (what: string) => new CoreError('is_a_directory', `${what} is a directory`);
export const invalidArgument = (message: string) => new CoreError('invalid_argument', message);
export const unsupported = (message: string) => new CoreError('unsupported', message);
export const conflict = (message: string) => new CoreError('conflict', message);
export const limitExceeded = (message: string) => new CoreError('limit_exceeded', message);
export const unavailable = (message: string, cause?: unknown) => new CoreError('unavailable', message, { cause });
export const failure = (message: string, cause?: unknown) => new CoreError('failure', message, { cause });
