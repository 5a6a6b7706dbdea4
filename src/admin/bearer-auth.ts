// Bearer-token authentication for the local admin API (on AWS, API Gateway's IAM
// authorization stands in front instead). Constant-time comparison of digests, so
// neither the token's content nor its length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AdminEnv } from './env.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The actor recorded in the audit log for requests made with the local token. */
export const TOKEN_ACTOR = 'admin-token';

export function bearerAuth(token: string): MiddlewareHandler<AdminEnv> {
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="thru-sftp"');
      return c.json({ error: { code: 'unauthorized', message: 'a valid admin token is required: Authorization: Bearer <token>' } }, 401);
    }
    c.set('actor', TOKEN_ACTOR);
    await next();
  };
}
