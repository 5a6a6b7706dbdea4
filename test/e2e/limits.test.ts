// Every SSH and SFTP limit, set low on one server: each test hits its limit over real
// connections, sees a clean refusal, and checks that another user's session is
// unaffected. Clients come from distinct loopback addresses (127.0.0.x) where a limit is
// per address.
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ssh2, { type Client, type FileEntry, type SFTPWrapper } from 'ssh2';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { call, connect, connectSftp, statusOf, type Connected } from '../support/ssh2-client.js';
import { sftpBatch } from '../support/openssh.js';
import { rawConnection as rawTcp } from '../support/tcp.js';
import { MAX_WRITE_LENGTH } from '../../src/sftp/extensions.js';

const { STATUS_CODE } = ssh2.utils.sftp;

const LIMITS = { loginGraceSeconds: 2, maxConnectionsPerIp: 3, maxSessionsPerUser: 2, maxSessionsPerConnection: 2, maxOpenHandles: 4, listPageSize: 7 };
const PASSWORD = 'limits-pass-1';

let server: TestServer;
/** A logged-in bystander: every test checks that it still works. */
let bystander: Connected;
const open: { end(): void }[] = [];

beforeAll(async () => {
  server = await startTestServer({ sshLimits: LIMITS });
  for (const u of ['bystander', 'auth', 'sess', 'ip1', 'ip2', 'ip3', 'ip4', 'chan', 'handles', 'reads', 'lists']) {
    await server.createUser({ username: `lim-${u}`, password: PASSWORD });
  }
  bystander = await login('bystander', '127.0.0.30');
});
afterAll(async () => {
  for (const c of open) c.end();
  bystander?.end();
  await server?.stop();
});

async function login(user: string, from: string): Promise<Connected> {
  const c = await connectSftp(server.port, { username: `lim-${user}`, password: PASSWORD, localAddress: from });
  open.push(c);
  return c;
}

async function bystanderWorks(): Promise<void> {
  expect(await call<string>(bystander.sftp.realpath.bind(bystander.sftp), '.')).toBe('/');
}

const failureOf = (p: Promise<{ end(): void }>) =>
  p.then(
    (c) => {
      c.end();
      return { message: 'logged in', code: undefined as unknown };
    },
    (err: Error & { code?: unknown }) => ({ message: err.message, code: err.code }),
  );

const rawConnection = (from: string, send?: string) => rawTcp(server.port, { from, send });

const sessionLogs = (ip: string) => server.logs.filter((l) => l['client-ip'] === ip);

