// The admin API as an API Gateway HTTP API (payload 2.0) Lambda handler. API Gateway's
// IAM authorization has already authenticated the caller; the audit log records the IAM
// principal it passes in the request context. The runtime composition (which Directory,
// which retry) is the caller's: `createAdminHandler(deps)` in the Lambda module.
// The console's routes reach this Lambda without authorization, so an API call without
// an IAM principal is refused here: a path such as /console/%2e%2e/v1/... that API
// Gateway routes as a console file becomes /v1/... once parsed as a URL.
import { handle, type LambdaEvent } from 'hono/aws-lambda';
import type { MiddlewareHandler } from 'hono';
import { createAdminApp, type AdminDeps } from './app.js';
import type { AdminEnv } from './env.js';
import { errorResponse } from './errors.js';

interface IamRequestContext {
  authorizer?: { iam?: { userArn?: string; userId?: string; callerId?: string } };
}

/** The IAM principal of an API Gateway request, as the audit actor. */
export const iamActor: MiddlewareHandler<AdminEnv> = async (c, next) => {
  // hono/aws-lambda passes the API Gateway event as c.env.event.
  const env = c.env as { event?: LambdaEvent & { requestContext?: IamRequestContext } } | undefined;
  const context = env?.event?.requestContext;
  const iam = context?.authorizer?.iam;
  if (!iam) return errorResponse(c, 403, 'permission_denied', 'the admin API wants requests signed with SigV4 (API Gateway IAM authorization)');
  c.set('actor', iam.userArn ?? iam.userId ?? iam.callerId ?? 'iam:unknown');
  await next();
};

export function createAdminHandler(deps: Omit<AdminDeps, 'auth'> & { auth?: AdminDeps['auth'] }) {
  return handle(createAdminApp({ ...deps, auth: deps.auth ?? iamActor }));
}
