// The brute-force defence over real SSH connections: failed logins score per client
// address (existing user 1, unknown user 2, used-up connection 3), 15 bans, a banned
// address is dropped before key exchange while everyone else gets in, the admin API
// lifts bans, repeat offenders are banned longer, the safe list is never banned, and
// front ends that share a directory (Fargate tasks sharing DynamoDB) share bans.
// Attackers come from their own loopback addresses (127.0.0.x); 127.0.0.1 is safe-listed
// by the test server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { PasswordAuthMethod, PublicKeyAuthMethod } from 'ssh2';
import { DynamoDirectory } from '../../src/adapters/aws/dynamo-directory.js';
import { FsStorage } from '../../src/adapters/local/fs-storage.js';
import { loadOrCreateHostKey } from '../../src/adapters/local/host-key.js';
import { BruteForceGuard } from '../../src/core/brute-force.js';
import { DirectoryIdentity } from '../../src/core/identity.js';
import { hashPassword } from '../../src/core/passwords.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { createLogger } from '../../src/log.js';
import { SshFrontEnd } from '../../src/sftp/ssh-server.js';
import { adminApi } from '../support/admin-api.js';
import { startDynalite, type Dynalite } from '../support/dynalite.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { generateKey, sftpBatch } from '../support/openssh.js';
import { connect, connectSftp, call } from '../support/ssh2-client.js';
import { rawConnection } from '../support/tcp.js';
import { aFlow, aUser, anEndpoint, anOrg } from '../contract/directory-fixtures.js';

const PASSWORD = 'bf-right-pass-1';

/** One connection trying `n` wrong passwords for `username` from `from`; resolves when it is over. */
async function guess(port: number, from: string, username: string, n: number): Promise<void> {
  const attempts: PasswordAuthMethod[] = Array.from({ length: n }, (_, i) => ({ type: 'password', username, password: `guess-${i}` }));
  await connect(port, { username, authHandler: attempts, localAddress: from }).then(
    (c) => {
      c.end();
      throw new Error('a guess logged in');
    },
    () => undefined,
  );
}

/** Whether a login with the right password works from `from`. */
async function canLogIn(port: number, from: string, username: string): Promise<boolean> {
  return connectSftp(port, { username, password: PASSWORD, localAddress: from, readyTimeout: 5000 }).then(
    (c) => {
      c.end();
      return true;
    },
    () => false,
  );
}

