// Partner users over HTTP: creation rules, secrets never returned, deployment-wide
// usernames, key policy, key add/delete by fingerprint, updates and deletes.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flow } from '../../src/core/model.js';
import type { PublicKeyView, UserView } from '../../src/core/tenancy/users.js';
import { verifyPassword } from '../../src/core/passwords.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { adminApi, createTenant, type AdminApi } from '../support/admin-api.js';
import { generateKey, type ClientKey } from '../support/openssh.js';

let server: TestServer;
let api: AdminApi;
let fe: string;
let n = 0;
let ed25519: ClientKey;

beforeAll(async () => {
  server = await startTestServer();
  api = adminApi(server);
  fe = (await createTenant(api, 'users')).flowEndpointId;
  ed25519 = generateKey('ed25519');
});
afterAll(async () => {
  await server?.stop();
});

const username = () => `partner-${n++}`;
const sshFingerprint = (key: ClientKey) => execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${key.privateKeyFile}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
const usersOf = async (flowEndpointId: string) => (await api.get<{ items: UserView[] }>(`/v1/flow-endpoints/${flowEndpointId}/users?limit=100`)).body.items;
const create = (body: object, flowEndpointId = fe) => api.post<UserView>(`/v1/flow-endpoints/${flowEndpointId}/users`, body);

describe('creating users', () => {
  it('201 with the user; the password is hashed and neither it nor its hash is returned', async () => {
    const password = 'a-very-secret-password-1';
    const name = username();
    const res = await create({ username: name, password, publicKeys: [ed25519.publicKey], permissions: ['list', 'upload'], allowedCidrs: ['10.0.0.0/8', '192.0.2.7'], homeDirectory: '/acme/', expiresAt: '2031-02-03T04:05:06+01:00' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      username: name, flowEndpointId: fe, hasPassword: true, homeDirectory: '/acme', permissions: ['list', 'upload'],
      allowedCidrs: ['10.0.0.0/8', '192.0.2.7/32'], enabled: true, expiresAt: '2031-02-03T03:05:06.000Z',
    });
    expect(res.body.publicKeys).toEqual([expect.objectContaining({ fingerprint: sshFingerprint(ed25519), type: 'ssh-ed25519', comment: 'test-ed25519', publicKey: ed25519.publicKey })]);
    for (const text of [res.text, (await api.get(`/v1/users/${res.body.id}`)).text, (await api.get(`/v1/flow-endpoints/${fe}/users`)).text]) {
      expect(text).not.toContain(password);
      expect(text).not.toMatch(/passwordHash|\$scrypt\$/);
    }
    const stored = await server.runtime.directory.users.get(res.body.id);
    expect(stored?.passwordHash).toMatch(/^\$scrypt\$/);
    expect(await verifyPassword(password, stored!.passwordHash!)).toBe(true);
  });

  it('defaults: every permission, home "/", enabled, no password', async () => {
    const res = await create({ username: username(), publicKeys: [ed25519.publicKey] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ hasPassword: false, homeDirectory: '/', enabled: true, allowedCidrs: [], permissions: ['list', 'download', 'upload', 'overwrite', 'rename', 'delete', 'mkdir'] });
    expect(res.body).not.toHaveProperty('expiresAt');
  });

  it('a duplicate username is 409, also in another organization, and the first user is untouched', async () => {
    const name = username();
    const first = await create({ username: name, password: 'first-password-123' });
    expect(first.status).toBe(201);
    const elsewhere = await createTenant(api, `users-other-${n++}`);
    const dup = await create({ username: name, password: 'second-password-123' }, elsewhere.flowEndpointId);
    expect(dup.status).toBe(409);
    expect(dup.body.error).toEqual({ code: 'already_exists', message: `the username "${name}" already exists` });
    expect(await usersOf(elsewhere.flowEndpointId)).toEqual([]);
    const stored = await server.runtime.directory.users.getByUsername(name);
    expect(stored?.id).toBe(first.body.id);
    expect(await verifyPassword('first-password-123', stored!.passwordHash!)).toBe(true);
  });

  it.each([
    ['an upper-case username', { username: 'Acme' }, 422, 'lower-case'],
    ['a username with a space', { username: 'ac me' }, 422, 'username'],
    ['a username with a slash', { username: '../acme' }, 422, 'username'],
    ['a too long username', { username: 'a'.repeat(65) }, 422, 'username'],
    ['a short password', { password: 'short' }, 422, 'password'],
    ['path traversal in homeDirectory', { homeDirectory: '/../../etc' }, 422, 'homeDirectory'],
    ['a relative homeDirectory', { homeDirectory: 'acme' }, 422, 'homeDirectory'],
    ['a bad CIDR', { allowedCidrs: ['10.0.0.0/33'] }, 422, 'allowedCidrs'],
    ['a bad expiry', { expiresAt: 'next tuesday' }, 422, 'expiresAt'],
    ['an expiry without a time zone', { expiresAt: '2030-01-01T00:00:00' }, 422, 'expiresAt'],
    ['a garbage public key', { publicKeys: ['ssh-ed25519 not-base64!'] }, 422, 'publicKeys[0]'],
    ['an unknown permission', { permissions: ['list', 'admin'] }, 400, 'permissions'],
    ['a password that is not a string', { password: 12345678901234 }, 400, 'password'],
    ['an unknown field', { passwordHash: '$scrypt$...' }, 400, 'passwordHash'],
  ])('%s is refused and nothing is written', async (_label, extra, status, mention) => {
    const name = username();
    const res = await create({ username: name, password: 'a-long-enough-password', ...extra });
    expect(res.status, res.text).toBe(status);
    expect(res.body.error?.message).toContain(mention);
    expect(await server.runtime.directory.users.getByUsername('username' in extra ? extra.username : name)).toBeUndefined();
  });

  it('weak keys are 422: RSA 1024 and DSA; RSA 2048 and ECDSA pass', async () => {
    for (const [key, mention] of [[generateKey('rsa', 1024), 'RSA keys need at least 2048 bits'], [generateKey('dsa'), 'DSA keys are not accepted']] as const) {
      const name = username();
      // The weak key comes second: the good first key must not be stored either.
      const res = await create({ username: name, publicKeys: [ed25519.publicKey, key.publicKey] });
      expect(res.status, res.text).toBe(422);
      expect(res.body.error?.code).toBe('invalid_argument');
      expect(res.body.error?.message).toContain('publicKeys[1]');
      expect(res.body.error?.message).toContain(mention);
      expect(await server.runtime.directory.users.getByUsername(name)).toBeUndefined();
    }
    const ok = await create({ username: username(), publicKeys: [generateKey('rsa', 2048).publicKey, generateKey('ecdsa').publicKey] });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.publicKeys.map((k) => k.type)).toEqual(['ssh-rsa', 'ecdsa-sha2-nistp256']);
  });

  it('users live only in flow endpoints on SFTP endpoints; an unknown flow endpoint is 404', async () => {
    const t = await createTenant(api, `users-target-${n++}`);
    const dir = await api.post<{ id: string }>(`/v1/organizations/${t.orgId}/endpoints`, { name: 'dir', type: 'directory', config: { path: '/tmp/d' } });
    const flow = await api.patch<Flow>(`/v1/flows/${t.flowId}`, { targets: [{ endpointId: dir.body.id }] });
    const onDirectory = await create({ username: username(), password: 'a-long-enough-password' }, flow.body.targets[0]!.id);
    expect(onDirectory.status).toBe(422);
    const missing = await create({ username: username(), password: 'a-long-enough-password' }, 'fe-0000000000000000');
    expect(missing.status).toBe(404);
    expect((await api.get('/v1/flow-endpoints/fe-0000000000000000/users')).status).toBe(404);
  });
});

