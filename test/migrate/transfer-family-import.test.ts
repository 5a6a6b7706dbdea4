// The Transfer Family import against recorded Transfer Family answers (aws-sdk-client-mock:
// there is no local Transfer Family) and a real local server's admin API: pagination,
// users with several keys, LOGICAL homes, what is refused and why, users without keys,
// a dry run that writes nothing, and a rerun that changes nothing.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeServerCommand, DescribeUserCommand, ListUsersCommand, TransferClient } from '@aws-sdk/client-transfer';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdminClient } from '../../src/cli/client.js';
import { formatReport } from '../../src/migrate/report.js';
import { importTransferFamilyUsers, type ImportReport, type ReportLine } from '../../src/migrate/transfer-family.js';
import { NotServiceManaged, readServer } from '../../src/migrate/transfer-family-users.js';
import type { UserView } from '../../src/core/tenancy/users.js';
import { adminApi, createTenant } from '../support/admin-api.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { sftpBatch, type ClientKey } from '../support/openssh.js';
import { SERVER_ID, recordedServer, type RecordedServer } from '../support/transfer-family-recorded.js';

// Asymmetric matchers are typed any; inside object literals they need a type.
const matching = (re: RegExp): string => expect.stringMatching(re) as string;
const containing = (text: string): string => expect.stringContaining(text) as string;

const transfer = mockClient(TransferClient);
let recorded: RecordedServer;
let server: TestServer;
let api: AdminClient;

function replay(r: RecordedServer, identityProviderType = 'SERVICE_MANAGED') {
  transfer.reset();
  transfer.on(DescribeServerCommand, { ServerId: SERVER_ID }).resolves({ Server: { ...r.server, IdentityProviderType: identityProviderType as 'SERVICE_MANAGED' } });
  transfer.on(ListUsersCommand, { ServerId: SERVER_ID, NextToken: undefined }).resolves({ ServerId: SERVER_ID, Users: r.pages[0], NextToken: 'page-2' });
  transfer.on(ListUsersCommand, { ServerId: SERVER_ID, NextToken: 'page-2' }).resolves({ ServerId: SERVER_ID, Users: r.pages[1] });
  for (const [name, user] of Object.entries(r.users)) transfer.on(DescribeUserCommand, { ServerId: SERVER_ID, UserName: name }).resolves({ ServerId: SERVER_ID, User: user });
}

const fingerprint = (k: ClientKey) => execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${k.privateKeyFile}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
const lineOf = (report: ImportReport, username: string): ReportLine => report.lines.find((l) => l.username === username)!;
const usersOf = async (flowEndpointId: string) => new Map((await api.all<UserView>(`flow-endpoints/${flowEndpointId}/users`)).map((u) => [u.username, u]));

beforeAll(async () => {
  recorded = recordedServer();
  server = await startTestServer();
  api = new AdminClient(`http://127.0.0.1:${server.runtime.adminPort}/v1/`, server.runtime.adminToken.token);
});
afterAll(async () => {
  transfer.restore();
  await server?.stop();
});
beforeEach(() => replay(recorded));

describe('reading a Transfer Family server', () => {
  it('follows ListUsers pages and describes every user', async () => {
    const tf = await readServer(new TransferClient({ region: 'us-east-1' }), SERVER_ID);
    expect(tf.users.map((u) => u.username)).toEqual(Object.keys(recorded.users));
    // Page 1 answers only a call without NextToken (the replay above), page 2 only 'page-2'.
    expect(transfer.commandCalls(ListUsersCommand)).toHaveLength(2);
    expect(transfer.commandCalls(DescribeUserCommand)).toHaveLength(Object.keys(recorded.users).length);
    expect(tf.users.find((u) => u.username === 'alice')).toMatchObject({ keys: [{ id: 'key-0aaa', importedAt: '2024-03-01T10:00:00.000Z' }, { id: 'key-0aab' }], tags: { partner: 'Alice Corp' } });
  });

  it('refuses a server whose users live in another identity provider', async () => {
    replay(recorded, 'AWS_LAMBDA');
    await expect(readServer(new TransferClient({ region: 'us-east-1' }), SERVER_ID)).rejects.toThrow(NotServiceManaged);
    expect(transfer.commandCalls(ListUsersCommand)).toHaveLength(0);
  });
});