describe('on one server', () => {
  let server: TestServer;
  const logs = (ip: string, type: string) => server.logs.filter((l) => l['client-ip'] === ip && l['activity-type'] === type);
  const banOf = (ip: string) => server.until(`a ban of ${ip}`, () => server.logs.find((l) => l['activity-type'] === 'BAN' && l.ban === ip));

  beforeAll(async () => {
    server = await startTestServer({ bruteForce: { safeList: ['127.0.0.1/32', '127.0.0.72/32'] } });
    for (const u of ['bf-victim', 'bf-legit', 'bf-insider']) await server.createUser({ username: u, password: PASSWORD });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('an unknown user guessed from one address bans it; it is dropped before key exchange, others get in; the admin API lifts it', async () => {
    // One connection: 6 unknown-user failures (2 each) and the used-up connection (3) make 15.
    await guess(server.port, '127.0.0.66', 'nobody-here', 10);
    const ban = await banOf('127.0.0.66');
    expect(ban).toMatchObject({ score: 15, offences: 1 });
    expect(logs('127.0.0.66', 'AUTH_FAILURE')).toHaveLength(6);

    // Dropped before the SSH identification is even sent; any client, any account.
    const raw = await rawConnection(server.port, { from: '127.0.0.66' });
    expect(await raw.closed).toBe('');
    expect(await canLogIn(server.port, '127.0.0.66', 'bf-legit')).toBe(false);
    const r = await sftpBatch(server.port, { user: 'bf-legit', password: PASSWORD }, ['pwd'], { from: '127.0.0.66' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/kex_exchange_identification|Connection (closed|reset)/);
    expect(logs('127.0.0.66', 'CONNECTION_REFUSED').filter((l) => l.reason === 'banned').length).toBeGreaterThanOrEqual(3);

    // Everyone else.
    expect(await canLogIn(server.port, '127.0.0.67', 'bf-legit')).toBe(true);
    expect((await sftpBatch(server.port, { user: 'bf-legit', password: PASSWORD }, ['pwd'])).code).toBe(0);

    const api = adminApi(server);
    const listed = await api.get<{ items: { ip: string }[] }>('/v1/bans');
    expect(listed.body.items.map((b) => b.ip)).toContain('127.0.0.66');
    expect((await api.delete('/v1/bans/127.0.0.66')).status).toBe(204);
    expect(await canLogIn(server.port, '127.0.0.66', 'bf-legit')).toBe(true);
  });

  it("an existing user's wrong passwords score 1 each: the 15th bans", async () => {
    // Five a connection stays under the attempt limit (6): 15 failures take three connections.
    await guess(server.port, '127.0.0.70', 'bf-victim', 5);
    await guess(server.port, '127.0.0.70', 'bf-victim', 5);
    expect(await canLogIn(server.port, '127.0.0.70', 'bf-victim')).toBe(true);
    expect(server.logs.some((l) => l['activity-type'] === 'BAN' && l.ban === '127.0.0.70')).toBe(false);
    await guess(server.port, '127.0.0.70', 'bf-victim', 5);
    expect(await banOf('127.0.0.70')).toMatchObject({ score: 15 });
    expect(await canLogIn(server.port, '127.0.0.70', 'bf-victim')).toBe(false);
    // The account is not locked: only the address is banned.
    expect(await canLogIn(server.port, '127.0.0.71', 'bf-victim')).toBe(true);
  });

  it("a ban ends the banned address's sessions already open", async () => {
    const insider = await connectSftp(server.port, { username: 'bf-insider', password: PASSWORD, localAddress: '127.0.0.73' });
    await guess(server.port, '127.0.0.73', 'nobody-at-all', 10);
    await banOf('127.0.0.73');
    await insider.closed;
    const end = await server.until('the insider session end', () => logs('127.0.0.73', 'SESSION_END').find((l) => l.user === 'bf-insider'));
    expect(end.reason).toBe('banned');
  });

  it('public key queries score nothing; a connection that spends its attempts on them scores 3', async () => {
    const keys = Array.from({ length: 6 }, () => readFileSync(generateKey('ed25519').privateKeyFile));
    const offer = (from: string, username: string, n: number) => {
      const attempts: PublicKeyAuthMethod[] = keys.slice(0, n).map((key) => ({ type: 'publickey', username, key }));
      return connect(server.port, { username, authHandler: attempts, localAddress: from }).then((c) => c.end(), () => undefined);
    };
    // Twenty unregistered keys offered from one address, for a user and for nobody: no ban.
    for (let i = 0; i < 2; i++) await offer('127.0.0.75', 'bf-legit', 5);
    for (let i = 0; i < 2; i++) await offer('127.0.0.75', 'nobody-with-keys', 5);
    expect(logs('127.0.0.75', 'AUTH_FAILURE')).toHaveLength(20);
    expect(await canLogIn(server.port, '127.0.0.75', 'bf-legit')).toBe(true);
    // Six keys a connection use up its attempts: five such connections make 15.
    for (let i = 0; i < 4; i++) await offer('127.0.0.76', 'bf-legit', 6);
    expect(await canLogIn(server.port, '127.0.0.76', 'bf-legit')).toBe(true);
    await offer('127.0.0.76', 'bf-legit', 6);
    expect(await banOf('127.0.0.76')).toMatchObject({ score: 15 });
  });

  it('a safe-listed address is never banned', async () => {
    for (let i = 0; i < 3; i++) await guess(server.port, '127.0.0.72', 'nobody-safe', 10);
    expect(await canLogIn(server.port, '127.0.0.72', 'bf-legit')).toBe(true);
    expect(server.logs.some((l) => l['activity-type'] === 'BAN' && l.ban === '127.0.0.72')).toBe(false);
  });
});

describe('repeat offenders', () => {
  it('are banned twice as long the second time', async () => {
    const server = await startTestServer({ bruteForce: { banSeconds: 1, maxBanSeconds: 600 } });
    try {
      await server.createUser({ username: 'bf-back', password: PASSWORD });
      await guess(server.port, '127.0.0.90', 'nobody', 10);
      await server.until('the first ban to end', () => canLogIn(server.port, '127.0.0.90', 'bf-back'));
      await guess(server.port, '127.0.0.90', 'nobody', 10);
      const bans = await server.until('the second ban', () => {
        const b = server.logs.filter((l) => l['activity-type'] === 'BAN' && l.ban === '127.0.0.90');
        return b.length === 2 ? b : undefined;
      });
      expect(bans.map((b) => b.offences)).toEqual([1, 2]);
      expect(bans.map((b) => b.score)).toEqual([15, 15]);
      const stored = await server.runtime.directory.bans.get('127.0.0.90', new Date(Date.now() - 60_000));
      expect(Date.parse(stored!.until) - Date.parse(stored!.bannedAt)).toBe(2000);
    } finally {
      await server.stop();
    }
  });
});

describe('front ends sharing one DynamoDB directory (Fargate tasks)', () => {
  let dynamo: Dynalite;
  let dataDir: string;
  const frontEnds: SshFrontEnd[] = [];
  const ports: number[] = [];
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    dynamo = await startDynalite();
    dataDir = await mkdtemp(join(tmpdir(), 'thru-bf-'));
    const directory = new DynamoDirectory({ client: dynamo.client, tableName: dynamo.tableName });
    const org = anOrg();
    const endpoint = anEndpoint(org.id);
    const flow = aFlow(org.id, endpoint.id, []);
    await directory.organizations.create(org);
    await directory.endpoints.create(endpoint);
    await directory.flows.create(flow);
    await directory.users.create(aUser(flow.sources[0]!, { username: 'bf-shared', passwordHash: await hashPassword(PASSWORD), allowedCidrs: [], publicKeys: [] }));
    const hostKey = await loadOrCreateHostKey(dataDir);
    const storage = await new FsStorage({ root: join(dataDir, 'files') }).init();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    // Two front ends, each with its own guard (as two tasks would), on one table.
    for (let i = 0; i < 2; i++) {
      const fe = new SshFrontEnd({
        hostKeys: [hostKey.privateKey],
        identity: new DirectoryIdentity(directory, systemClock),
        storage,
        logger: createLogger('info', sink),
        bruteForce: new BruteForceGuard(new DynamoDirectory({ client: dynamo.client, tableName: dynamo.tableName }), systemClock),
      });
      frontEnds.push(fe);
      ports.push((await fe.listen(0, '127.0.0.1')).port);
    }
  });
  afterAll(async () => {
    await Promise.all(frontEnds.map((f) => f.close()));
    await dynamo?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('a ban set through one is enforced by the other', async () => {
    const [a, b] = ports as [number, number];
    expect(await canLogIn(b, '127.0.0.80', 'bf-shared')).toBe(true);
    await guess(a, '127.0.0.80', 'nobody', 10);
    await new Promise<void>((ok, fail) => {
      const deadline = Date.now() + 20_000;
      const check = () => (lines.some((l) => l['activity-type'] === 'BAN') ? ok() : Date.now() > deadline ? fail(new Error('no ban')) : setTimeout(check, 25));
      check();
    });
    expect(await (await rawConnection(b, { from: '127.0.0.80' })).closed).toBe('');
    expect(await canLogIn(b, '127.0.0.80', 'bf-shared')).toBe(false);
    expect(await canLogIn(b, '127.0.0.81', 'bf-shared')).toBe(true);
    const conn = await connectSftp(a, { username: 'bf-shared', password: PASSWORD, localAddress: '127.0.0.81' });
    expect(await call<string>(conn.sftp.realpath.bind(conn.sftp), '.')).toBe('/');
    conn.end();
  });
});
