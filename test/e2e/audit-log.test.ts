// The audit log over real connections: one JSON line per event, named like AWS Transfer
// Family's structured logs ("activity-type", "session-id", "client-ip", "bytes-in"...),
// every line of a connection carrying its session id and, once logged in, the user and
// the server (endpoint) id; never a password.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { generateKey, sftpBatch, type ClientKey } from '../support/openssh.js';
import { call, connectSftp } from '../support/ssh2-client.js';
import { rawConnection } from '../support/tcp.js';
import { parsePublicKey } from '../../src/core/public-keys.js';

const PASSWORD = 'audit-secret-pass-9';
let server: TestServer;
let key: ClientKey;

type Line = Record<string, unknown>;

beforeAll(async () => {
  server = await startTestServer();
  key = generateKey('ed25519');
  await server.createUser({ username: 'audited', password: PASSWORD });
  await server.createUser({ username: 'audited-key', publicKeys: [key.publicKey] });
});
afterAll(async () => {
  await server?.stop();
});

const events = (sessionId: unknown) => server.logs.filter((l) => l['session-id'] === sessionId && l['activity-type'] !== undefined);
const types = (lines: Line[]) => lines.map((l) => l['activity-type']);

describe('audit log', () => {
  it('logs every event of a session, correlated by session id, with user and server id after login', async () => {
    // A failed login first, on a connection of its own.
    await connectSftp(server.port, { username: 'audited', password: 'not-the-password-3' }).then((c) => c.end(), () => undefined);
    const failure = server.logs.find((l) => l['activity-type'] === 'AUTH_FAILURE' && l.user === 'audited');
    expect(failure).toMatchObject({ method: 'password', reason: 'bad_password', 'client-ip': '127.0.0.1' });
    expect(typeof failure?.['session-id']).toBe('string');

    const conn = await connectSftp(server.port, { username: 'audited', password: PASSWORD });
    const { sftp } = conn;
    const data = randomBytes(1000);
    await call(sftp.mkdir.bind(sftp), 'd');
    let h = await call<Buffer>(sftp.open.bind(sftp), 'd/a.txt', 'w');
    await call(sftp.write.bind(sftp), h, data, 0, data.length, 0);
    await call(sftp.close.bind(sftp), h);
    h = await call<Buffer>(sftp.open.bind(sftp), 'd/a.txt', 'r');
    await new Promise((ok, fail) => sftp.read(h, Buffer.alloc(2000), 0, 2000, 0, (err, n) => (err ? fail(err) : ok(n))));
    await call(sftp.close.bind(sftp), h);
    await call(sftp.rename.bind(sftp), 'd/a.txt', 'd/b.txt');
    await call(sftp.setstat.bind(sftp), 'd/b.txt', { mtime: 1_700_000_000, atime: 1_700_000_000 });
    await call(sftp.unlink.bind(sftp), 'd/b.txt');
    await call(sftp.rmdir.bind(sftp), 'd');
    // An upload the connection drops before CLOSE.
    h = await call<Buffer>(sftp.open.bind(sftp), 'part.filepart', 'w');
    await call(sftp.write.bind(sftp), h, data, 0, 10, 0);
    conn.end();
    await conn.closed;

    const success = server.logs.find((l) => l['activity-type'] === 'AUTH_SUCCESS' && l.user === 'audited')!;
    const sessionId = success['session-id'];
    const lines = await server.until('the session end', () => {
      const e = events(sessionId);
      return e.some((l) => l['activity-type'] === 'SESSION_END') ? e : undefined;
    });
    expect(types(lines)).toEqual([
      'CONNECTED', 'AUTH_SUCCESS', 'MKDIR', 'OPEN', 'CLOSE', 'OPEN', 'CLOSE', 'RENAME', 'SETSTAT', 'REMOVE', 'RMDIR', 'OPEN', 'PARTIAL_CLOSE', 'SESSION_END',
    ]);
    const byType = (t: string) => lines.filter((l) => l['activity-type'] === t);
    expect(byType('CONNECTED')[0]!['client-version']).toMatch(/^ssh2js/);
    expect(byType('AUTH_SUCCESS')[0]).toMatchObject({ method: 'password' });
    expect(byType('OPEN')[0]).toMatchObject({ path: '/d/a.txt', mode: 'WRITE|CREATE|TRUNCATE' });
    expect(byType('CLOSE')[0]).toMatchObject({ path: '/d/a.txt', 'bytes-in': 1000 });
    expect(byType('CLOSE')[1]).toMatchObject({ path: '/d/a.txt', 'bytes-out': 1000 });
    for (const close of byType('CLOSE')) expect(typeof close['duration-ms']).toBe('number');
    // Paths as resolved in the user's jail.
    expect(byType('RENAME')[0]).toMatchObject({ path: '/d/a.txt', 'new-path': '/d/b.txt' });
    expect(byType('SETSTAT')[0]).toMatchObject({ path: '/d/b.txt' });
    expect(byType('REMOVE')[0]).toMatchObject({ path: '/d/b.txt' });
    expect(byType('MKDIR')[0]).toMatchObject({ path: '/d' });
    expect(byType('RMDIR')[0]).toMatchObject({ path: '/d' });
    expect(byType('PARTIAL_CLOSE')[0]).toMatchObject({ path: '/part.filepart', 'bytes-in': 10, kept: true });
    expect(byType('SESSION_END')[0]).toMatchObject({ reason: 'client-disconnect' });
    expect(typeof byType('SESSION_END')[0]!['duration-ms']).toBe('number');
    // Every line of the connection: its address; from login on: who and which endpoint.
    for (const l of lines) expect(l['client-ip']).toBe('127.0.0.1');
    for (const l of lines.slice(1)) expect(l).toMatchObject({ user: 'audited', 'server-id': server.endpointId });
  });

  it('a key login logs the key fingerprint and type', async () => {
    expect((await sftpBatch(server.port, { user: 'audited-key', key }, ['pwd'])).code).toBe(0);
    const success = server.logs.find((l) => l['activity-type'] === 'AUTH_SUCCESS' && l.user === 'audited-key');
    expect(success).toMatchObject({
      method: 'publickey',
      'ssh-public-key-type': 'ssh-ed25519',
      'ssh-public-key-fingerprint': parsePublicKey(key.publicKey).fingerprint,
      'server-id': server.endpointId,
    });
  });

  it('a TCP probe that never speaks SSH (a load balancer health check) leaves no line', async () => {
    const probe = await rawConnection(server.port, { from: '127.0.0.50' });
    probe.socket.end();
    await probe.closed;
    // Then a real session from the same address, whose end is the sign that the server is done.
    (await connectSftp(server.port, { username: 'audited', password: PASSWORD, localAddress: '127.0.0.50' })).end();
    await server.until('the session end', () => server.logs.find((l) => l['client-ip'] === '127.0.0.50' && l['activity-type'] === 'SESSION_END'));
    expect(types(server.logs.filter((l) => l['client-ip'] === '127.0.0.50'))).toEqual(['CONNECTED', 'AUTH_SUCCESS', 'SESSION_END']);
  });

  it('never contains a password, right or wrong', () => {
    const text = JSON.stringify(server.logs);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('not-the-password-3');
    expect(server.logs.some((l) => 'password' in l)).toBe(false);
  });
});