describe('limits', () => {
  it('authentication attempts: the 6th failure ends the connection with NO_MORE_AUTH_METHODS', async () => {
    const attempts = Array.from({ length: 10 }, (_, i) => ({ type: 'password' as const, username: 'lim-auth', password: `wrong-${i}` }));
    const outcome = await failureOf(connect(server.port, { username: 'lim-auth', authHandler: attempts, localAddress: '127.0.0.31' }));
    expect(outcome.code).toBe(14);
    const logs = sessionLogs('127.0.0.31');
    expect(logs.filter((l) => l['activity-type'] === 'AUTH_FAILURE')).toHaveLength(6);
    expect(await server.until('the session end', () => sessionLogs('127.0.0.31').find((l) => l['activity-type'] === 'SESSION_END'))).toMatchObject({
      reason: 'too-many-auth-failures',
    });
    // The same with OpenSSH, which offers more password prompts than the limit.
    const r = await sftpBatch(server.port, { user: 'lim-auth', password: 'wrong' }, ['pwd'], { from: '127.0.0.32', extraArgs: ['-o', 'NumberOfPasswordPrompts=10'] });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Received disconnect from 127\.0\.0\.1 port \d+:14:/);
    // The account itself is fine.
    (await login('auth', '127.0.0.31')).end();
    await bystanderWorks();
  });

  it('login grace: a connection that does not log in in time is closed, silent or stuck after its identification', async () => {
    const silent = await rawConnection('127.0.0.33');
    const identOnly = await rawConnection('127.0.0.34', 'SSH-2.0-slowpoke\r\n');
    // The server's identification only; with the client's, its key exchange offer too.
    expect(await silent.closed).toBe('SSH-2.0-thru-sftp\r\n');
    expect((await identOnly.closed).length).toBeGreaterThan('SSH-2.0-thru-sftp\r\n'.length);
    for (const ip of ['127.0.0.33', '127.0.0.34']) {
      await server.until(`the session end of ${ip}`, () => sessionLogs(ip).find((l) => l['activity-type'] === 'SESSION_END'));
      expect(sessionLogs(ip).find((l) => l['activity-type'] === 'SESSION_END')).toMatchObject({ reason: 'login-grace-timeout' });
    }
    // The bystander logged in long before; its session outlives the grace time.
    await bystanderWorks();
  });

  it('connections per address: the 4th from one address is refused before key exchange', async () => {
    const held = [await login('ip1', '127.0.0.35'), await login('ip2', '127.0.0.35'), await login('ip3', '127.0.0.35')];
    const fourth = await failureOf(connectSftp(server.port, { username: 'lim-ip4', password: PASSWORD, localAddress: '127.0.0.35' }));
    expect(fourth.message).not.toBe('logged in');
    const raw = await rawConnection('127.0.0.35');
    expect(await raw.closed).toBe('too many connections from your address\r\n');
    expect(sessionLogs('127.0.0.35').filter((l) => l['activity-type'] === 'CONNECTION_REFUSED' && l.reason === 'too-many-connections-from-address')).toHaveLength(2);
    // Another address is unaffected; and a slot freed is a slot.
    (await login('ip4', '127.0.0.36')).end();
    held[0]!.end();
    await held[0]!.closed;
    (await login('ip4', '127.0.0.35')).end();
    held.slice(1).forEach((c) => c.end());
    await bystanderWorks();
  });

  it('sessions per user: the 3rd login of one user is disconnected with TOO_MANY_CONNECTIONS', async () => {
    const first = await login('sess', '127.0.0.37');
    const second = await login('sess', '127.0.0.38');
    const third = await failureOf(connectSftp(server.port, { username: 'lim-sess', password: PASSWORD, localAddress: '127.0.0.39' }));
    expect(third).toEqual({ message: 'TOO_MANY_CONNECTIONS', code: 12 });
    const r = await sftpBatch(server.port, { user: 'lim-sess', password: PASSWORD }, ['pwd'], { from: '127.0.0.39' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Received disconnect from 127\.0\.0\.1 port \d+:12:/);
    expect(sessionLogs('127.0.0.39').filter((l) => l.reason === 'too-many-sessions-for-user' && l['activity-type'] === 'CONNECTION_REFUSED')).toHaveLength(2);
    // The two sessions work; the limit is the user's, not the address's; a slot freed is a slot.
    expect(await call<string>(second.sftp.realpath.bind(second.sftp), '.')).toBe('/');
    first.end();
    await first.closed;
    (await login('sess', '127.0.0.39')).end();
    second.end();
    await bystanderWorks();
  });

  it('channels per connection: a 3rd SFTP channel is refused, the connection and the others keep working', async () => {
    const conn = await connect(server.port, { username: 'lim-chan', password: PASSWORD, localAddress: '127.0.0.40' });
    open.push(conn);
    const channel = (c: Client) => new Promise<SFTPWrapper>((ok, fail) => c.sftp((err, s) => (err ? fail(err) : ok(s))));
    const a = await channel(conn);
    const b = await channel(conn);
    await expect(channel(conn)).rejects.toThrow();
    expect(server.logs.some((l) => l.user === 'lim-chan' && l['activity-type'] === 'CHANNEL_REFUSED')).toBe(true);
    expect(await call<string>(a.realpath.bind(a), '.')).toBe('/');
    b.end();
    await new Promise((r) => b.once('close', r));
    const c = await channel(conn);
    expect(await call<string>(c.realpath.bind(c), '.')).toBe('/');
    conn.end();
    await bystanderWorks();
  });

  it('open handles: the 5th is refused with a status, and closing one frees a slot', async () => {
    mkdirSync(server.fileOnDisk(''), { recursive: true });
    for (let i = 0; i < 6; i++) writeFileSync(server.fileOnDisk(`h${i}.txt`), `file ${i}`);
    const { sftp } = await login('handles', '127.0.0.41');
    const handles: Buffer[] = [];
    for (let i = 0; i < 3; i++) handles.push(await call<Buffer>(sftp.open.bind(sftp), `h${i}.txt`, 'r'));
    handles.push(await call<Buffer>(sftp.opendir.bind(sftp), '/'));
    const refused = await call(sftp.open.bind(sftp), 'h4.txt', 'r').then(() => undefined, (err: Error & { code?: number }) => err);
    expect(refused?.code).toBe(STATUS_CODE.FAILURE);
    expect(refused?.message).toMatch(/too many open handles \(limit 4\)/);
    expect(await statusOf(call(sftp.opendir.bind(sftp), '/'))).toBe(STATUS_CODE.FAILURE);
    // Another session of the same user has its own handles.
    const other = await login('handles', '127.0.0.42');
    await call(other.sftp.close.bind(other.sftp), await call<Buffer>(other.sftp.open.bind(other.sftp), 'h5.txt', 'r'));
    await call(sftp.close.bind(sftp), handles.pop()!);
    const again = await call<Buffer>(sftp.open.bind(sftp), 'h4.txt', 'r');
    await call(sftp.close.bind(sftp), again);
    await bystanderWorks();
  });

  it('READ length: a READ of 1 MB is answered with at most 261120 bytes', async () => {
    const data = randomBytes(1024 * 1024);
    writeFileSync(server.fileOnDisk('big.bin'), data);
    const { sftp } = await login('reads', '127.0.0.43');
    const handle = await call<Buffer>(sftp.open.bind(sftp), 'big.bin', 'r');
    // ssh2's client splits reads to what limits@openssh.com announced: lift that, to send one big READ.
    (sftp as unknown as { _maxReadLen: number })._maxReadLen = 1_000_000;
    const buffer = Buffer.alloc(1_000_000);
    const got = await new Promise<number>((ok, fail) => sftp.read(handle, buffer, 0, 1_000_000, 4096, (err, n) => (err ? fail(err) : ok(n))));
    expect(got).toBe(261_120);
    expect(buffer.subarray(0, got).equals(data.subarray(4096, 4096 + got))).toBe(true);
    await call(sftp.close.bind(sftp), handle);
    await bystanderWorks();
  });

  it('listing page size: each READDIR reply has at most 7 entries, and the listing is complete', async () => {
    const { sftp } = await login('lists', '127.0.0.44');
    await call(sftp.mkdir.bind(sftp), 'many');
    for (let i = 0; i < 20; i++) writeFileSync(server.fileOnDisk(`many/f${String(i).padStart(2, '0')}`), '');
    const handle = await call<Buffer>(sftp.opendir.bind(sftp), 'many');
    const pages: string[][] = [];
    for (;;) {
      const page = await call<FileEntry[]>(sftp.readdir.bind(sftp), handle).catch((err: Error & { code?: number }) => {
        if (err.code === STATUS_CODE.EOF) return undefined;
        throw err;
      });
      if (!page) break;
      pages.push(page.map((e) => e.filename));
    }
    expect(pages.every((p) => p.length <= 7)).toBe(true);
    expect(pages.flat().sort()).toEqual(Array.from({ length: 20 }, (_, i) => `f${String(i).padStart(2, '0')}`));
    await bystanderWorks();
  });
});

