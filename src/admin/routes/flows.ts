// /v1/organizations/{orgId}/flows and /v1/flows/{flowId}
import { createRoute } from '@hono/zod-openapi';
import { fieldsOf } from '../audit.js';
import { CascadeQuery, FlowCreate, FlowParams, FlowPatch, FlowSchema, OrgParams, PageQuery, pageOf } from '../schemas.js';
import { E400, E401, E404, E409, E413, E415, E422, NO_CONTENT, body, json, pageBody, pageRequest, type RouteDeps } from './common.js';

const tags = ['flows'];

export function flowRoutes({ app, tenancy, audit }: RouteDeps): void {
  const t = tenancy.flows;

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/organizations/{orgId}/flows', tags, request: { params: OrgParams, query: PageQuery },
      responses: { 200: json(pageOf(FlowSchema, 'FlowPage'), 'flows of the organization by id'), ...E400, ...E401, ...E404, ...E422 },
    }),
    async (c) => c.json(pageBody(await t.listByOrg(c.req.valid('param').orgId, pageRequest(c.req.valid('query'))), (f) => f), 200),
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/organizations/{orgId}/flows', tags, request: { params: OrgParams, body: body(FlowCreate) },
      responses: { 201: json(FlowSchema, 'created, with the ids of its flow endpoints'), ...E400, ...E401, ...E404, ...E409, ...E413, ...E415, ...E422 },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const flow = await t.create(c.req.valid('param').orgId, input);
      audit(c, { action: 'flow.create', id: flow.id, orgId: flow.orgId, fields: fieldsOf(input) });
      return c.json(flow, 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/flows/{flowId}', tags, request: { params: FlowParams }, responses: { 200: json(FlowSchema, 'the flow'), ...E401, ...E404 } }),
    async (c) => c.json(await t.get(c.req.valid('param').flowId), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch', path: '/v1/flows/{flowId}', tags, request: { params: FlowParams, body: body(FlowPatch) },
      responses: { 200: json(FlowSchema, 'updated'), ...E400, ...E401, ...E404, ...E409, ...E413, ...E415, ...E422 },
    }),
    async (c) => {
      const patch = c.req.valid('json');
      const flow = await t.update(c.req.valid('param').flowId, patch);
      audit(c, { action: 'flow.update', id: flow.id, orgId: flow.orgId, fields: fieldsOf(patch) });
      return c.json(flow, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete', path: '/v1/flows/{flowId}', tags, request: { params: FlowParams, query: CascadeQuery },
      responses: { ...NO_CONTENT, ...E400, ...E401, ...E404, ...E409 },
    }),
    async (c) => {
      const { flowId } = c.req.valid('param');
      const cascade = c.req.valid('query').cascade === 'true';
      const { orgId } = await t.get(flowId);
      await t.delete(flowId, { cascade });
      audit(c, { action: 'flow.delete', id: flowId, orgId, cascade });
      return c.body(null, 204);
    },
  );
}
