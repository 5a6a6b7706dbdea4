// S3 failures to core errors, once for the adapter (as fs-errors.ts does for errno).
// Messages reach SFTP clients: they never name a bucket, a key or a credential.
import { CoreError } from '../../core/errors.js';

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchUpload']);
const CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidAccessKeyId', 'InvalidToken', 'SignatureDoesNotMatch', 'TokenRefreshRequired', 'CredentialsProviderError']);
const BUSY = new Set([
  'SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
  'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'BandwidthLimitExceeded', 'RequestTimeTooSkewed',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

const nameOf = (err: unknown) => (err as SdkError | undefined)?.name;
const statusOf = (err: unknown) => (err as SdkError | undefined)?.$metadata?.httpStatusCode;

export const isNotFound = (err: unknown): boolean => NOT_FOUND.has(nameOf(err) ?? '') || statusOf(err) === 404;

/** The store does not implement the operation (s3rver: UploadPartCopy answers 501). */
export const isNotImplemented = (err: unknown): boolean => nameOf(err) === 'NotImplemented' || statusOf(err) === 501;

export const isInvalidRange = (err: unknown): boolean => nameOf(err) === 'InvalidRange' || statusOf(err) === 416;

export function fromS3Error(err: unknown): CoreError {
  if (err instanceof CoreError) return err;
  const name = nameOf(err) ?? '';
  const status = statusOf(err);
  const make = (code: CoreError['code'], message: string) => new CoreError(code, message, { cause: err });
  if (isNotFound(err)) return make('not_found', 'no such file or folder');
  if (CREDENTIALS.has(name)) return make('unavailable', 'the storage refused the server; try again later');
  if (name === 'AccessDenied' || status === 403) return make('permission_denied', 'permission denied by the storage');
  if (name === 'PreconditionFailed' || status === 412) return make('conflict', 'the file changed meanwhile; try again');
  if (name === 'EntityTooLarge') return make('limit_exceeded', 'file too large for the storage');
  if (name === 'AbortError') return make('failure', 'the transfer was cancelled');
  if (BUSY.has(name) || (status !== undefined && status >= 500) || NETWORK.has((err as SdkError).code ?? '')) {
    return make('unavailable', 'the storage is busy or unreachable; try again');
  }
  return make('failure', 'storage error');
}
