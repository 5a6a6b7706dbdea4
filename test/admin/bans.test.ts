// /v1/bans over HTTP: listing bans in force and lifting them. Bans are set here by the
// running server's own brute-force guard, as failed logins would set them (the SSH side
// is test/e2e/brute-force.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { adminApi, type AdminApi } from '../support/admin-api.js';

interface BanBody {
  ip: string;
  bannedAt: string;
  until: string;
  offences: number;
  score: number;
}

let server: TestServer;
let api: AdminApi;

beforeAll(async () => {
  server = await startTestServer();
  api = adminApi(server);
});
afterAll(async () => {
  await server?.stop();
});

/** Unknown-user failures from `ip` until it is banned. */
async function ban(ip: string): Promise<void> {
  for (let i = 0; i < 8; i++) await server.runtime.bruteForce.recordFailure(ip, 'unknown_user');
  expect(await server.runtime.bruteForce.banOf(ip)).toBeDefined();
}

describe('bans', () => {
  it('lists bans in force, paged, and lifts them', async () => {
    for (const ip of ['192.0.2.10', '192.0.2.11', '2001:db8:5:6::77']) await ban(ip);
    const first = await api.get<{ items: BanBody[]; nextCursor?: string }>('/v1/bans?limit=2');
    expect(first.status, first.text).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const rest = await api.get<{ items: BanBody[]; nextCursor?: string }>(`/v1/bans?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    expect(rest.body.nextCursor).toBeUndefined();
    const listed = [...first.body.items, ...rest.body.items];
    expect(listed.map((b) => b.ip).sort()).toEqual(['192.0.2.10', '192.0.2.11', '2001:db8:5:6::/64']);
    expect(Object.keys(listed[0]!).sort()).toEqual(['bannedAt', 'ip', 'offences', 'score', 'until']);
    expect(listed[0]).toMatchObject({ offences: 1, score: 16 });
    expect(Date.parse(listed[0]!.until) - Date.parse(listed[0]!.bannedAt)).toBe(1800_000);

    expect((await api.delete('/v1/bans/192.0.2.10')).status).toBe(204);
    // The /64 as listed (URL-encoded) or any address inside it.
    expect((await api.delete(`/v1/bans/${encodeURIComponent('2001:db8:5:6::/64')}`)).status).toBe(204);
    expect((await api.get<{ items: BanBody[] }>('/v1/bans')).body.items.map((b) => b.ip)).toEqual(['192.0.2.11']);
    expect(await server.runtime.bruteForce.banOf('192.0.2.10')).toBeUndefined();

    await ban('2001:db8:5:6::1');
    expect((await api.delete('/v1/bans/2001:db8:5:6:ffff::9')).status).toBe(204);
    expect(await server.runtime.bruteForce.banOf('2001:db8:5:6::1')).toBeUndefined();

    const audit = server.logs.map((l) => l.audit as Record<string, unknown> | undefined).filter((a) => a?.action === 'ban.lift');
    expect(audit.map((a) => a?.id)).toEqual(['192.0.2.10', '2001:db8:5:6::/64', '2001:db8:5:6:ffff::9']);
    expect(audit[0]).toMatchObject({ actor: 'admin-token' });
  });

  it('lifting an address with no ban is 404; something that is no address is 422', async () => {
    const missing = await api.delete('/v1/bans/198.51.100.200');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('not_found');
    for (const bad of ['not-an-ip', encodeURIComponent('10.0.0.0/8'), encodeURIComponent('2001:db8::/48')]) {
      const res = await api.delete(`/v1/bans/${bad}`);
      expect(res.status, bad).toBe(422);
      expect(res.body.error?.code).toBe('invalid_argument');
    }
  });

  it('a lifted address starts from zero', async () => {
    await ban('192.0.2.50');
    expect((await api.delete('/v1/bans/192.0.2.50')).status).toBe(204);
    expect(await server.runtime.bruteForce.recordFailure('192.0.2.50', 'unknown_user')).toBeUndefined();
    expect(await server.runtime.bruteForce.banOf('192.0.2.50')).toBeUndefined();
  });

  it('bad paging is 400; everything needs the token', async () => {
    expect((await api.get('/v1/bans?limit=0')).status).toBe(400);
    expect((await api.get('/v1/bans?cursor=forged')).status).toBe(422);
    expect((await api.get('/v1/bans', { token: null })).status).toBe(401);
    expect((await api.delete('/v1/bans/192.0.2.11', { token: null })).status).toBe(401);
    expect(await server.runtime.bruteForce.banOf('192.0.2.11')).toBeDefined();
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await api.get<{ paths: Record<string, Record<string, unknown>> }>('/v1/openapi.json', { token: null })).body;
    expect(Object.keys(doc.paths['/v1/bans'] ?? {})).toContain('get');
    expect(Object.keys(doc.paths['/v1/bans/{ip}'] ?? {})).toContain('delete');
  });
});
