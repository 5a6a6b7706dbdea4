// Idle sessions are closed after the endpoint's idle timeout (SPEC §3); any SFTP
// request keeps a session alive. The timeout is set to 2 s for the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { call, connectSftp } from '../support/ssh2-client.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ idleTimeoutSeconds: 2 });
  await server.createUser({ username: 'idle', password: 'idle-pass-1' });
});
afterAll(async () => {
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('idle timeout', () => {
  it('closes a session with no request, and says why in the log', async () => {
    const conn = await connectSftp(server.port, { username: 'idle', password: 'idle-pass-1' });
    let closed = false;
    void conn.closed.then(() => (closed = true));
    await sleep(1000);
    expect(closed).toBe(false);
    await Promise.race([conn.closed, sleep(10_000)]);
    expect(closed).toBe(true);
    // The server logs the end once it has closed the channels too, maybe after the client saw the close.
    const end = await server.until('the session end', () => server.logs.find((l) => l['activity-type'] === 'SESSION_END' && l.user === 'idle'));
    expect(end.reason).toBe('idle-timeout');
  });

  it('keeps a session alive while requests come', async () => {
    const conn = await connectSftp(server.port, { username: 'idle', password: 'idle-pass-1' });
    let closed = false;
    void conn.closed.then(() => (closed = true));
    for (let i = 0; i < 8; i++) {
      await sleep(500);
      expect(await call<string>(conn.sftp.realpath.bind(conn.sftp), '.')).toBe('/');
    }
    expect(closed).toBe(false);
    await Promise.race([conn.closed, sleep(10_000)]);
    expect(closed).toBe(true);
  });
});
