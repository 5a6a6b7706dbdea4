// The admin API's common behaviour over real HTTP against a running local server:
// authentication, error bodies for bad input, body limit, paging, the OpenAPI
// document and the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { OpenAPIV3 } from 'openapi-types';
import type { Organization } from '../../src/core/model.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { adminApi, type AdminApi } from '../support/admin-api.js';

let server: TestServer;
let api: AdminApi;

beforeAll(async () => {
  server = await startTestServer();
  api = adminApi(server);
});
afterAll(async () => {
  await server?.stop();
});

describe('authentication', () => {
  it('health and the OpenAPI document need no token', async () => {
    expect((await api.get('/v1/health', { token: null })).body).toEqual({ status: 'ok' });
    expect((await api.get('/v1/openapi.json', { token: null })).status).toBe(200);
  });

  for (const [label, headers] of [
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token-0123456789' }],
    ['the right token with another scheme', { authorization: `Basic test-admin-token-0123456789` }],
    ['a token that is a prefix of the right one', { authorization: 'Bearer test-admin-token' }],
  ] as const) {
    it(`answers 401 with ${label}`, async () => {
      const res = await api.get('/v1/organizations', { token: null, headers });
      expect(res.status).toBe(401);
      expect(res.body.error?.code).toBe('unauthorized');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });
  }

  it('refuses a write without a token and writes nothing', async () => {
    const res = await api.post('/v1/organizations', { name: 'sneaky' }, { token: null });
    expect(res.status).toBe(401);
    const all = await api.get<{ items: Organization[] }>('/v1/organizations?limit=100');
    expect(all.body.items.map((o) => o.name)).not.toContain('sneaky');
  });

  it('every route but health and the document answers 401 without a token, before looking at the request', async () => {
    const doc = (await api.get<OpenAPIV3.Document>('/v1/openapi.json', { token: null })).body;
    const routes = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item ?? {}).filter((m) => ['get', 'post', 'patch', 'delete'].includes(m)).map((m) => [m.toUpperCase(), path.replace(/\{[^}]+\}/g, 'x-0000000000000000')] as const));
    expect(routes.length).toBeGreaterThanOrEqual(26);
    for (const [method, path] of routes) {
      const res = await api.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : { name: 'x' }, { token: null });
      expect(res.status, `${method} ${path}`).toBe(path === '/v1/health' ? 200 : 401);
    }
  });

  it('answers 200 with the right token', async () => {
    expect((await api.get('/v1/organizations')).status).toBe(200);
  });
});

describe('bad input gets a precise 4xx and writes nothing', () => {
  const countOrgs = async () => (await api.get<{ items: unknown[] }>('/v1/organizations?limit=100')).body.items.length;

  it.each([
    ['malformed JSON', '{"name": "x"', 400, 'malformed_json'],
    ['an empty body', '', 400, 'malformed_json'],
    ['an unknown field', '{"name": "x", "owner": "me"}', 400, 'unknown_field'],
    ['a wrong type', '{"name": 42}', 400, 'wrong_type'],
    ['a missing field', '{}', 400, 'wrong_type'],
    ['an array instead of an object', '[{"name": "x"}]', 400, 'wrong_type'],
    ['an empty name', '{"name": "   "}', 422, 'invalid_argument'],
  ])('%s', async (_label, raw, status, code) => {
    const before = await countOrgs();
    const res = await api.post('/v1/organizations', undefined, { raw });
    expect(res.status, res.text).toBe(status);
    expect(res.body.error?.code).toBe(code);
    expect(typeof res.body.error?.message).toBe('string');
    expect(await countOrgs()).toBe(before);
  });

  it('says where the problem is', async () => {
    const res = await api.post('/v1/organizations', { name: 'x', owner: 'me' });
    expect(res.body.error?.message).toContain('"owner"');
    const nested = await api.post(`/v1/organizations/${server.orgId}/flows`, { name: 'f', sources: [{ endpointId: 7 }] });
    expect(nested.status).toBe(400);
    expect(nested.body.error?.message).toContain('sources[0].endpointId');
  });

  it('a body that is not JSON is 415', async () => {
    const res = await api.post('/v1/organizations', undefined, { raw: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.body.error?.code).toBe('unsupported_media_type');
  });

  it('an oversized body is 413, with or without Content-Length', async () => {
    const before = await countOrgs();
    const big = JSON.stringify({ name: 'x'.repeat(300 * 1024) });
    const res = await api.post('/v1/organizations', undefined, { raw: big });
    expect(res.status).toBe(413);
    expect(res.body.error?.code).toBe('payload_too_large');
    // Streamed (chunked): the limit counts bytes as they arrive.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? `{"name":"${'y'.repeat(40 * 1024)}` : 'y'.repeat(40 * 1024)));
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
      },
    });
    const chunked = await fetch(`${api.base}/v1/organizations`, {
      method: 'POST', body: stream, duplex: 'half', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
    });
    expect(chunked.status).toBe(413);
    expect(await countOrgs()).toBe(before);
  });

  it('unknown query parameters and bad paging are 400; a forged cursor is 422', async () => {
    expect((await api.get('/v1/organizations?limt=5')).body.error?.code).toBe('unknown_field');
    for (const q of ['limit=0', 'limit=101', 'limit=abc', 'limit=1.5']) {
      const res = await api.get(`/v1/organizations?${q}`);
      expect(res.status, q).toBe(400);
    }
    const forged = await api.get('/v1/organizations?cursor=bm90LWEtY3Vyc29y');
    expect(forged.status).toBe(422);
    expect((await api.delete(`/v1/organizations/${server.orgId}?cascade=yes`)).status).toBe(400);
  });

  it('an unknown route is 404 with an error body', async () => {
    const res = await api.get('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error?.code).toBe('not_found');
  });
});

