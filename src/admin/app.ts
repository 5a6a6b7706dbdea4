// The admin API router (SPEC §5). One Hono app serves Node's HTTP server locally and
// the API Gateway Lambda on AWS; `auth` is the runtime's authentication middleware.
import { Hono, type MiddlewareHandler } from 'hono';
import type { Directory } from '../core/ports/directory.js';

export interface AdminDeps {
  directory: Directory;
  /** Runtime-specific authentication (bearer token locally, none behind IAM). */
  auth?: MiddlewareHandler;
}

export function createAdminApp(deps: AdminDeps): Hono {
  const app = new Hono();
  app.get('/v1/health', (c) => c.json({ status: 'ok' }));
  if (deps.auth) app.use('/v1/*', deps.auth);
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404));
  return app;
}
