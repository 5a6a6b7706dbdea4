// Organizations and endpoints over HTTP: every route and status, derived SFTP fields,
// config rules per type, and deletes that refuse or cascade.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flow, Organization } from '../../src/core/model.js';
import type { EndpointView } from '../../src/core/tenancy/endpoints.js';
import type { UserView } from '../../src/core/tenancy/users.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { adminApi, createTenant, type AdminApi } from '../support/admin-api.js';

let server: TestServer;
let api: AdminApi;
let n = 0;

beforeAll(async () => {
  server = await startTestServer();
  api = adminApi(server);
});
afterAll(async () => {
  await server?.stop();
});

async function newOrg(): Promise<Organization> {
  const res = await api.post<Organization>('/v1/organizations', { name: `org-${n++}` });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

describe('organizations', () => {
  it('create 201, get 200, rename 200, delete 204, then 404', async () => {
    const created = await api.post<Organization>('/v1/organizations', { name: '  Acme Bank  ' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Acme Bank' });
    expect(created.body.id).toMatch(/^org-[0-9a-f]{16}$/);
    const got = await api.get<Organization>(`/v1/organizations/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);
    const renamed = await api.patch<Organization>(`/v1/organizations/${created.body.id}`, { name: 'Acme Holdings' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Acme Holdings');
    expect((await api.get<Organization>(`/v1/organizations/${created.body.id}`)).body.name).toBe('Acme Holdings');
    expect((await api.delete(`/v1/organizations/${created.body.id}`)).status).toBe(204);
    for (const res of [
      await api.get(`/v1/organizations/${created.body.id}`),
      await api.patch(`/v1/organizations/${created.body.id}`, { name: 'x' }),
      await api.delete(`/v1/organizations/${created.body.id}`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error?.code).toBe('not_found');
    }
  });

  it('names are unique (case-insensitive): 409 on create and on rename', async () => {
    const a = await newOrg();
    const dup = await api.post('/v1/organizations', { name: a.name.toUpperCase() });
    expect(dup.status).toBe(409);
    expect(dup.body.error?.code).toBe('already_exists');
    const b = await newOrg();
    expect((await api.patch(`/v1/organizations/${b.id}`, { name: a.name })).status).toBe(409);
    expect((await api.patch(`/v1/organizations/${a.id}`, { name: a.name })).status).toBe(200);
  });

  it('a name with control characters or over 100 characters is 422', async () => {
    expect((await api.post('/v1/organizations', { name: 'a\u0007b' })).status).toBe(422);
    expect((await api.post('/v1/organizations', { name: 'x'.repeat(101) })).status).toBe(422);
  });

  it('a bad rename is 400 or 422 and changes nothing', async () => {
    const org = await newOrg();
    expect((await api.patch(`/v1/organizations/${org.id}`, { name: '' })).status).toBe(422);
    expect((await api.patch(`/v1/organizations/${org.id}`, { name: null })).status).toBe(400);
    expect((await api.patch(`/v1/organizations/${org.id}`, { id: 'org-0000000000000000' })).status).toBe(400);
    expect((await api.patch(`/v1/organizations/${org.id}`, undefined, { raw: '{"name":' })).status).toBe(400);
    expect((await api.get<Organization>(`/v1/organizations/${org.id}`)).body).toEqual(org);
  });

  it('delete with children is 409 and keeps everything; ?cascade=true removes the whole tree', async () => {
    const t = await createTenant(api, `tree-${n++}`);
    const user = await api.post<UserView>(`/v1/flow-endpoints/${t.flowEndpointId}/users`, { username: `tree-user-${n++}`, password: 'a-long-enough-password' });
    expect(user.status).toBe(201);

    const refused = await api.delete(`/v1/organizations/${t.orgId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('not_empty');
    expect((await api.delete(`/v1/organizations/${t.orgId}?cascade=false`)).status).toBe(409);
    for (const path of [`/v1/organizations/${t.orgId}`, `/v1/endpoints/${t.endpointId}`, `/v1/flows/${t.flowId}`, `/v1/users/${user.body.id}`]) {
      expect((await api.get(path)).status, path).toBe(200);
    }

    expect((await api.delete(`/v1/organizations/${t.orgId}?cascade=true`)).status).toBe(204);
    for (const path of [`/v1/organizations/${t.orgId}`, `/v1/endpoints/${t.endpointId}`, `/v1/flows/${t.flowId}`, `/v1/users/${user.body.id}`]) {
      expect((await api.get(path)).status, path).toBe(404);
    }
    expect(await server.runtime.directory.users.getByUsername(user.body.username)).toBeUndefined();
    expect(await server.runtime.directory.flows.getFlowEndpoint(t.flowEndpointId)).toBeUndefined();
  });
});

describe('endpoints', () => {
  it('a thru-sftp-server endpoint shows its public URL and host key fingerprints', async () => {
    const org = await newOrg();
    const res = await api.post<EndpointView>(`/v1/organizations/${org.id}/endpoints`, { name: 'sftp', type: 'thru-sftp-server', description: 'partners' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      orgId: org.id, name: 'sftp', type: 'thru-sftp-server', description: 'partners',
      config: { idleTimeoutSeconds: 900 },
      publicUrl: `sftp://127.0.0.1:${server.port}`,
      hostKeyFingerprints: [server.runtime.hostKeyFingerprint],
    });
    expect(server.runtime.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const got = await api.get<EndpointView>(`/v1/endpoints/${res.body.id}`);
    expect(got.body).toEqual(res.body);
  });

  it('idleTimeoutSeconds must lie within 30 s and 24 h', async () => {
    const org = await newOrg();
    const create = (idleTimeoutSeconds: unknown, name: string) =>
      api.post<EndpointView>(`/v1/organizations/${org.id}/endpoints`, { name, type: 'thru-sftp-server', config: { idleTimeoutSeconds } });
    expect((await create(29, 'a')).status).toBe(422);
    expect((await create(86_401, 'b')).status).toBe(422);
    expect((await create(30.5, 'c')).status).toBe(400);
    expect((await create('900', 'd')).status).toBe(400);
    const low = await create(30, 'e');
    expect(low.status).toBe(201);
    expect(low.body.config).toEqual({ idleTimeoutSeconds: 30 });
    expect((await create(86_400, 'f')).status).toBe(201);
    const patched = await api.patch<EndpointView>(`/v1/endpoints/${low.body.id}`, { config: { idleTimeoutSeconds: 120 } });
    expect(patched.status).toBe(200);
    expect(patched.body.config).toEqual({ idleTimeoutSeconds: 120 });
    expect((await api.patch(`/v1/endpoints/${low.body.id}`, { config: { idleTimeoutSeconds: 10 } })).status).toBe(422);
    expect((await api.get<EndpointView>(`/v1/endpoints/${low.body.id}`)).body.config).toEqual({ idleTimeoutSeconds: 120 });
  });

  it('each type takes its own config; a webhook secret is never returned', async () => {
    const org = await newOrg();
    const base = `/v1/organizations/${org.id}/endpoints`;
    const s3 = await api.post<EndpointView>(base, { name: 's3', type: 's3', config: { bucket: 'acme-files', prefix: '/in/acme/' } });
    expect(s3.status).toBe(201);
    expect(s3.body.config).toEqual({ bucket: 'acme-files', prefix: 'in/acme' });
    expect(s3.body).not.toHaveProperty('publicUrl');

    const secret = 'a-webhook-secret-of-some-length';
    const hook = await api.post<EndpointView>(base, { name: 'hook', type: 'webhook', config: { url: 'https://hooks.example.com/in', secret } });
    expect(hook.status).toBe(201);
    expect(hook.body.config).toEqual({ url: 'https://hooks.example.com/in' });
    expect(hook.text).not.toContain(secret);
    expect((await api.get(`/v1/endpoints/${hook.body.id}`)).text).not.toContain(secret);
    // The secret survives a patch of the URL.
    expect((await api.patch(`/v1/endpoints/${hook.body.id}`, { config: { url: 'https://hooks.example.com/v2' } })).status).toBe(200);
    const stored = await server.runtime.directory.endpoints.get(hook.body.id);
    expect(stored?.config).toEqual({ url: 'https://hooks.example.com/v2', secret });

    const dir = await api.post<EndpointView>(base, { name: 'dir', type: 'directory', config: { path: '/srv/delivered//acme/' } });
    expect(dir.status).toBe(201);
    expect(dir.body.config).toEqual({ path: '/srv/delivered/acme' });
  });

  it.each([
    ['a missing config', { type: 's3', name: 'x' }, 400],
    ['a field of another type', { type: 's3', name: 'x', config: { bucket: 'b-b-b', path: '/x' } }, 400],
    ['an unknown type', { type: 'ftp', name: 'x' }, 400],
    ['a bad bucket name', { type: 's3', name: 'x', config: { bucket: 'Not_A_Bucket' } }, 422],
    ['a webhook URL that is not http(s)', { type: 'webhook', name: 'x', config: { url: 'ftp://example.com', secret: 's'.repeat(16) } }, 422],
    ['a webhook URL with credentials', { type: 'webhook', name: 'x', config: { url: 'https://u:p@example.com', secret: 's'.repeat(16) } }, 422],
    ['a short webhook secret', { type: 'webhook', name: 'x', config: { url: 'https://example.com', secret: 'short' } }, 422],
    ['a relative directory path', { type: 'directory', name: 'x', config: { path: 'srv/in' } }, 422],
    ['path traversal in a directory path', { type: 'directory', name: 'x', config: { path: '/srv/in/../../etc' } }, 422],
    ['a prefix with ..', { type: 's3', name: 'x', config: { bucket: 'bucket', prefix: 'a/../../b' } }, 422],
  ])('%s is refused and writes nothing', async (_label, body, status) => {
    const org = await newOrg();
    const res = await api.post(`/v1/organizations/${org.id}/endpoints`, body);
    expect(res.status, res.text).toBe(status);
    expect((await api.get<{ items: unknown[] }>(`/v1/organizations/${org.id}/endpoints`)).body.items).toEqual([]);
  });

  it('a patch cannot change the type or set fields of another type', async () => {
    const org = await newOrg();
    const ep = await api.post<EndpointView>(`/v1/organizations/${org.id}/endpoints`, { name: 'sftp', type: 'thru-sftp-server' });
    expect((await api.patch(`/v1/endpoints/${ep.body.id}`, { type: 's3' })).status).toBe(400);
    const foreign = await api.patch(`/v1/endpoints/${ep.body.id}`, { config: { bucket: 'some-bucket' } });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error?.message).toContain('bucket');
    const renamed = await api.patch<EndpointView>(`/v1/endpoints/${ep.body.id}`, { name: 'sftp-2', description: 'new' });
    expect(renamed.body).toMatchObject({ name: 'sftp-2', description: 'new', type: 'thru-sftp-server' });
  });

  it('names are unique within an organization, not across organizations', async () => {
    const a = await newOrg();
    const b = await newOrg();
    expect((await api.post(`/v1/organizations/${a.id}/endpoints`, { name: 'in', type: 'thru-sftp-server' })).status).toBe(201);
    const dup = await api.post(`/v1/organizations/${a.id}/endpoints`, { name: 'IN', type: 'thru-sftp-server' });
    expect(dup.status).toBe(409);
    expect((await api.post(`/v1/organizations/${b.id}/endpoints`, { name: 'in', type: 'thru-sftp-server' })).status).toBe(201);
  });

  it('list pages through the endpoints of one organization; an unknown organization is 404', async () => {
    const org = await newOrg();
    for (let i = 0; i < 5; i++) await api.post(`/v1/organizations/${org.id}/endpoints`, { name: `ep${i}`, type: 'thru-sftp-server' });
    const first = await api.get<{ items: EndpointView[]; nextCursor?: string }>(`/v1/organizations/${org.id}/endpoints?limit=3`);
    expect(first.body.items).toHaveLength(3);
    const second = await api.get<{ items: EndpointView[]; nextCursor?: string }>(`/v1/organizations/${org.id}/endpoints?limit=3&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeUndefined();
    expect(new Set([...first.body.items, ...second.body.items].map((e) => e.name))).toEqual(new Set(['ep0', 'ep1', 'ep2', 'ep3', 'ep4']));
    expect((await api.get('/v1/organizations/org-0000000000000000/endpoints')).status).toBe(404);
    expect((await api.post('/v1/organizations/org-0000000000000000/endpoints', { name: 'x', type: 'thru-sftp-server' })).status).toBe(404);
  });

  it('delete of an endpoint used by a flow is 409; cascade removes it from the flow with its users', async () => {
    const t = await createTenant(api, `epdel-${n++}`);
    const target = await api.post<EndpointView>(`/v1/organizations/${t.orgId}/endpoints`, { name: 'out', type: 'directory', config: { path: '/tmp/out' } });
    const flow = await api.patch<Flow>(`/v1/flows/${t.flowId}`, { targets: [{ endpointId: target.body.id }] });
    expect(flow.status).toBe(200);
    const user = await api.post<UserView>(`/v1/flow-endpoints/${t.flowEndpointId}/users`, { username: `epdel-user-${n++}`, password: 'a-long-enough-password' });

    const refused = await api.delete(`/v1/endpoints/${t.endpointId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error?.message).toContain(t.flowId);
    expect((await api.get(`/v1/users/${user.body.id}`)).status).toBe(200);

    // The target endpoint goes with the cascade: the flow keeps its source and users.
    expect((await api.delete(`/v1/endpoints/${target.body.id}?cascade=true`)).status).toBe(204);
    const after = await api.get<Flow>(`/v1/flows/${t.flowId}`);
    expect(after.body.targets).toEqual([]);
    expect(after.body.sources.map((s) => s.id)).toEqual([t.flowEndpointId]);
    expect((await api.get(`/v1/users/${user.body.id}`)).status).toBe(200);

    // The source endpoint goes with the cascade: its flow endpoint and users go too.
    expect((await api.delete(`/v1/endpoints/${t.endpointId}?cascade=true`)).status).toBe(204);
    expect((await api.get(`/v1/endpoints/${t.endpointId}`)).status).toBe(404);
    expect((await api.get(`/v1/users/${user.body.id}`)).status).toBe(404);
    expect((await api.get<Flow>(`/v1/flows/${t.flowId}`)).body.sources).toEqual([]);
    expect((await api.get(`/v1/flow-endpoints/${t.flowEndpointId}/users`)).status).toBe(404);
  });

  it('an unused endpoint deletes with 204; unknown ids are 404', async () => {
    const org = await newOrg();
    const ep = await api.post<EndpointView>(`/v1/organizations/${org.id}/endpoints`, { name: 'lonely', type: 'thru-sftp-server' });
    expect((await api.delete(`/v1/endpoints/${ep.body.id}`)).status).toBe(204);
    expect((await api.get(`/v1/endpoints/${ep.body.id}`)).status).toBe(404);
    expect((await api.patch(`/v1/endpoints/${ep.body.id}`, { name: 'x' })).status).toBe(404);
    expect((await api.delete(`/v1/endpoints/${ep.body.id}`)).status).toBe(404);
  });
});