describe('paging', () => {
  it('walks every organization exactly once with limit and cursor', async () => {
    for (let i = 0; i < 7; i++) expect((await api.post('/v1/organizations', { name: `paged-${i}` })).status).toBe(201);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await api.get<{ items: Organization[]; nextCursor?: string }>(`/v1/organizations?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((o) => o.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);
    const all = await api.get<{ items: Organization[]; nextCursor?: string }>('/v1/organizations?limit=100');
    expect(all.body.nextCursor).toBeUndefined();
    expect(seen).toEqual(all.body.items.map((o) => o.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(seen.length / 3));
    expect(seen.length).toBeGreaterThanOrEqual(8);
  });
});

describe('OpenAPI document', () => {
  const SPEC_ROUTES = [
    'get /v1/health', 'get /v1/openapi.json',
    'get /v1/organizations', 'post /v1/organizations',
    'get /v1/organizations/{orgId}', 'patch /v1/organizations/{orgId}', 'delete /v1/organizations/{orgId}',
    'get /v1/organizations/{orgId}/endpoints', 'post /v1/organizations/{orgId}/endpoints',
    'get /v1/endpoints/{endpointId}', 'patch /v1/endpoints/{endpointId}', 'delete /v1/endpoints/{endpointId}',
    'get /v1/organizations/{orgId}/flows', 'post /v1/organizations/{orgId}/flows',
    'get /v1/flows/{flowId}', 'patch /v1/flows/{flowId}', 'delete /v1/flows/{flowId}',
    'get /v1/flow-endpoints/{flowEndpointId}/users', 'post /v1/flow-endpoints/{flowEndpointId}/users',
    'get /v1/users/{userId}', 'patch /v1/users/{userId}', 'delete /v1/users/{userId}',
    'post /v1/users/{userId}/keys', 'delete /v1/users/{userId}/keys/{fingerprint}',
    'get /v1/flows/{flowId}/transfers', 'get /v1/transfers/{transferId}', 'post /v1/transfers/{transferId}/retry',
  ];

  it('is valid OpenAPI 3 and documents every route of SPEC §5', async () => {
    const doc = (await api.get<OpenAPIV3.Document>('/v1/openapi.json', { token: null })).body;
    expect(doc.openapi).toMatch(/^3\./);
    await SwaggerParser.validate(structuredClone(doc) as OpenAPIV3.Document);
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item ?? {}).filter((k) => ['get', 'post', 'patch', 'delete', 'put'].includes(k)).map((m) => `${m} ${path}`));
    for (const route of SPEC_ROUTES.filter((r) => r !== 'get /v1/openapi.json')) expect(documented).toContain(route);
    expect(doc.components?.securitySchemes).toHaveProperty('bearerAuth');
  });

  it('documents the user schema without any password field', async () => {
    const doc = (await api.get<OpenAPIV3.Document>('/v1/openapi.json', { token: null })).body;
    const user = doc.components?.schemas?.User as OpenAPIV3.SchemaObject;
    expect(Object.keys(user.properties ?? {})).toContain('hasPassword');
    expect(Object.keys(user.properties ?? {}).filter((p) => /password/i.test(p) && p !== 'hasPassword')).toEqual([]);
  });
});

describe('audit log', () => {
  it('records who changed what, and never a secret', async () => {
    const password = 'correct-horse-battery-staple-42';
    const secret = 'webhook-signing-secret-0123456789';
    const org = await api.post<Organization>('/v1/organizations', { name: 'audited' });
    const hook = await api.post(`/v1/organizations/${org.body.id}/endpoints`, { name: 'hook', type: 'webhook', config: { url: 'https://example.com/hook', secret } });
    expect(hook.status).toBe(201);
    const user = await api.post<{ id: string }>(`/v1/flow-endpoints/${server.flowEndpointId}/users`, { username: 'audited-user', password });
    expect(user.status).toBe(201);
    await api.patch(`/v1/users/${user.body.id}`, { password: `${password}-2`, enabled: false });

    const audits = server.logs.map((l) => l.audit as Record<string, unknown> | undefined).filter((a) => a !== undefined);
    const byAction = (action: string) => audits.filter((a) => a.action === action);
    expect(byAction('organization.create').find((a) => a.id === org.body.id)).toMatchObject({ actor: 'admin-token' });
    expect(byAction('user.create').find((a) => a.id === user.body.id)).toMatchObject({ actor: 'admin-token', fields: ['password', 'username'] });
    const update = byAction('user.update').find((a) => a.id === user.body.id);
    expect(update).toMatchObject({ actor: 'admin-token', fields: ['enabled', 'password'] });
    expect(Date.parse(update!.at as string)).not.toBeNaN();
    const everything = JSON.stringify(server.logs);
    for (const s of [password, `${password}-2`, secret, api.token, '$scrypt$']) expect(everything).not.toContain(s);
  });
});