describe('a READ length set lower', () => {
  it('is announced by limits@openssh.com and enforced', async () => {
    const low = await startTestServer({ sshLimits: { maxReadLength: 65_536 } });
    try {
      await low.createUser({ username: 'low', password: PASSWORD });
      mkdirSync(low.fileOnDisk(''), { recursive: true });
      writeFileSync(low.fileOnDisk('big.bin'), randomBytes(300_000));
      const conn = await connectSftp(low.port, { username: 'low', password: PASSWORD });
      const sftp = conn.sftp as unknown as SFTPWrapper & { _maxReadLen: number };
      expect(sftp._maxReadLen).toBe(65_536);
      const handle = await call<Buffer>(sftp.open.bind(sftp), 'big.bin', 'r');
      sftp._maxReadLen = 200_000;
      const got = await new Promise<number>((ok, fail) => sftp.read(handle, Buffer.alloc(200_000), 0, 200_000, 0, (err, n) => (err ? fail(err) : ok(n))));
      expect(got).toBe(65_536);
      conn.end();
    } finally {
      await low.stop();
    }
  });
});

describe('the WRITE length', () => {
  it('is announced by limits@openssh.com: full size on disk unless set lower', async () => {
    const low = await startTestServer({ sshLimits: { maxWriteLength: 32_768 } });
    try {
      await low.createUser({ username: 'lowwrite', password: PASSWORD });
      const conn = await connectSftp(low.port, { username: 'lowwrite', password: PASSWORD });
      expect((conn.sftp as unknown as { _maxWriteLen: number })._maxWriteLen).toBe(32_768);
      conn.end();
    } finally {
      await low.stop();
    }
    await server.createUser({ username: 'fullwrite', password: PASSWORD });
    const conn = await connectSftp(server.port, { username: 'fullwrite', password: PASSWORD });
    expect((conn.sftp as unknown as { _maxWriteLen: number })._maxWriteLen).toBe(MAX_WRITE_LENGTH);
    conn.end();
  });
});

