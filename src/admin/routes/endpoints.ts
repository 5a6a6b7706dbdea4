// /v1/organizations/{orgId}/endpoints and /v1/endpoints/{endpointId}
import { createRoute } from '@hono/zod-openapi';
import { fieldsOf } from '../audit.js';
import { CascadeQuery, EndpointCreate, EndpointParams, EndpointPatch, EndpointSchema, OrgParams, PageQuery, pageOf } from '../schemas.js';
import { E400, E401, E404, E409, E413, E415, E422, NO_CONTENT, body, json, pageBody, pageRequest, type RouteDeps } from './common.js';

const tags = ['endpoints'];

export function endpointRoutes({ app, tenancy, audit }: RouteDeps): void {
  const t = tenancy.endpoints;
  const view = t.view.bind(t);

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/organizations/{orgId}/endpoints', tags, request: { params: OrgParams, query: PageQuery },
      responses: { 200: json(pageOf(EndpointSchema, 'EndpointPage'), 'endpoints of the organization by id'), ...E400, ...E401, ...E404, ...E422 },
    }),
    async (c) => c.json(pageBody(await t.listByOrg(c.req.valid('param').orgId, pageRequest(c.req.valid('query'))), view), 200),
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/organizations/{orgId}/endpoints', tags, request: { params: OrgParams, body: body(EndpointCreate) },
      responses: { 201: json(EndpointSchema, 'created'), ...E400, ...E401, ...E404, ...E409, ...E413, ...E415, ...E422 },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const endpoint = await t.create(c.req.valid('param').orgId, input);
      audit(c, { action: 'endpoint.create', id: endpoint.id, orgId: endpoint.orgId, fields: fieldsOf(input), detail: { type: endpoint.type } });
      return c.json(view(endpoint), 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/endpoints/{endpointId}', tags, request: { params: EndpointParams }, responses: { 200: json(EndpointSchema, 'the endpoint'), ...E401, ...E404 } }),
    async (c) => c.json(view(await t.get(c.req.valid('param').endpointId)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch', path: '/v1/endpoints/{endpointId}', tags, request: { params: EndpointParams, body: body(EndpointPatch) },
      responses: { 200: json(EndpointSchema, 'updated'), ...E400, ...E401, ...E404, ...E409, ...E413, ...E415, ...E422 },
    }),
    async (c) => {
      const patch = c.req.valid('json');
      const endpoint = await t.update(c.req.valid('param').endpointId, patch);
      const fields = [...fieldsOf(patch).filter((f) => f !== 'config'), ...(patch.config ? fieldsOf(patch.config).map((f) => `config.${f}`) : [])];
      audit(c, { action: 'endpoint.update', id: endpoint.id, orgId: endpoint.orgId, fields });
      return c.json(view(endpoint), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete', path: '/v1/endpoints/{endpointId}', tags, request: { params: EndpointParams, query: CascadeQuery },
      responses: { ...NO_CONTENT, ...E400, ...E401, ...E404, ...E409 },
    }),
    async (c) => {
      const { endpointId } = c.req.valid('param');
      const cascade = c.req.valid('query').cascade === 'true';
      const { orgId } = await t.get(endpointId);
      await t.delete(endpointId, { cascade });
      audit(c, { action: 'endpoint.delete', id: endpointId, orgId, cascade });
      return c.body(null, 204);
    },
  );
}
