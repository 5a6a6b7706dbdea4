// Flows over HTTP: flow endpoints with ids, triggers, path rules, references checked
// before the single write, updates that keep flow endpoints, and deletes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flow, Organization } from '../../src/core/model.js';
import type { EndpointView } from '../../src/core/tenancy/endpoints.js';
import type { UserView } from '../../src/core/tenancy/users.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { adminApi, type AdminApi } from '../support/admin-api.js';

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

/** An organization with an SFTP endpoint, a second SFTP endpoint and a directory endpoint. */
async function setup() {
  const org = (await api.post<Organization>('/v1/organizations', { name: `flows-${n++}` })).body;
  const ep = async (body: object) => {
    const res = await api.post<EndpointView>(`/v1/organizations/${org.id}/endpoints`, body);
    expect(res.status, res.text).toBe(201);
    return res.body.id;
  };
  return {
    orgId: org.id,
    sftp: await ep({ name: 'sftp', type: 'thru-sftp-server' }),
    sftp2: await ep({ name: 'sftp2', type: 'thru-sftp-server' }),
    dir: await ep({ name: 'dir', type: 'directory', config: { path: '/tmp/delivered' } }),
  };
}

const flowsOf = async (orgId: string) => (await api.get<{ items: Flow[] }>(`/v1/organizations/${orgId}/flows`)).body.items;

