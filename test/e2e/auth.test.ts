// Authentication through the real OpenSSH client (SPEC §3): passwords and keys, and
// every reason a login is refused looking the same to the client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicKeyAuthMethod } from 'ssh2';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { generateKey, sftpBatch, ssh, type ClientKey } from '../support/openssh.js';
import { connect } from '../support/ssh2-client.js';

let server: TestServer;
let ed25519: ClientKey;
let n = 0;
const name = () => `auth${n++}`;

beforeAll(async () => {
  server = await startTestServer();
  ed25519 = generateKey('ed25519');
});
afterAll(async () => {
  await server?.stop();
});

const denied = /Permission denied/;

describe('passwords', () => {
  it('the right password logs in', async () => {
    const user = name();
    await server.createUser({ username: user, password: 'correct horse battery' });
    const r = await sftpBatch(server.port, { user, password: 'correct horse battery' }, ['pwd']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Remote working directory: /');
  });

  it('a wrong password and an unknown user get the same refusal', async () => {
    const user = name();
    await server.createUser({ username: user, password: 'correct horse battery' });
    const wrong = await sftpBatch(server.port, { user, password: 'wrong' }, ['pwd']);
    const unknown = await sftpBatch(server.port, { user: 'nobody-here', password: 'wrong' }, ['pwd']);
    expect(wrong.code).not.toBe(0);
    expect(unknown.code).not.toBe(0);
    expect(wrong.stderr).toMatch(denied);
    expect(unknown.stderr.replace('nobody-here', 'X')).toBe(wrong.stderr.replace(user, 'X'));
    const failures = server.logs.filter((l) => l['activity-type'] === 'AUTH_FAILURE');
    expect(failures.some((l) => l.user === user && l.reason === 'bad_password')).toBe(true);
    expect(failures.some((l) => l.user === 'nobody-here' && l.reason === 'unknown_user')).toBe(true);
  });

  it('never logs a password', async () => {
    const user = name();
    await server.createUser({ username: user, password: 'do-not-log-me-123' });
    await sftpBatch(server.port, { user, password: 'do-not-log-me-123' }, ['pwd']);
    await sftpBatch(server.port, { user, password: 'wrong-do-not-log-456' }, ['pwd']);
    const text = JSON.stringify(server.logs);
    expect(text).not.toContain('do-not-log-me-123');
    expect(text).not.toContain('wrong-do-not-log-456');
  });

  it('keyboard-interactive answers with the password too (ssh2 client)', async () => {
    const user = name();
    await server.createUser({ username: user, password: 'kbd-pass-1' });
    const login = (answer: string) =>
      connect(server.port, { username: user, tryKeyboard: true, authHandler: ['keyboard-interactive'] }, (client) =>
        client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => answer))),
      ).then((c) => { c.end(); return 'ok'; }, (e: Error) => e.message);
    expect(await login('kbd-pass-1')).toBe('ok');
    expect(await login('not-it')).toMatch(/authentication methods failed/i);
  });
});

describe('public keys', () => {
  for (const [type, bits] of [['ed25519', undefined], ['ecdsa', 256], ['ecdsa', 521], ['rsa', 3072]] as const) {
    it(`${type}${bits ? ` ${bits}` : ''} logs in`, async () => {
      const key = type === 'ed25519' ? ed25519 : generateKey(type, bits);
      const user = name();
      await server.createUser({ username: user, publicKeys: [key.publicKey] });
      const r = await sftpBatch(server.port, { user, key }, ['pwd']);
      expect(r.code, r.stderr).toBe(0);
    });
  }

  it('RSA with SHA-1 signatures (ssh-rsa) is refused', async () => {
    const key = generateKey('rsa', 3072);
    const user = name();
    await server.createUser({ username: user, publicKeys: [key.publicKey] });
    const r = await sftpBatch(server.port, { user, key }, ['pwd'], { extraArgs: ['-o', 'PubkeyAcceptedAlgorithms=ssh-rsa'] });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(denied);
  });

  it('a key that is not registered is refused', async () => {
    const user = name();
    await server.createUser({ username: user, publicKeys: [ed25519.publicKey] });
    const other = generateKey('ed25519');
    const r = await sftpBatch(server.port, { user, key: other }, ['pwd']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(denied);
  });

  it('a forged signature is refused even though the key is registered', async () => {
    const user = name();
    await server.createUser({ username: user, publicKeys: [ed25519.publicKey] });
    const ssh2 = (await import('ssh2')).default;
    const { readFileSync } = await import('node:fs');
    const real = ssh2.utils.parseKey(readFileSync(ed25519.privateKeyFile));
    if (real instanceof Error || Array.isArray(real)) throw new Error('cannot parse the test key');
    // The registered public key, presented with a signature that is garbage.
        const forged = Object.create(real, { sign: { value: () => Buffer.alloc(64, 7) } }) as typeof real;
    const result = await connect(server.port, { username: user, authHandler: [{ type: 'publickey', username: user, key: forged } as PublicKeyAuthMethod] }).then(
      (c) => { c.end(); return 'logged in'; },
      (e: Error) => e.message,
    );
    expect(result).toMatch(/authentication methods failed/i);
    expect(server.logs.some((l) => l.user === user && l.reason === 'bad_signature')).toBe(true);
  });
});

describe('account state', () => {
  it('a disabled user is refused', async () => {
    const user = name();
    await server.createUser({ username: user, publicKeys: [ed25519.publicKey], enabled: false });
    const r = await sftpBatch(server.port, { user, key: ed25519 }, ['pwd']);
    expect(r.stderr).toMatch(denied);
  });

  it('an expired user is refused', async () => {
    const user = name();
    await server.createUser({ username: user, password: 'pw-expired-1', expiresAt: new Date(Date.now() - 60_000).toISOString() });
    const r = await sftpBatch(server.port, { user, password: 'pw-expired-1' }, ['pwd']);
    expect(r.stderr).toMatch(denied);
  });

  it('allowedCidrs admit only matching source addresses', async () => {
    const inside = name();
    const outside = name();
    await server.createUser({ username: inside, publicKeys: [ed25519.publicKey], allowedCidrs: ['127.0.0.0/8'] });
    await server.createUser({ username: outside, publicKeys: [ed25519.publicKey], allowedCidrs: ['10.0.0.0/8', '2001:db8::/32'] });
    expect((await sftpBatch(server.port, { user: inside, key: ed25519 }, ['pwd'])).code).toBe(0);
    const r = await sftpBatch(server.port, { user: outside, key: ed25519 }, ['pwd']);
    expect(r.stderr).toMatch(denied);
    expect(server.logs.some((l) => l.user === outside && l.reason === 'source_ip_not_allowed')).toBe(true);
  });
});

describe('SFTP only', () => {
  it('a shell is refused', async () => {
    const user = name();
    await server.createUser({ username: user, publicKeys: [ed25519.publicKey] });
    const r = await ssh(server.port, { user, key: ed25519 }, ['-T']);
    expect(r.code).not.toBe(0);
  });

  it('a command is refused', async () => {
    const user = name();
    await server.createUser({ username: user, publicKeys: [ed25519.publicKey] });
    const r = await ssh(server.port, { user, key: ed25519 }, ['cat', '/etc/passwd']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).not.toContain('root:');
  });
});
