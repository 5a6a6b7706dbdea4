// DynamoDB failures as core errors, at the adapter's edge. Conditional-check failures
// never get here: the table helper turns them into a `false` its callers decide on.
import { CoreError, failure, unavailable } from '../../core/errors.js';

/** Worth trying again later: throttling once the SDK's own retries are spent, outages, network. */
const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'AbortError',
]);
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

interface AwsError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
}

export function fromDynamo(err: unknown, operation: string): CoreError {
  if (err instanceof CoreError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsError;
  const name = e.name ?? 'Error';
  const what = `DynamoDB ${operation}: ${name}${e.message ? `: ${e.message}` : ''}`;
  if (TRANSIENT.has(name) || (e.code !== undefined && NETWORK.has(e.code)) || e.$fault === 'server') return unavailable(what, err);
  if (name === 'ItemCollectionSizeLimitExceededException' || (name === 'ValidationException' && /size/i.test(e.message ?? ''))) {
    return new CoreError('limit_exceeded', what, { cause: err });
  }
  if (name === 'ValidationException') return new CoreError('invalid_argument', what, { cause: err });
  return failure(what, err);
}