describe('flows', () => {
  it('create returns the flow with the ids of its flow endpoints; get, list, patch, delete', async () => {
    const s = await setup();
    const res = await api.post<Flow>(`/v1/organizations/${s.orgId}/flows`, {
      name: 'inbound',
      sources: [{ endpointId: s.sftp, path: '/in/acme/', triggers: { tempFilePatterns: ['*.part'], triggerFile: { mode: 'per-file', suffix: '.trg' } }, deleteSourceAfterDelivery: true }],
      targets: [{ endpointId: s.dir }, { endpointId: s.sftp2, path: '/out' }],
    });
    expect(res.status, res.text).toBe(201);
    const flow = res.body;
    expect(flow).toMatchObject({ orgId: s.orgId, name: 'inbound', enabled: true });
    expect(flow.sources).toEqual([{
      id: expect.stringMatching(/^fe-[0-9a-f]{16}$/) as string, flowId: flow.id, orgId: s.orgId, endpointId: s.sftp, role: 'source', path: '/in/acme',
      triggers: { tempFilePatterns: ['*.part'], triggerFile: { mode: 'per-file', suffix: '.trg' } }, deleteSourceAfterDelivery: true,
    }]);
    expect(flow.targets.map((t) => [t.role, t.endpointId, t.path])).toEqual([['target', s.dir, '/'], ['target', s.sftp2, '/out']]);
    expect(flow.targets[0]).not.toHaveProperty('triggers');

    expect((await api.get<Flow>(`/v1/flows/${flow.id}`)).body).toEqual(flow);
    expect(await flowsOf(s.orgId)).toEqual([flow]);
    // The flow endpoint can be looked up, as users are created in it.
    expect((await api.get(`/v1/flow-endpoints/${flow.sources[0]!.id}/users`)).body).toEqual({ items: [] });

    const disabled = await api.patch<Flow>(`/v1/flows/${flow.id}`, { enabled: false, name: 'inbound-2' });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ enabled: false, name: 'inbound-2', sources: flow.sources, targets: flow.targets });

    expect((await api.delete(`/v1/flows/${flow.id}`)).status).toBe(204);
    expect((await api.get(`/v1/flows/${flow.id}`)).status).toBe(404);
    expect(await server.runtime.directory.flows.getFlowEndpoint(flow.sources[0]!.id)).toBeUndefined();
  });

  it('a source without triggers gets the default temp-file patterns', async () => {
    const s = await setup();
    const res = await api.post<Flow>(`/v1/organizations/${s.orgId}/flows`, { name: 'f', sources: [{ endpointId: s.sftp }] });
    expect(res.body.sources[0]!.triggers).toEqual({ tempFilePatterns: ['*.filepart', '*.tmp'] });
    expect(res.body.sources[0]!.path).toBe('/');
    const batch = await api.post<Flow>(`/v1/organizations/${s.orgId}/flows`, { name: 'g', sources: [{ endpointId: s.sftp2, triggers: { tempFilePatterns: [], triggerFile: { mode: 'batch', name: 'done.ok' } } }] });
    expect(batch.body.sources[0]!.triggers).toEqual({ tempFilePatterns: [], triggerFile: { mode: 'batch', name: 'done.ok' } });
  });

  it.each([
    ['path traversal in a source path', (s: Ids) => ({ sources: [{ endpointId: s.sftp, path: '/in/../../etc' }] }), 422, 'sources[0].path'],
    ['a relative path', (s: Ids) => ({ sources: [{ endpointId: s.sftp, path: 'in' }] }), 422, 'sources[0].path'],
    ['path traversal in a target path', (s: Ids) => ({ sources: [{ endpointId: s.sftp }], targets: [{ endpointId: s.dir, path: '/../x' }] }), 422, 'targets[0].path'],
    ['no source', () => ({ sources: [] }), 422, 'at least one source'],
    ['a source that is not an SFTP endpoint', (s: Ids) => ({ sources: [{ endpointId: s.dir }] }), 422, 'thru-sftp-server'],
    ['an unknown endpoint', (s: Ids) => ({ sources: [{ endpointId: s.sftp }], targets: [{ endpointId: 'ep-0000000000000000' }] }), 422, 'targets[0].endpointId'],
    ['an endpoint of another organization', (s: Ids) => ({ sources: [{ endpointId: s.sftp }], targets: [{ endpointId: s.foreign }] }), 422, 'not found in organization'],
    ['a target inside the source folder', (s: Ids) => ({ sources: [{ endpointId: s.sftp, path: '/in' }], targets: [{ endpointId: s.sftp, path: '/in/done' }] }), 422, 'loop'],
    ['the same source twice', (s: Ids) => ({ sources: [{ endpointId: s.sftp, path: '/a' }, { endpointId: s.sftp, path: '/a/' }] }), 422, 'twice'],
    ['a per-file trigger suffix with a slash', (s: Ids) => ({ sources: [{ endpointId: s.sftp, triggers: { triggerFile: { mode: 'per-file', suffix: '/x.trg' } } }] }), 422, 'suffix'],
    ['a batch trigger named ..', (s: Ids) => ({ sources: [{ endpointId: s.sftp, triggers: { triggerFile: { mode: 'batch', name: '..' } } }] }), 422, 'triggerFile.name'],
    ['a temp-file pattern with a folder', (s: Ids) => ({ sources: [{ endpointId: s.sftp, triggers: { tempFilePatterns: ['tmp/*'] } }] }), 422, 'tempFilePatterns'],
    ['an unknown trigger mode', (s: Ids) => ({ sources: [{ endpointId: s.sftp, triggers: { triggerFile: { mode: 'never' } } }] }), 400, 'triggerFile'],
    ['triggers on a target', (s: Ids) => ({ sources: [{ endpointId: s.sftp }], targets: [{ endpointId: s.dir, triggers: {} }] }), 400, 'triggers'],
    ['an id on create', (s: Ids) => ({ sources: [{ id: 'fe-0000000000000000', endpointId: s.sftp }] }), 400, 'id'],
  ])('%s is refused and nothing is written', async (_label, build, status, mention) => {
    const s = await setup();
    const other = (await api.post<Organization>('/v1/organizations', { name: `foreign-${n++}` })).body;
    const foreign = (await api.post<EndpointView>(`/v1/organizations/${other.id}/endpoints`, { name: 'x', type: 'directory', config: { path: '/tmp/x' } })).body.id;
    const res = await api.post(`/v1/organizations/${s.orgId}/flows`, { name: 'bad', ...build({ ...s, foreign }) });
    expect(res.status, res.text).toBe(status);
    expect(res.body.error?.message).toContain(mention);
    expect(await flowsOf(s.orgId)).toEqual([]);
  });

  it('names are unique within the organization: 409', async () => {
    const s = await setup();
    expect((await api.post(`/v1/organizations/${s.orgId}/flows`, { name: 'dup', sources: [{ endpointId: s.sftp }] })).status).toBe(201);
    const dup = await api.post(`/v1/organizations/${s.orgId}/flows`, { name: 'Dup', sources: [{ endpointId: s.sftp2 }] });
    expect(dup.status).toBe(409);
    expect(await flowsOf(s.orgId)).toHaveLength(1);
  });

  it('a patch keeps flow endpoints listed by id (with their users) and refuses to drop one with users', async () => {
    const s = await setup();
    const flow = (await api.post<Flow>(`/v1/organizations/${s.orgId}/flows`, { name: 'f', sources: [{ endpointId: s.sftp, path: '/in' }] })).body;
    const source = flow.sources[0]!;
    const user = await api.post<UserView>(`/v1/flow-endpoints/${source.id}/users`, { username: `flow-user-${n++}`, password: 'a-long-enough-password' });
    expect(user.status).toBe(201);

    const moved = await api.patch<Flow>(`/v1/flows/${flow.id}`, {
      sources: [{ id: source.id, endpointId: s.sftp, path: '/inbox', triggers: { tempFilePatterns: ['*.upload'] } }, { endpointId: s.sftp2 }],
      targets: [{ endpointId: s.dir }],
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.sources[0]).toMatchObject({ id: source.id, path: '/inbox', triggers: { tempFilePatterns: ['*.upload'] } });
    expect(moved.body.sources[1]!.id).not.toBe(source.id);
    expect(moved.body.targets).toHaveLength(1);
    expect((await api.get<UserView>(`/v1/users/${user.body.id}`)).body.flowEndpointId).toBe(source.id);

    const drop = await api.patch(`/v1/flows/${flow.id}`, { sources: [{ endpointId: s.sftp2 }] });
    expect(drop.status).toBe(409);
    expect(drop.body.error?.code).toBe('not_empty');
    expect((await api.get<Flow>(`/v1/flows/${flow.id}`)).body).toEqual(moved.body);

    const wrongId = await api.patch(`/v1/flows/${flow.id}`, { sources: [{ id: moved.body.targets[0]!.id, endpointId: s.dir }] });
    expect(wrongId.status).toBe(422);
    const otherEndpoint = await api.patch(`/v1/flows/${flow.id}`, { sources: [{ id: source.id, endpointId: s.sftp2 }] });
    expect(otherEndpoint.status).toBe(422);
    expect((await api.patch(`/v1/flows/${flow.id}`, { enabled: 'yes' })).status).toBe(400);
    expect((await api.patch(`/v1/flows/${flow.id}`, { sources: [{ id: source.id, endpointId: s.sftp, path: '/../in' }] })).status).toBe(422);
    expect((await api.get<Flow>(`/v1/flows/${flow.id}`)).body).toEqual(moved.body);
  });

  it('delete of a flow with users is 409; ?cascade=true deletes the users too', async () => {
    const s = await setup();
    const flow = (await api.post<Flow>(`/v1/organizations/${s.orgId}/flows`, { name: 'f', sources: [{ endpointId: s.sftp }] })).body;
    const user = await api.post<UserView>(`/v1/flow-endpoints/${flow.sources[0]!.id}/users`, { username: `cascade-user-${n++}`, password: 'a-long-enough-password' });
    const refused = await api.delete(`/v1/flows/${flow.id}`);
    expect(refused.status).toBe(409);
    expect((await api.get(`/v1/users/${user.body.id}`)).status).toBe(200);
    expect((await api.delete(`/v1/flows/${flow.id}?cascade=true`)).status).toBe(204);
    expect((await api.get(`/v1/users/${user.body.id}`)).status).toBe(404);
    expect((await api.get(`/v1/flows/${flow.id}`)).status).toBe(404);
  });

  it('unknown ids are 404', async () => {
    const s = await setup();
    expect((await api.get('/v1/flows/flow-0000000000000000')).status).toBe(404);
    expect((await api.patch('/v1/flows/flow-0000000000000000', { enabled: false })).status).toBe(404);
    expect((await api.delete('/v1/flows/flow-0000000000000000')).status).toBe(404);
    expect((await api.get('/v1/organizations/org-0000000000000000/flows')).status).toBe(404);
    expect((await api.post('/v1/organizations/org-0000000000000000/flows', { name: 'x', sources: [{ endpointId: s.sftp }] })).status).toBe(404);
  });
});

interface Ids {
  orgId: string;
  sftp: string;
  sftp2: string;
  dir: string;
  foreign: string;
}