describe('the file size limit', () => {
  it('refuses a write past it (a huge offset too) and leaves nothing at the name', async () => {
    const small = await startTestServer({ sshLimits: { maxFileSize: 1024 * 1024 } });
    try {
      await small.createUser({ username: 'cap', password: PASSWORD });
      const conn = await connectSftp(small.port, { username: 'cap', password: PASSWORD });
      const { sftp } = conn;
      const write = (handle: Buffer, offset: number, data: Buffer) =>
        new Promise<void>((ok, fail) => sftp.write(handle, data, 0, data.length, offset, (err) => (err ? fail(err) : ok())));
      // A write past the limit is refused, and the upload with it: CLOSE publishes nothing.
      const sparse = await call<Buffer>(sftp.open.bind(sftp), 'sparse.bin', 'w');
      await write(sparse, 0, Buffer.alloc(1000, 1));
      expect(await statusOf(write(sparse, 2 ** 40, Buffer.alloc(1)))).toBe(STATUS_CODE.FAILURE);
      expect(await statusOf(call(sftp.close.bind(sftp), sparse))).toBe(STATUS_CODE.FAILURE);
      expect(await statusOf(call(sftp.stat.bind(sftp), 'sparse.bin'))).toBe(STATUS_CODE.NO_SUCH_FILE);
      // Up to the limit is fine.
      const full = await call<Buffer>(sftp.open.bind(sftp), 'full.bin', 'w');
      expect(await statusOf(write(full, 1024 * 1024 - 10, Buffer.alloc(11)))).toBe(STATUS_CODE.FAILURE);
      const full2 = await call<Buffer>(sftp.open.bind(sftp), 'full.bin', 'w');
      await write(full2, 1024 * 1024 - 10, Buffer.alloc(10));
      await call(sftp.close.bind(sftp), full2);
      expect((await call<{ size: number }>(sftp.stat.bind(sftp), 'full.bin')).size).toBe(1024 * 1024);
      conn.end();
      // The stock client fails the put (it prints only the status) and the name stays empty.
      const local = `${small.dataDir}/two-mib.bin`;
      writeFileSync(local, randomBytes(2 * 1024 * 1024));
      const r = await sftpBatch(small.port, { user: 'cap', password: PASSWORD }, [`put ${local} two.bin`]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Failure/);
      expect(await statusOf(connectSftp(small.port, { username: 'cap', password: PASSWORD }).then((c) => call(c.sftp.stat.bind(c.sftp), 'two.bin').finally(() => c.end())))).toBe(STATUS_CODE.NO_SUCH_FILE);
    } finally {
      await small.stop();
    }
  });
});
