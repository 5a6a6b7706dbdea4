// /v1/flow-endpoints/{flowEndpointId}/users, /v1/users/{userId} and its keys.
// Responses go through userView: never a password or its hash.
import { createRoute } from '@hono/zod-openapi';
import { keyView, userView } from '../../core/tenancy/users.js';
import { fieldsOf } from '../audit.js';
import { FlowEndpointParams, KeyCreate, KeyParams, PageQuery, PublicKeySchema, UserCreate, UserParams, UserPatch, UserSchema, pageOf } from '../schemas.js';
import { E400, E401, E404, E409, E413, E415, E422, NO_CONTENT, body, json, pageBody, pageRequest, type RouteDeps } from './common.js';

const tags = ['users'];

export function userRoutes({ app, tenancy, audit }: RouteDeps): void {
  const t = tenancy.users;

  app.openapi(
    createRoute({
      method: 'get', path: '/v1/flow-endpoints/{flowEndpointId}/users', tags, request: { params: FlowEndpointParams, query: PageQuery },
      responses: { 200: json(pageOf(UserSchema, 'UserPage'), 'users of the flow endpoint by id'), ...E400, ...E401, ...E404, ...E422 },
    }),
    async (c) => c.json(pageBody(await t.listByFlowEndpoint(c.req.valid('param').flowEndpointId, pageRequest(c.req.valid('query'))), userView), 200),
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/flow-endpoints/{flowEndpointId}/users', tags, request: { params: FlowEndpointParams, body: body(UserCreate) },
      responses: { 201: json(UserSchema, 'created'), ...E400, ...E401, ...E404, ...E409, ...E413, ...E415, ...E422 },
    }),
    async (c) => {
      const input = c.req.valid('json');
      const user = await t.create(c.req.valid('param').flowEndpointId, input);
      audit(c, { action: 'user.create', id: user.id, orgId: user.orgId, fields: fieldsOf(input), detail: { username: user.username, flowEndpointId: user.flowEndpointId } });
      return c.json(userView(user), 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/v1/users/{userId}', tags, request: { params: UserParams }, responses: { 200: json(UserSchema, 'the user'), ...E401, ...E404 } }),
    async (c) => c.json(userView(await t.get(c.req.valid('param').userId)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch', path: '/v1/users/{userId}', tags, request: { params: UserParams, body: body(UserPatch) },
      responses: { 200: json(UserSchema, 'updated; applies to the next login'), ...E400, ...E401, ...E404, ...E413, ...E415, ...E422 },
    }),
    async (c) => {
      const patch = c.req.valid('json');
      const user = await t.update(c.req.valid('param').userId, patch);
      audit(c, { action: 'user.update', id: user.id, orgId: user.orgId, fields: fieldsOf(patch), detail: { username: user.username } });
      return c.json(userView(user), 200);
    },
  );

  app.openapi(
    createRoute({ method: 'delete', path: '/v1/users/{userId}', tags, request: { params: UserParams }, responses: { ...NO_CONTENT, ...E401, ...E404 } }),
    async (c) => {
      const user = await t.get(c.req.valid('param').userId);
      await t.delete(user.id);
      audit(c, { action: 'user.delete', id: user.id, orgId: user.orgId, detail: { username: user.username } });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post', path: '/v1/users/{userId}/keys', tags, request: { params: UserParams, body: body(KeyCreate) },
      responses: { 201: json(PublicKeySchema, 'added, with its fingerprint'), ...E400, ...E401, ...E404, ...E409, ...E413, ...E415, ...E422 },
    }),
    async (c) => {
      const { userId } = c.req.valid('param');
      const key = await t.addKey(userId, c.req.valid('json').publicKey);
      const user = await t.get(userId);
      audit(c, { action: 'user.key.add', id: userId, orgId: user.orgId, detail: { username: user.username, fingerprint: key.fingerprint } });
      return c.json(keyView(key), 201);
    },
  );

  app.openapi(
    createRoute({ method: 'delete', path: '/v1/users/{userId}/keys/{fingerprint}', tags, request: { params: KeyParams }, responses: { ...NO_CONTENT, ...E401, ...E404 } }),
    async (c) => {
      const { userId, fingerprint } = c.req.valid('param');
      const user = await t.get(userId);
      await t.deleteKey(userId, fingerprint);
      audit(c, { action: 'user.key.delete', id: userId, orgId: user.orgId, detail: { username: user.username, fingerprint } });
      return c.body(null, 204);
    },
  );
}