describe('reading, updating and deleting users', () => {
  it('list pages through the users of a flow endpoint', async () => {
    const t = await createTenant(api, `users-list-${n++}`);
    const names = [username(), username(), username()];
    for (const u of names) expect((await create({ username: u, publicKeys: [ed25519.publicKey] }, t.flowEndpointId)).status).toBe(201);
    const first = await api.get<{ items: UserView[]; nextCursor?: string }>(`/v1/flow-endpoints/${t.flowEndpointId}/users?limit=2`);
    expect(first.body.items).toHaveLength(2);
    const rest = await api.get<{ items: UserView[]; nextCursor?: string }>(`/v1/flow-endpoints/${t.flowEndpointId}/users?limit=2&cursor=${encodeURIComponent(first.body.nextCursor!)}`);
    expect(rest.body.items).toHaveLength(1);
    expect(rest.body.nextCursor).toBeUndefined();
    expect([...first.body.items, ...rest.body.items].map((u) => u.username).sort()).toEqual([...names].sort());
  });

  it('patch changes what it names; null removes the password and the expiry', async () => {
    const res = await create({ username: username(), password: 'original-password-1', expiresAt: '2030-01-01T00:00:00Z' });
    const id = res.body.id;
    const patched = await api.patch<UserView>(`/v1/users/${id}`, { enabled: false, permissions: ['download', 'list'], homeDirectory: '/x/y', allowedCidrs: ['2001:db8::/32'] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ enabled: false, permissions: ['list', 'download'], homeDirectory: '/x/y', allowedCidrs: ['2001:db8::/32'], hasPassword: true, expiresAt: '2030-01-01T00:00:00.000Z' });

    expect((await api.patch(`/v1/users/${id}`, { password: 'replacement-password-2' })).status).toBe(200);
    const stored = await server.runtime.directory.users.get(id);
    expect(await verifyPassword('replacement-password-2', stored!.passwordHash!)).toBe(true);

    const cleared = await api.patch<UserView>(`/v1/users/${id}`, { password: null, expiresAt: null });
    expect(cleared.body.hasPassword).toBe(false);
    expect(cleared.body).not.toHaveProperty('expiresAt');
    expect((await server.runtime.directory.users.get(id))?.passwordHash).toBeUndefined();
  });

  it('a bad patch is refused and changes nothing', async () => {
    const res = await create({ username: username(), password: 'original-password-1' });
    const before = await server.runtime.directory.users.get(res.body.id);
    for (const [body, status] of [
      [{ homeDirectory: '/a/../..' }, 422], [{ password: 'short' }, 422], [{ enabled: 'no' }, 400], [{ username: 'renamed' }, 400],
      [{ publicKeys: [ed25519.publicKey, generateKey('rsa', 1024).publicKey] }, 422], [{ allowedCidrs: ['nope'] }, 422],
    ] as const) {
      const bad = await api.patch(`/v1/users/${res.body.id}`, body);
      expect(bad.status, JSON.stringify(body)).toBe(status);
    }
    expect(await server.runtime.directory.users.get(res.body.id)).toEqual(before);
  });

  it('delete is 204, then 404 everywhere', async () => {
    const res = await create({ username: username(), password: 'original-password-1' });
    expect((await api.delete(`/v1/users/${res.body.id}`)).status).toBe(204);
    expect((await api.get(`/v1/users/${res.body.id}`)).status).toBe(404);
    expect((await api.patch(`/v1/users/${res.body.id}`, { enabled: true })).status).toBe(404);
    expect((await api.delete(`/v1/users/${res.body.id}`)).status).toBe(404);
    expect((await api.post(`/v1/users/${res.body.id}/keys`, { publicKey: ed25519.publicKey })).status).toBe(404);
    // The username is free again.
    expect((await create({ username: res.body.username, password: 'original-password-1' })).status).toBe(201);
  });
});

