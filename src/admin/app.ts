// The admin API router (SPEC §5). One app serves Node's HTTP server locally and the API
// Gateway Lambda on AWS (lambda.ts); `auth` is the runtime's authentication middleware.
// GET /v1/health and GET /v1/openapi.json answer without authentication.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';
import { BruteForceGuard } from '../core/brute-force.js';
import { CoreError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/ports/clock.js';
import type { Directory } from '../core/ports/directory.js';
import { createTenancy, type RetryTransfer, type SftpAccess } from '../core/tenancy/index.js';
import { auditLog } from './audit.js';
import { consoleRoutes, type ConsoleAssets, type ConsoleSignIn } from './console.js';
import type { AdminEnv } from './env.js';
import { errorResponse, handleError, validationFailure } from './errors.js';
import { banRoutes } from './routes/bans.js';
import { endpointRoutes } from './routes/endpoints.js';
import { flowRoutes } from './routes/flows.js';
import { organizationRoutes } from './routes/organizations.js';
import { transferRoutes } from './routes/transfers.js';
import { userRoutes } from './routes/users.js';
import { json } from './routes/common.js';

/** Bodies are small JSON documents; a user with 50 large RSA keys fits. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AdminDeps {
  directory: Directory;
  logger: Logger;
  /** Where partners connect; shown on thru-sftp-server endpoints. */
  sftp: SftpAccess;
  /** Queues a transfer's dead deliveries again; conflict when none is dead. The pipeline provides it. */
  retryTransfer: RetryTransfer;
  /** Authenticates and sets the `actor` variable (bearer token locally, IAM principal on AWS). */
  auth: MiddlewareHandler<AdminEnv>;
  clock?: Clock;
  maxBodyBytes?: number;
  /** Lists and lifts bans; by default one on `directory` (listing and lifting need no policy). */
  bruteForce?: BruteForceGuard;
  /** The built web console, served under /console/; absent: no console. */
  console?: ConsoleAssets;
  /** How the console signs in: the admin token (default) or SigV4 when IAM guards the API. */
  consoleSignIn?: ConsoleSignIn;
  /**
   * Makes the directory's writes so far survive a power loss; a change is answered only
   * after it. Absent where a write is durable once acknowledged (DynamoDB).
   */
  syncWrites?: () => Promise<void>;
  /** What keeps the service from doing its work, if anything: GET /v1/health answers 503 with it. */
  problem?: () => string | undefined;
}

export function createAdminApp(deps: AdminDeps): OpenAPIHono<AdminEnv> {
  const clock = deps.clock ?? systemClock;
  const app = new OpenAPIHono<AdminEnv>({
    defaultHook: (result, c) => (result.success ? undefined : validationFailure(c, result.target, result.error)),
  });
  app.onError((err, c) => handleError(err, c, deps.logger));
  app.notFound((c) => errorResponse(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}`));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'Locally: THRU_ADMIN_TOKEN (or the token in data/admin-token). On AWS, API Gateway IAM authorization (SigV4) stands in front instead.',
  });
  app.doc('/v1/openapi.json', {
    openapi: '3.0.3',
    info: { title: 'thru-sftp admin API', version: '1', description: 'Organizations, endpoints, flows, partner users, transfers and bans. Errors are {"error": {"code", "message"}}.' },
    security: [{ bearerAuth: [] }],
  });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/health',
      tags: ['service'],
      security: [],
      responses: {
        200: json(z.object({ status: z.literal('ok') }), 'the service is up'),
        503: json(z.object({ status: z.literal('failing'), problem: z.string() }), 'the service runs but cannot do its work (e.g. its disk failed a sync); restart it once the problem is fixed'),
      },
    }),
    (c) => {
      const problem = deps.problem?.();
      return problem ? c.json({ status: 'failing' as const, problem }, 503) : c.json({ status: 'ok' as const }, 200);
    },
  );

  if (deps.console) consoleRoutes(app, deps.console, deps.consoleSignIn);

  // Authentication before reading any body; then the size limit.
  app.use('/v1/*', deps.auth);
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      onError: (c) => {
        // The rest of the body is left unread: close the connection so that no client
        // reuses a socket the server is about to drop.
        c.header('Connection', 'close');
        return errorResponse(c, 413, 'payload_too_large', `the body is limited to ${deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  const syncWrites = deps.syncWrites;
  if (syncWrites) {
    app.use('/v1/*', async (c, next) => {
      await next();
      if (READS.has(c.req.method) || c.res.status >= 400) return;
      try {
        await syncWrites();
      } catch (err) {
        deps.logger.error({ err, method: c.req.method, path: c.req.path }, 'cannot sync an admin change to disk');
        throw new CoreError('failure', 'the change is saved but syncing it to disk failed, so a power loss could undo it; check the disk, then read the resource again');
      }
    });
  }

  const routeDeps = {
    app,
    tenancy: createTenancy({ directory: deps.directory, clock, sftp: deps.sftp, retryTransfer: deps.retryTransfer }),
    audit: auditLog(deps.logger, clock),
  };
  organizationRoutes(routeDeps);
  endpointRoutes(routeDeps);
  flowRoutes(routeDeps);
  userRoutes(routeDeps);
  transferRoutes(routeDeps);
  banRoutes(routeDeps, deps.bruteForce ?? new BruteForceGuard(deps.directory, clock));
  return app;
}
