// /v1/flows/{flowId}/transfers, /v1/transfers/{transferId} and its retry (the
// pipeline's, injected into the tenancy services).
import { createRoute } from '@hono/zod-openapi';
import { transferView } from '../../core/tenancy/transfers.js';
import { FlowParams, PageQuery, TransferParams, TransferSchema, pageOf } from '../schemas.js';
import { E400, E401, E404, E409, E422, json, pageBody, pageRequest, type RouteDeps } from './common.js';

const tags = ['transfers'];

export function transferRoutes({ app, tenancy, audit }: RouteDeps): void {
  const t = tenancy.transfers;

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/flows/{flowId}/transfers', tags, request: { params: FlowParams, query: PageQuery },
      responses: { 200: json(pageOf(TransferSchema, 'TransferPage'), 'transfers of the flow, newest first'), ...E400, ...E401, ...E404, ...E422 },
    }),
    async (c) => c.json(pageBody(await t.listByFlow(c.req.valid('param').flowId, pageRequest(c.req.valid('query'))), transferView), 200),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/transfers/{transferId}', tags, request: { params: TransferParams }, responses: { 200: json(TransferSchema, 'the transfer'), ...E401, ...E404 } }),
    async (c) => c.json(transferView(await t.get(c.req.valid('param').transferId)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/transfers/{transferId}/retry', tags, request: { params: TransferParams },
      responses: { 200: json(TransferSchema, 'dead deliveries queued again'), ...E401, ...E404, ...E409 },
    }),
    async (c) => {
      const { transferId } = c.req.valid('param');
      const transfer = await t.retry(transferId);
      audit(c, { action: 'transfer.retry', id: transferId, orgId: transfer.orgId, detail: { flowId: transfer.flowId } });
      return c.json(transferView(transfer), 200);
    },
  );
}