describe('importing into a flow endpoint', () => {
  let tenant: Awaited<ReturnType<typeof createTenant>>;
  let first: ImportReport;

  beforeAll(async () => {
    replay(recorded);
    tenant = await createTenant(adminApi(server), 'tf-import');
    // Someone already has this name elsewhere, with another home.
    await server.createUser({ username: 'heidi', homeDirectory: '/elsewhere', publicKeys: [recorded.keys.other.publicKey] });
    const tf = await readServer(new TransferClient({ region: 'us-east-1' }), SERVER_ID);
    first = await importTransferFamilyUsers({ api, server: tf, flowEndpointId: tenant.flowEndpointId });
  });

  it('creates users with every key, fingerprinted as ssh-keygen does, in homes under the flow endpoint', async () => {
    const users = await usersOf(tenant.flowEndpointId);
    const alice = users.get('alice')!;
    expect(alice).toMatchObject({ homeDirectory: '/alice', enabled: true, hasPassword: false });
    expect(alice.publicKeys.map((k) => k.fingerprint)).toEqual([fingerprint(recorded.keys.aliceEd), fingerprint(recorded.keys.aliceRsa)]);
    expect(lineOf(first, 'alice')).toMatchObject({ outcome: 'created', userId: alice.id, source: '/acme-tf/home/alice', home: '/alice' });
    expect(lineOf(first, 'alice').keys.map((k) => k.fingerprint)).toEqual(alice.publicKeys.map((k) => k.fingerprint));
    // A LOGICAL "/" mapping is a home like any other; ${transfer:UserName} is the username.
    expect(users.get('bob')).toMatchObject({ homeDirectory: '/bob', enabled: true, publicKeys: [{ fingerprint: fingerprint(recorded.keys.bobEcdsa) }] });
  });

  it('lets the imported partner log in with the key they used on Transfer Family, into their home', async () => {
    const login = await sftpBatch(server.port, { user: 'alice', key: recorded.keys.aliceRsa }, ['mkdir reports', 'ls']);
    expect(login.code, login.stderr).toBe(0);
    expect(statSync(join(server.dataDir, 'files', tenant.orgId, tenant.endpointId, 'alice', 'reports')).isDirectory()).toBe(true);
  });

  it('creates users without a usable key disabled, saying so', async () => {
    const users = await usersOf(tenant.flowEndpointId);
    expect(users.get('carol')).toMatchObject({ enabled: false, publicKeys: [] });
    expect(lineOf(first, 'carol')).toMatchObject({ outcome: 'created', enabled: false });
    expect(lineOf(first, 'carol').notes.join('\n')).toMatch(/no SSH public key on Transfer Family: created disabled/);
    // frank's 1024-bit RSA key is refused, his Ed25519 key kept.
    expect(users.get('frank')).toMatchObject({ enabled: true, homeDirectory: '/frank', publicKeys: [{ fingerprint: fingerprint(recorded.keys.frankEd) }] });
    expect(lineOf(first, 'frank').keys).toEqual([
      { id: 'key-0fff', fingerprint: fingerprint(recorded.keys.frankWeak), kept: false, reason: matching(/at least 2048 bits/) },
      { id: 'key-0ff0', fingerprint: fingerprint(recorded.keys.frankEd), kept: true },
    ]);
  });

  it('refuses what it cannot carry over, with the reason, and never renames', async () => {
    const users = await usersOf(tenant.flowEndpointId);
    for (const name of ['Dave', 'dave', 'erin', 'grace', 'ivan', 'judy']) expect(users.has(name), name).toBe(false);
    expect(lineOf(first, 'Dave')).toMatchObject({ outcome: 'refused', reason: matching(/lower-case: "dave".*not renamed/) });
    expect(lineOf(first, 'erin')).toMatchObject({ outcome: 'refused', reason: matching(/virtual folders \(\/in -> \/acme-tf\/in\/erin, \/out -> \/acme-tf\/out\/erin\)/) });
    expect(lineOf(first, 'grace')).toMatchObject({ outcome: 'refused', reason: matching(/no home directory/) });
    expect(lineOf(first, 'ivan')).toMatchObject({ outcome: 'refused', reason: matching(/\/acme-tf\/a\/shared and judy \(\/acme-tf\/b\/shared\) would share the home \/shared/) });
    expect(lineOf(first, 'judy').outcome).toBe('refused');
  });

  it('reports a user that exists with differences as a conflict and leaves it alone', async () => {
    expect(lineOf(first, 'heidi')).toMatchObject({ outcome: 'conflict', home: '/heidi', reason: matching(/belongs to flow endpoint .*its home is \/elsewhere, not \/heidi/) });
    const heidi = (await usersOf(server.flowEndpointId)).get('heidi')!;
    expect(heidi.homeDirectory).toBe('/elsewhere');
    expect(first.counts).toEqual({ created: 4, unchanged: 0, conflict: 1, refused: 5, failed: 0 });
  });

  it('changes nothing on a second run, and says so', async () => {
    const before = await usersOf(tenant.flowEndpointId);
    const tf = await readServer(new TransferClient({ region: 'us-east-1' }), SERVER_ID);
    const second = await importTransferFamilyUsers({ api, server: tf, flowEndpointId: tenant.flowEndpointId });
    expect(second.counts).toEqual({ created: 0, unchanged: 4, conflict: 1, refused: 5, failed: 0 });
    expect(lineOf(second, 'carol')).toMatchObject({ outcome: 'unchanged', reason: matching(/already imported/) });
    expect(await usersOf(tenant.flowEndpointId)).toEqual(before);
    expect(formatReport(second)).toMatch(/10 users: 0 created, 4 unchanged, 1 in conflict, 5 refused, 0 failed\nnothing changed\n$/);
  });

  it('sees keys changed on either side as a conflict', async () => {
    const alice = (await usersOf(tenant.flowEndpointId)).get('alice')!;
    await api.request('DELETE', `users/${alice.id}/keys/${encodeURIComponent(alice.publicKeys[1]!.fingerprint)}`);
    const tf = await readServer(new TransferClient({ region: 'us-east-1' }), SERVER_ID);
    const third = await importTransferFamilyUsers({ api, server: tf, flowEndpointId: tenant.flowEndpointId });
    expect(lineOf(third, 'alice')).toMatchObject({ outcome: 'conflict', reason: containing(`it lacks the key ${fingerprint(recorded.keys.aliceRsa)}`) });
    expect((await usersOf(tenant.flowEndpointId)).get('alice')!.publicKeys).toHaveLength(1);
  });
});

