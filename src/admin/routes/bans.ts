// /v1/bans: client addresses the brute-force defence has banned, and lifting a ban.
import { createRoute } from '@hono/zod-openapi';
import type { BruteForceGuard } from '../../core/brute-force.js';
import type { Ban } from '../../core/model.js';
import { BanParams, BanSchema, PageQuery, pageOf } from '../schemas.js';
import { E400, E401, E404, E422, NO_CONTENT, json, pageBody, pageRequest, type RouteDeps } from './common.js';

const tags = ['bans'];

const banView = ({ ip, bannedAt, until, offences, score }: Ban) => ({ ip, bannedAt, until, offences, score });

export function banRoutes({ app, audit }: RouteDeps, guard: BruteForceGuard): void {
  app.openapi(
    createRoute({
      method: 'get', path: '/v1/bans', tags, request: { query: PageQuery },
      responses: { 200: json(pageOf(BanSchema, 'BanPage'), 'bans in force, soonest to end first'), ...E400, ...E401, ...E422 },
    }),
    async (c) => c.json(pageBody(await guard.list(pageRequest(c.req.valid('query'))), banView), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete', path: '/v1/bans/{ip}', tags, request: { params: BanParams },
      responses: { ...NO_CONTENT, ...E401, 404: E404[404], 422: E422[422] },
    }),
    async (c) => {
      const { ip } = c.req.valid('param');
      await guard.lift(ip);
      audit(c, { action: 'ban.lift', id: ip });
      return c.body(null, 204);
    },
  );
}
