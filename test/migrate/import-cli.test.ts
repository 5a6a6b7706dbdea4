// `npx thru-sftp import transfer-family` as an admin runs it: a child process with AWS
// credentials in its environment, reaching a Transfer Family stand-in on loopback
// (AWS_ENDPOINT_URL_TRANSFER) through the real SDK, with its retries, and a running
// local server's admin API.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserView } from '../../src/core/tenancy/users.js';
import { readServer, transferClient } from '../../src/migrate/transfer-family-users.js';
import { adminApi, createTenant } from '../support/admin-api.js';
import { startFakeTransferFamily, type FakeTransferFamily } from '../support/fake-transfer-family.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { run } from '../support/openssh.js';
import { SERVER_ID, recordedServer } from '../support/transfer-family-recorded.js';

const BIN = resolve('bin/thru-sftp.js');
let server: TestServer;
let tf: FakeTransferFamily;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startTestServer();
  tf = await startFakeTransferFamily(recordedServer());
  env = {
    THRU_ADMIN_URL: `http://127.0.0.1:${server.runtime.adminPort}`, THRU_ADMIN_TOKEN: server.runtime.adminToken.token,
    AWS_ENDPOINT_URL_TRANSFER: tf.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_PROFILE: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
});
afterAll(async () => {
  await tf?.stop();
  await server?.stop();
});

const cli = (args: string[]) => run(process.execPath, [BIN, ...args], { env });

describe('the Transfer Family client', () => {
  it('retries throttled calls (the SDK\'s retries, as configured for the import) and reads every user', async () => {
    const before = tf.calls.length;
    tf.throttle('ListUsers', 2);
    tf.throttle('DescribeUser', 1);
    const client = transferClient({ region: 'us-east-1', endpoint: tf.endpoint, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
    const read = await readServer(client, SERVER_ID);
    expect(read.users).toHaveLength(10);
    const ops = tf.calls.slice(before).map((c) => c.operation);
    // DescribeServer, ListUsers three times (two throttled), ..., DescribeUser of the first user twice.
    expect(ops.slice(0, 5)).toEqual(['DescribeServer', 'ListUsers', 'ListUsers', 'ListUsers', 'DescribeUser']);
    expect(ops.filter((o) => o === 'ListUsers')).toHaveLength(4);
    expect(ops.filter((o) => o === 'DescribeUser')).toHaveLength(11);
  });
});

describe('thru-sftp import transfer-family', () => {
  it('dry-runs, imports, then finds nothing to change', async () => {
    const tenant = await createTenant(adminApi(server), 'cli-import');
    const args = ['import', 'transfer-family', '--server-id', SERVER_ID, '--flow-endpoint', tenant.flowEndpointId];

    const dry = await cli([...args, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^Transfer Family server s-0123456789abcdef0 -> flow endpoint fe-\w+ \(dry run: nothing is written\)$/m);
    expect(dry.stdout).toMatch(/^would create\s+alice\s+home \/alice \(from \/acme-tf\/home\/alice\)\s+enabled$/m);
    expect(dry.stdout).toMatch(/^refused\s+Dave\s+from \/acme-tf\/home\/Dave\n\s+username must be lower-case/m);
    expect(dry.stdout).toMatch(/10 users: 5 to create, 0 unchanged, 0 in conflict, 5 refused, 0 failed\n$/);
    const none = await adminApi(server).get<{ items: UserView[] }>(`/v1/flow-endpoints/${tenant.flowEndpointId}/users`);
    expect(none.body.items).toEqual([]);

    const real = await cli(args);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toMatch(/^created\s+carol\s+home \/carol \(from \/acme-tf\/home\/carol\)\s+DISABLED\n\s+no SSH public key on Transfer Family: created disabled/m);
    expect(real.stdout).toMatch(/10 users: 5 created, 0 unchanged, 0 in conflict, 5 refused, 0 failed\n$/);
    const created = await adminApi(server).get<{ items: UserView[] }>(`/v1/flow-endpoints/${tenant.flowEndpointId}/users`);
    expect(created.body.items.map((u) => u.username).sort()).toEqual(['alice', 'bob', 'carol', 'frank', 'heidi']);

    const again = await cli([...args, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as { counts: Record<string, number>; lines: { username: string; outcome: string }[] };
    expect(report.counts).toEqual({ created: 0, unchanged: 5, conflict: 0, refused: 5, failed: 0 });
    const text = await cli(args);
    expect(text.stdout).toMatch(/\nnothing changed\n$/);
  });

  it('says why it cannot read the server, and exits 1', async () => {
    const r = await cli(['import', 'transfer-family', '--server-id', 's-ffffffffffffffff0', '--flow-endpoint', server.flowEndpointId]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read Transfer Family server s-ffffffffffffffff0: ResourceNotFoundException/);
  });
});
