// SFTP only (SPEC §3): every other channel and request is refused, and the same
// connection stays usable for SFTP afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, SFTPWrapper } from 'ssh2';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { connect, call } from '../support/ssh2-client.js';

let server: TestServer;
let client: Client & { closed: Promise<void> };

const settle = (fn: (cb: (err: Error | undefined) => void) => void) =>
  new Promise<string>((resolve) => {
    try {
      fn((err) => resolve(err ? `refused: ${err.message}` : 'accepted'));
    } catch (err) {
      resolve(`refused: ${(err as Error).message}`);
    }
  });

async function sftpStillWorks(): Promise<void> {
  const sftp = await new Promise<SFTPWrapper>((ok, fail) => client.sftp((err, s) => (err ? fail(err) : ok(s))));
  expect(await call<string>(sftp.realpath.bind(sftp), '.')).toBe('/');
  sftp.end();
}

beforeAll(async () => {
  server = await startTestServer();
  await server.createUser({ username: 'policy', password: 'policy-pass-1' });
  client = await connect(server.port, { username: 'policy', password: 'policy-pass-1' });
});
afterAll(async () => {
  client?.end();
  await server?.stop();
});

describe('refused, connection still usable', () => {
  it('exec (including legacy scp)', async () => {
    for (const command of ['ls /', 'scp -t /tmp']) {
      expect(await settle((cb) => client.exec(command, (err) => cb(err)))).toMatch(/^refused/);
    }
    await sftpStillWorks();
  });

  it('shell and pty', async () => {
    expect(await settle((cb) => client.shell({ term: 'xterm' }, (err) => cb(err)))).toMatch(/^refused/);
    expect(await settle((cb) => client.shell(false, (err) => cb(err)))).toMatch(/^refused/);
    await sftpStillWorks();
  });

  it('x11 and agent forwarding', async () => {
    expect(await settle((cb) => client.exec('true', { x11: true }, (err) => cb(err)))).toMatch(/^refused/);
    expect(await settle((cb) => client.exec('true', { agentForward: true } as never, (err) => cb(err)))).toMatch(/^refused/);
    await sftpStillWorks();
  });

  it('local port forwarding (direct-tcpip)', async () => {
    expect(await settle((cb) => client.forwardOut('127.0.0.1', 0, '127.0.0.1', server.runtime.adminPort, (err) => cb(err)))).toMatch(/^refused/);
    await sftpStillWorks();
  });

  it('remote port forwarding (tcpip-forward)', async () => {
    expect(await settle((cb) => client.forwardIn('127.0.0.1', 0, (err) => cb(err)))).toMatch(/^refused/);
    await sftpStillWorks();
  });

  it('a subsystem other than sftp', async () => {
    expect(await settle((cb) => client.subsys('netconf', (err) => cb(err)))).toMatch(/^refused/);
    await sftpStillWorks();
  });
});

describe('session channels', () => {
  it('the per-connection limit counts open sessions, not sessions ever opened', async () => {
    for (let i = 0; i < 15; i++) await sftpStillWorks();
  });
});
