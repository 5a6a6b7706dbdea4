// Transfers over HTTP: reading them (newest first, paged) and retrying dead deliveries.
// The post-upload pipeline is not part of this suite: transfers are written into the
// running server's directory as the pipeline would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery, Transfer } from '../../src/core/model.js';
import type { TransferView } from '../../src/core/tenancy/transfers.js';
import { newId } from '../../src/core/ids.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { adminApi, createTenant, type AdminApi } from '../support/admin-api.js';

let server: TestServer;
let api: AdminApi;
let tenant: Awaited<ReturnType<typeof createTenant>>;

beforeAll(async () => {
  server = await startTestServer();
  api = adminApi(server);
  tenant = await createTenant(api, 'transfers');
});
afterAll(async () => {
  await server?.stop();
});

const delivery = (status: Delivery['status']): Delivery => ({
  id: newId('dl'), targetFlowEndpointId: newId('fe'), targetEndpointId: newId('ep'), status, attempts: status === 'dead' ? 5 : 1,
  ...(status === 'dead' ? { lastError: 'connection refused', nextAttemptAt: undefined } : {}),
});

async function seed(receivedAt: string, statuses: Delivery['status'][]): Promise<Transfer> {
  const t: Transfer = {
    id: newId('tr'), state: 'active', orgId: tenant.orgId, flowId: tenant.flowId, sourceFlowEndpointId: tenant.flowEndpointId, endpointId: tenant.endpointId,
    path: `/in/${receivedAt}.csv`, size: 42, sha256: 'a'.repeat(64), user: 'partner', sourceIp: '127.0.0.1', receivedAt,
    deliveries: statuses.map(delivery), version: 1,
  };
  expect(await server.runtime.directory.transfers.createIfAbsent(t)).toBe(true);
  return t;
}

describe('transfers', () => {
  it('list is newest first and pages; get returns one with its deliveries', async () => {
    const seeded = [];
    for (let i = 0; i < 5; i++) seeded.push(await seed(`2030-01-0${i + 1}T00:00:00.000Z`, ['completed']));
    const first = await api.get<{ items: TransferView[]; nextCursor?: string }>(`/v1/flows/${tenant.flowId}/transfers?limit=2`);
    expect(first.status).toBe(200);
    const ids: string[] = first.body.items.map((t) => t.id);
    let cursor = first.body.nextCursor;
    while (cursor) {
      const page = await api.get<{ items: TransferView[]; nextCursor?: string }>(`/v1/flows/${tenant.flowId}/transfers?limit=2&cursor=${encodeURIComponent(cursor)}`);
      ids.push(...page.body.items.map((t) => t.id));
      cursor = page.body.nextCursor;
    }
    expect(ids).toEqual(seeded.map((t) => t.id).reverse());

    const one = await api.get<TransferView>(`/v1/transfers/${seeded[0]!.id}`);
    expect(one.status).toBe(200);
    const { version: _version, ...expected } = seeded[0]!;
    expect(one.body).toEqual(expected);
    expect(one.body.deliveries[0]!.status).toBe('completed');
  });

  it('retry queues dead deliveries again and leaves the others; the pipeline runs them', async () => {
    const t = await seed('2030-02-01T00:00:00.000Z', ['dead', 'completed', 'dead']);
    const res = await api.post<TransferView>(`/v1/transfers/${t.id}/retry`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.deliveries.map((d) => d.status)).toEqual(['queued', 'completed', 'queued']);
    expect(res.body.deliveries[0]!.attempts).toBe(0);
    // The seeded targets do not exist: the pipeline tries once more and says why.
    const stored = await server.until('the retried deliveries to run', async () => {
      const cur = await server.runtime.directory.transfers.get(t.id);
      return cur?.deliveries.filter((d) => d.status === 'dead' && d.attempts === 1).length === 2 ? cur : undefined;
    });
    expect(stored.deliveries[1]).toEqual(t.deliveries[1]);
    expect(stored.deliveries[0]!.lastError).toMatch(/target endpoint was deleted/);
    const audit = server.logs.map((l) => l.audit as Record<string, unknown> | undefined).filter((a) => a?.action === 'transfer.retry');
    expect(audit).toEqual([expect.objectContaining({ id: t.id, actor: 'admin-token' })]);
  });

  it('a transfer with nothing dead is 409', async () => {
    const t = await seed('2030-03-01T00:00:00.000Z', ['completed', 'error', 'started']);
    expect((await api.post(`/v1/transfers/${t.id}/retry`)).status).toBe(409);
  });

  it('unknown ids are 404; reads need the token', async () => {
    expect((await api.get('/v1/transfers/tr-0000000000000000')).status).toBe(404);
    expect((await api.post('/v1/transfers/tr-0000000000000000/retry')).status).toBe(404);
    expect((await api.get('/v1/flows/flow-0000000000000000/transfers')).status).toBe(404);
    expect((await api.get(`/v1/flows/${tenant.flowId}/transfers`, { token: null })).status).toBe(401);
  });
});
