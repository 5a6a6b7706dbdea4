// The thru-sftp CLI (bin/thru-sftp.js, what `npx thru-sftp` runs) against a running
// server: a newcomer's partner onboarding in a few commands, then errors as exit codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Flow, Organization } from '../../src/core/model.js';
import type { EndpointView } from '../../src/core/tenancy/endpoints.js';
import type { UserView } from '../../src/core/tenancy/users.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { generateKey, run, sftpBatch } from '../support/openssh.js';

const BIN = resolve('bin/thru-sftp.js');
let server: TestServer;
let env: NodeJS.ProcessEnv;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  work = mkdtempSync(join(tmpdir(), 'thru-cli-'));
  env = { THRU_ADMIN_URL: `http://127.0.0.1:${server.runtime.adminPort}`, THRU_ADMIN_TOKEN: server.runtime.adminToken.token, THRU_DATA_DIR: join(work, 'no-data') };
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = env) => run(process.execPath, [BIN, ...args], { env: extraEnv });
async function cliJson<T>(args: string[]): Promise<T> {
  const r = await cli(args);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

describe('thru-sftp CLI', () => {
  it('creates an organization, endpoint, flow and a partner who can then log in', async () => {
    const org = await cliJson<Organization>(['orgs', 'create', 'Globex']);
    const ep = await cliJson<EndpointView>(['endpoints', 'create', '--org', org.id, '--name', 'globex-sftp', '--idle-timeout', '600']);
    expect(ep).toMatchObject({ type: 'thru-sftp-server', config: { idleTimeoutSeconds: 600 }, publicUrl: `sftp://127.0.0.1:${server.port}` });
    const flow = await cliJson<Flow>(['flows', 'create', '--org', org.id, '--name', 'globex-in', '--source', `${ep.id}:/in`]);
    expect(flow.sources[0]).toMatchObject({ endpointId: ep.id, path: '/in' });
    expect((await cliJson<Flow[]>(['flows', 'list'])).map((f) => f.id)).toContain(flow.id);

    const key = generateKey('ed25519');
    const user = await cliJson<UserView & { password: string }>([
      'users', 'create', 'globex', '--flow-endpoint', flow.sources[0]!.id, '--key', `${key.privateKeyFile}.pub`, '--generate-password', '--permissions', 'list,upload',
    ]);
    expect(user).toMatchObject({ username: 'globex', hasPassword: true, permissions: ['list', 'upload'] });
    expect(user.publicKeys).toHaveLength(1);
    expect((await sftpBatch(server.port, { user: 'globex', key }, ['ls'])).code).toBe(0);
    expect((await sftpBatch(server.port, { user: 'globex', password: user.password }, ['ls'])).code).toBe(0);
    expect((await cliJson<UserView[]>(['users', 'list', '--flow-endpoint', flow.sources[0]!.id])).map((u) => u.username)).toEqual(['globex']);

    // By username: disable, then the next login fails; enable again.
    expect((await cliJson<UserView>(['users', 'disable', 'globex'])).enabled).toBe(false);
    expect((await sftpBatch(server.port, { user: 'globex', key }, ['ls'])).code).not.toBe(0);
    expect((await cliJson<UserView>(['users', 'enable', user.id])).enabled).toBe(true);

    const removed = await cli(['users', 'remove-key', 'globex', user.publicKeys[0]!.fingerprint]);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await sftpBatch(server.port, { user: 'globex', key }, ['ls'])).code).not.toBe(0);

    const deleted = await cli(['users', 'delete', 'globex']);
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await cli(['users', 'get', 'globex']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('not_found');

    const refused = await cli(['orgs', 'delete', org.id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not_empty');
    expect((await cli(['orgs', 'delete', org.id, '--cascade'])).code).toBe(0);
    expect((await cli(['orgs', 'get', org.id])).code).toBe(1);
  });

  it('API errors come out on stderr with their code, and exit 1', async () => {
    const dup = await cli(['users', 'create', 'dup-user', '--flow-endpoint', server.flowEndpointId, '--generate-password']);
    expect(dup.code, dup.stderr).toBe(0);
    const again = await cli(['users', 'create', 'dup-user', '--flow-endpoint', server.flowEndpointId, '--generate-password']);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe('thru-sftp: already_exists: the username "dup-user" already exists\n');
    const weak = await cli(['users', 'create', 'weak-user', '--flow-endpoint', server.flowEndpointId, '--key', generateKey('rsa', 1024).publicKey]);
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain('RSA keys need at least 2048 bits');
    const badToken = await cli(['orgs', 'list'], { ...env, THRU_ADMIN_TOKEN: 'wrong-token-0123456789' });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toContain('unauthorized');
  });

  it('reads the token from the data directory when none is given', async () => {
    const dataDir = join(work, 'data');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'admin-token'), `${server.runtime.adminToken.token}\n`);
    const r = await cli(['orgs', 'list'], { THRU_ADMIN_URL: env.THRU_ADMIN_URL, THRU_DATA_DIR: dataDir, THRU_ADMIN_TOKEN: '' });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Organization[]).map((o) => o.id)).toContain(server.orgId);
    const none = await cli(['orgs', 'list'], { THRU_ADMIN_URL: env.THRU_ADMIN_URL, THRU_DATA_DIR: join(work, 'nowhere'), THRU_ADMIN_TOKEN: '' });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no admin token');
  });
});