describe('public keys', () => {
  it('add returns the SHA256 fingerprint ssh-keygen prints; a duplicate is 409; delete by fingerprint', async () => {
    const user = (await create({ username: username(), password: 'a-long-enough-password' })).body;
    const key = generateKey('ed25519');
    const added = await api.post<PublicKeyView>(`/v1/users/${user.id}/keys`, { publicKey: key.publicKey });
    expect(added.status).toBe(201);
    expect(added.body.fingerprint).toBe(sshFingerprint(key));
    expect(added.body).toMatchObject({ type: 'ssh-ed25519', comment: 'test-ed25519' });
    const dup = await api.post(`/v1/users/${user.id}/keys`, { publicKey: `${key.publicKey.split(' ').slice(0, 2).join(' ')} other-comment` });
    expect(dup.status).toBe(409);
    expect((await api.get<UserView>(`/v1/users/${user.id}`)).body.publicKeys).toHaveLength(1);

    const path = `/v1/users/${user.id}/keys/${encodeURIComponent(added.body.fingerprint)}`;
    expect((await api.delete(path)).status).toBe(204);
    expect((await api.get<UserView>(`/v1/users/${user.id}`)).body.publicKeys).toEqual([]);
    expect((await api.delete(path)).status).toBe(404);
  });

  it('delete accepts the fingerprint without its prefix and in URL-safe base64', async () => {
    // Find keys whose fingerprints contain "+" or "/", so the URL-safe form differs.
    const user = (await create({ username: username(), password: 'a-long-enough-password' })).body;
    let key: ClientKey;
    let fp: string;
    do {
      key = generateKey('ed25519');
      fp = sshFingerprint(key);
    } while (!/[+/]/.test(fp));
    expect((await api.post(`/v1/users/${user.id}/keys`, { publicKey: key.publicKey })).status).toBe(201);
    const urlSafe = fp.slice('SHA256:'.length).replace(/\+/g, '-').replace(/\//g, '_');
    expect((await api.delete(`/v1/users/${user.id}/keys/${urlSafe}`)).status).toBe(204);
    expect((await api.get<UserView>(`/v1/users/${user.id}`)).body.publicKeys).toEqual([]);
  });

  it('a weak or malformed key is 422 and not added', async () => {
    const user = (await create({ username: username(), password: 'a-long-enough-password' })).body;
    for (const publicKey of [generateKey('rsa', 1024).publicKey, generateKey('dsa').publicKey, 'ssh-ed25519 AAAA', 'command="sh" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ']) {
      const res = await api.post(`/v1/users/${user.id}/keys`, { publicKey });
      expect(res.status, publicKey).toBe(422);
    }
    expect((await api.post(`/v1/users/${user.id}/keys`, { key: ed25519.publicKey })).status).toBe(400);
    expect((await api.get<UserView>(`/v1/users/${user.id}`)).body.publicKeys).toEqual([]);
  });

  it('deleting a key of an unknown user or an unknown key is 404', async () => {
    const user = (await create({ username: username(), publicKeys: [ed25519.publicKey] })).body;
    expect((await api.delete(`/v1/users/${user.id}/keys/SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(404);
    expect((await api.delete(`/v1/users/usr-0000000000000000/keys/${encodeURIComponent(user.publicKeys[0]!.fingerprint)}`)).status).toBe(404);
    expect((await api.get<UserView>(`/v1/users/${user.id}`)).body.publicKeys).toHaveLength(1);
  });
});
