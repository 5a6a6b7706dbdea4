// Per-user allowedCidrs over real connections to a dual-stack server ("::"): IPv4
// clients arrive as IPv4-mapped IPv6 (::ffff:127.0.0.1) and count as IPv4, IPv6 clients
// (::1) match IPv6 blocks only; bans of IPv6 clients cover their /64.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordAuthMethod } from 'ssh2';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { sftpBatch } from '../support/openssh.js';
import { connect, connectSftp } from '../support/ssh2-client.js';

const PASSWORD = 'src-pass-1';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ bind: '::' });
  const users: [string, string[]][] = [
    ['v4-loopback', ['127.0.0.0/8']],
    ['v4-one', ['127.0.0.5/32']],
    ['v4-mapped-block', ['::ffff:127.0.0.0/104']],
    ['v6-loopback', ['::1/128']],
    ['v6-all', ['::/0']],
    ['v4-all', ['0.0.0.0/0']],
    ['elsewhere', ['10.0.0.0/8', '2001:db8::/32']],
    ['anywhere', []],
  ];
  for (const [username, allowedCidrs] of users) await server.createUser({ username, password: PASSWORD, allowedCidrs });
});
afterAll(async () => {
  await server?.stop();
});

const login = (username: string, host: string, from?: string) =>
  connectSftp(server.port, { host, username, password: PASSWORD, ...(from ? { localAddress: from } : {}), readyTimeout: 5000 }).then(
    (c) => {
      c.end();
      return 'in';
    },
    () => 'refused',
  );

describe('allowedCidrs', () => {
  it('an IPv4 client (seen as ::ffff:127.0.0.1 by the dual-stack socket) matches IPv4 blocks and IPv4-mapped ones', async () => {
    expect(await login('v4-loopback', '127.0.0.1')).toBe('in');
    expect(await login('v4-mapped-block', '127.0.0.1')).toBe('in');
    expect(await login('v4-all', '127.0.0.1')).toBe('in');
    expect(await login('anywhere', '127.0.0.1')).toBe('in');
    expect(await login('v4-one', '127.0.0.1')).toBe('refused');
    expect(await login('v4-one', '127.0.0.1', '127.0.0.5')).toBe('in');
    expect(await login('v6-loopback', '127.0.0.1')).toBe('refused');
    expect(await login('elsewhere', '127.0.0.1')).toBe('refused');
    // Logged as plain IPv4.
    expect(server.logs.some((l) => l['activity-type'] === 'AUTH_SUCCESS' && l.user === 'v4-loopback' && l['client-ip'] === '127.0.0.1')).toBe(true);
  });

  it('an IPv6 client (::1) matches IPv6 blocks only', async () => {
    expect(await login('v6-loopback', '::1')).toBe('in');
    expect(await login('v6-all', '::1')).toBe('in');
    expect(await login('anywhere', '::1')).toBe('in');
    expect(await login('v4-loopback', '::1')).toBe('refused');
    expect(await login('v4-all', '::1')).toBe('refused');
    expect(await login('elsewhere', '::1')).toBe('refused');
    expect(server.logs.some((l) => l['activity-type'] === 'AUTH_SUCCESS' && l.user === 'v6-loopback' && l['client-ip'] === '::1')).toBe(true);
    expect(server.logs.some((l) => l.user === 'v4-all' && l.reason === 'source_ip_not_allowed' && l['client-ip'] === '::1')).toBe(true);
  });

  it('the OpenSSH client over IPv6 too', async () => {
    expect((await sftpBatch(server.port, { user: 'v6-loopback', password: PASSWORD }, ['pwd'], { host: '::1' })).code).toBe(0);
    const r = await sftpBatch(server.port, { user: 'v4-loopback', password: PASSWORD }, ['pwd'], { host: '::1' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Permission denied/);
  });
});

describe('bans by address family', () => {
  it('an IPv6 client is banned by /64; IPv4 clients are not affected', async () => {
    const attempts: PasswordAuthMethod[] = Array.from({ length: 10 }, (_, i) => ({ type: 'password', username: 'nobody', password: `g${i}` }));
    await connect(server.port, { host: '::1', username: 'nobody', authHandler: attempts }).then((c) => c.end(), () => undefined);
    const ban = await server.until('the ban', () => server.logs.find((l) => l['activity-type'] === 'BAN'));
    expect(ban.ban).toBe('::/64');
    expect(await login('anywhere', '::1')).toBe('refused');
    expect(await login('anywhere', '127.0.0.1', '127.0.0.9')).toBe('in');
  });
});
