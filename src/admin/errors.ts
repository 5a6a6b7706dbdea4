// Every error the admin API answers, in one place: core errors by code, request
// validation failures, malformed JSON, and anything unexpected (500, logged, no detail).
// The body is always {"error": {"code", "message"}}.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { Logger } from 'pino';
import { CoreError, type CoreErrorCode } from '../core/errors.js';

const STATUS_BY_CODE: Record<CoreErrorCode, ContentfulStatusCode> = {
  invalid_argument: 422,
  not_a_directory: 422,
  is_a_directory: 422,
  unsupported: 422,
  limit_exceeded: 422,
  not_found: 404,
  permission_denied: 403,
  already_exists: 409,
  not_empty: 409,
  conflict: 409,
  unavailable: 503,
  failure: 500,
};

export const errorBody = (code: string, message: string) => ({ error: { code, message } });

export const errorResponse = (c: Context, status: ContentfulStatusCode, code: string, message: string) => c.json(errorBody(code, message), status);

/** The 400 for a request that does not fit its schema: the first problem, with where it is. */
export function validationFailure(c: Context, target: string, error: ZodError): Response {
  const issue = error.issues[0];
  if (!issue) return errorResponse(c, 400, 'invalid_request', `invalid ${target}`);
  const where = [target === 'json' ? 'body' : target, ...issue.path.map(String)].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  if (issue.code === 'unrecognized_keys') return errorResponse(c, 400, 'unknown_field', `${where}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`);
  if (issue.code === 'invalid_type') return errorResponse(c, 400, 'wrong_type', `${where}: ${issue.message}`);
  return errorResponse(c, 400, 'invalid_request', `${where}: ${issue.message}`);
}

export function handleError(err: unknown, c: Context, logger: Logger): Response {
  if (err instanceof CoreError) return errorResponse(c, STATUS_BY_CODE[err.code], err.code, err.message);
  if (err instanceof HTTPException) {
    // Thrown by hono's JSON validator and by @hono/zod-openapi's content-type check.
    if (err.status === 400) return errorResponse(c, 400, 'malformed_json', 'the request body is not valid JSON');
    if (err.status === 415) return errorResponse(c, 415, 'unsupported_media_type', 'send the body as JSON with Content-Type: application/json');
    return errorResponse(c, err.status, 'http_error', err.message);
  }
  logger.error({ err, method: c.req.method, path: c.req.path }, 'admin API request failed');
  return errorResponse(c, 500, 'internal', 'internal error');
}
