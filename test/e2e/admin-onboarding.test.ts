// Onboarding a partner over the admin API, then the partner's OpenSSH client: what an
// admin changes applies to the very next login, without a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Flow, Organization } from '../../src/core/model.js';
import type { EndpointView } from '../../src/core/tenancy/endpoints.js';
import type { PublicKeyView, UserView } from '../../src/core/tenancy/users.js';
import { createLogger } from '../../src/log.js';
import { startLocal, type LocalRuntime } from '../../src/runtime/local.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { adminApi, type AdminApi } from '../support/admin-api.js';
import { generateKey, sftpBatch, type ClientKey } from '../support/openssh.js';

let server: TestServer;
let api: AdminApi;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  api = adminApi(server);
  work = mkdtempSync(join(tmpdir(), 'thru-onboard-'));
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a partner onboarded over HTTP', () => {
  let key: ClientKey;
  let user: UserView;
  let endpoint: EndpointView;
  let org: Organization;
  const password = 'partner-password-0123';
  const local = () => join(work, 'report.csv');

  it('organization -> endpoint -> flow -> user over HTTP, then sftp uploads into the flow folder', async () => {
    org = (await api.post<Organization>('/v1/organizations', { name: 'Acme Bank' })).body;
    const ep = await api.post<EndpointView>(`/v1/organizations/${org.id}/endpoints`, { name: 'acme-sftp', type: 'thru-sftp-server', config: { idleTimeoutSeconds: 300 } });
    expect(ep.status).toBe(201);
    endpoint = ep.body;
    expect(endpoint.publicUrl).toBe(`sftp://127.0.0.1:${server.port}`);
    const flow = await api.post<Flow>(`/v1/organizations/${org.id}/flows`, { name: 'acme-in', sources: [{ endpointId: endpoint.id, path: '/in' }] });
    expect(flow.status).toBe(201);
    key = generateKey('ed25519');
    const created = await api.post<UserView>(`/v1/flow-endpoints/${flow.body.sources[0]!.id}/users`, {
      username: 'acme', password, publicKeys: [key.publicKey], homeDirectory: '/acme', permissions: ['list', 'upload', 'download', 'rename'],
    });
    expect(created.status, created.text).toBe(201);
    user = created.body;

    writeFileSync(local(), 'id,amount\n1,100\n');
    const r = await sftpBatch(server.port, { user: 'acme', key }, [`put ${local()} report.csv.filepart`, 'rename report.csv.filepart report.csv', 'ls']);
    expect(r.code, r.stderr).toBe(0);
    const onDisk = join(server.dataDir, 'files', org.id, endpoint.id, 'in', 'acme', 'report.csv');
    expect(readFileSync(onDisk, 'utf8')).toBe('id,amount\n1,100\n');
    // The permissions set over HTTP hold: no mkdir.
    const denied = await sftpBatch(server.port, { user: 'acme', key }, ['mkdir sub']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/Permission denied/i);
  });

  it('the password set over HTTP logs in', async () => {
    const r = await sftpBatch(server.port, { user: 'acme', password }, ['ls']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('report.csv');
  });

  it('disabled over HTTP: the next login fails, with a key or a password; enabled again: it works', async () => {
    expect((await api.patch(`/v1/users/${user.id}`, { enabled: false })).status).toBe(200);
    const byKey = await sftpBatch(server.port, { user: 'acme', key }, ['ls']);
    expect(byKey.code).not.toBe(0);
    expect(byKey.stderr).toMatch(/Permission denied/i);
    const byPassword = await sftpBatch(server.port, { user: 'acme', password }, ['ls']);
    expect(byPassword.code).not.toBe(0);

    expect((await api.patch(`/v1/users/${user.id}`, { enabled: true })).status).toBe(200);
    const back = await sftpBatch(server.port, { user: 'acme', key }, ['ls']);
    expect(back.code, back.stderr).toBe(0);
  });

  it('a source address outside allowedCidrs is refused at the next login', async () => {
    expect((await api.patch(`/v1/users/${user.id}`, { allowedCidrs: ['192.0.2.0/24'] })).status).toBe(200);
    expect((await sftpBatch(server.port, { user: 'acme', key }, ['ls'])).code).not.toBe(0);
    expect((await api.patch(`/v1/users/${user.id}`, { allowedCidrs: ['127.0.0.0/8'] })).status).toBe(200);
    expect((await sftpBatch(server.port, { user: 'acme', key }, ['ls'])).code).toBe(0);
  });

  it('a key deleted over HTTP no longer logs in; a key added over HTTP does at once', async () => {
    const fingerprint = user.publicKeys[0]!.fingerprint;
    expect((await api.delete(`/v1/users/${user.id}/keys/${encodeURIComponent(fingerprint)}`)).status).toBe(204);
    const old = await sftpBatch(server.port, { user: 'acme', key }, ['ls']);
    expect(old.code).not.toBe(0);
    expect(old.stderr).toMatch(/Permission denied/i);
    // The password still works: only the key went.
    expect((await sftpBatch(server.port, { user: 'acme', password }, ['ls'])).code).toBe(0);

    const fresh = generateKey('ecdsa');
    const added = await api.post<PublicKeyView>(`/v1/users/${user.id}/keys`, { publicKey: fresh.publicKey });
    expect(added.status).toBe(201);
    const r = await sftpBatch(server.port, { user: 'acme', key: fresh }, ['ls']);
    expect(r.code, r.stderr).toBe(0);
  });

  it('a user deleted over HTTP cannot log in', async () => {
    expect((await api.delete(`/v1/users/${user.id}`)).status).toBe(204);
    expect((await sftpBatch(server.port, { user: 'acme', password }, ['ls'])).code).not.toBe(0);
  });
});

describe('the first-start demo, built through the tenancy services', () => {
  let runtime: LocalRuntime;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'thru-demo-'));
    const sink = new Writable({ write: (_c, _e, done) => done() });
    runtime = await startLocal({ sftpPort: 0, adminPort: 0, dataDir, bind: '127.0.0.1', logLevel: 'info', demo: true, adminToken: 'demo-admin-token-0123456789' }, createLogger('info', sink));
  });
  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs in with the printed password and shows up in the admin API', async () => {
    expect(runtime.demo?.username).toBe('demo');
    const r = await sftpBatch(runtime.sftpPort, { user: 'demo', password: runtime.demo!.password }, ['pwd']);
    expect(r.code, r.stderr).toBe(0);
    const res = await fetch(`http://127.0.0.1:${runtime.adminPort}/v1/flow-endpoints/${runtime.demo!.flowEndpointId}/users`, { headers: { authorization: 'Bearer demo-admin-token-0123456789' } });
    const body = (await res.json()) as { items: UserView[] };
    expect(body.items.map((u) => u.username)).toEqual(['demo']);
  });
});