describe('a dry run', () => {
  it('prints what would happen and writes nothing', async () => {
    const tenant = await createTenant(adminApi(server), 'tf-dry');
    const tf = await readServer(new TransferClient({ region: 'us-east-1' }), SERVER_ID);
    const report = await importTransferFamilyUsers({ api, server: tf, flowEndpointId: tenant.flowEndpointId, dryRun: true, base: '/acme-tf' });
    // With --base, homes keep their path below it, so ivan and judy no longer collide.
    expect(lineOf(report, 'ivan')).toMatchObject({ outcome: 'created', home: '/a/shared' });
    expect(lineOf(report, 'judy')).toMatchObject({ outcome: 'created', home: '/b/shared' });
    // Usernames are unique in the deployment: alice was imported into another flow endpoint.
    expect(lineOf(report, 'alice')).toMatchObject({ outcome: 'conflict', home: '/home/alice', reason: matching(/belongs to flow endpoint/) });
    expect(report.counts).toEqual({ created: 2, unchanged: 0, conflict: 5, refused: 3, failed: 0 });
    const text = formatReport(report);
    expect(text).toMatch(/dry run: nothing is written/);
    expect(text).toMatch(/would create\s+ivan\s+home \/a\/shared \(from \/acme-tf\/a\/shared\)\s+enabled/);
    expect(text).toMatch(/10 users: 2 to create, 0 unchanged, 5 in conflict, 3 refused, 0 failed\n$/);
    expect(await usersOf(tenant.flowEndpointId)).toEqual(new Map());
  });

  it('stops on a flow endpoint that does not exist', async () => {
    const tf = await readServer(new TransferClient({ region: 'us-east-1' }), SERVER_ID);
    await expect(importTransferFamilyUsers({ api, server: tf, flowEndpointId: 'fe-0000000000000000', dryRun: true })).rejects.toThrow(/no flow endpoint fe-0000000000000000/);
  });
});
