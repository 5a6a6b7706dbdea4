// /v1/organizations
import { createRoute } from '@hono/zod-openapi';
import { fieldsOf } from '../audit.js';
import { CascadeQuery, OrganizationCreate, OrganizationPatch, OrganizationSchema, OrgParams, PageQuery, pageOf } from '../schemas.js';
import { E400, E401, E404, E409, E413, E415, E422, NO_CONTENT, body, json, pageBody, pageRequest, type RouteDeps } from './common.js';

const tags = ['organizations'];

export function organizationRoutes({ app, tenancy, audit }: RouteDeps): void {
  const t = tenancy.organizations;

  app.openapi(
    createRoute({ method: 'get', path: '/v1/organizations', tags, request: { query: PageQuery }, responses: { 200: json(pageOf(OrganizationSchema, 'OrganizationPage'), 'organizations by id'), ...E400, ...E401, ...E422 } }),
    async (c) => c.json(pageBody(await t.list(pageRequest(c.req.valid('query'))), (o) => o), 200),
  );

  app.openapi(
    createRoute({ method: 'post', path: '/v1/organizations', tags, request: { body: body(OrganizationCreate) }, responses: { 201: json(OrganizationSchema, 'created'), ...E400, ...E401, ...E409, ...E413, ...E415, ...E422 } }),
    async (c) => {
      const org = await t.create(c.req.valid('json'));
      audit(c, { action: 'organization.create', id: org.id, orgId: org.id });
      return c.json(org, 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/organizations/{orgId}', tags, request: { params: OrgParams }, responses: { 200: json(OrganizationSchema, 'the organization'), ...E401, ...E404 } }),
    async (c) => c.json(await t.get(c.req.valid('param').orgId), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch', path: '/v1/organizations/{orgId}', tags, request: { params: OrgParams, body: body(OrganizationPatch) },
      responses: { 200: json(OrganizationSchema, 'updated'), ...E400, ...E401, ...E404, ...E409, ...E413, ...E415, ...E422 },
    }),
    async (c) => {
      const patch = c.req.valid('json');
      const org = await t.update(c.req.valid('param').orgId, patch);
      audit(c, { action: 'organization.update', id: org.id, orgId: org.id, fields: fieldsOf(patch) });
      return c.json(org, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete', path: '/v1/organizations/{orgId}', tags, request: { params: OrgParams, query: CascadeQuery },
      responses: { ...NO_CONTENT, ...E400, ...E401, ...E404, ...E409 },
    }),
    async (c) => {
      const { orgId } = c.req.valid('param');
      const cascade = c.req.valid('query').cascade === 'true';
      await t.delete(orgId, { cascade });
      audit(c, { action: 'organization.delete', id: orgId, orgId, cascade });
      return c.body(null, 204);
    },
  );
}
