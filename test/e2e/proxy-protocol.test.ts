// PROXY protocol v2 (THRU_PROXY_PROTOCOL): behind a load balancer that sends it, the
// client address comes from the header, for the logs, allowedCidrs and bans alike; a
// connection without a valid header is refused; and a server without the setting never
// takes an address from a header. A small TCP relay in the test plays the NLB, writing
// the header (proxy-protocol-js builds it) before relaying the client's bytes.
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordAuthMethod } from 'ssh2';
import ipaddr from 'ipaddr.js';
import { Command, IPv4Address, IPv4ProxyAddress, IPv6Address, IPv6ProxyAddress, TransportProtocol, V2ProxyProtocol } from 'proxy-protocol-js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { sftpBatch } from '../support/openssh.js';
import { connect, connectSftp, call } from '../support/ssh2-client.js';
import { rawConnection } from '../support/tcp.js';

const PASSWORD = 'pp-pass-1';

/** A PROXY v2 header saying the client is `source`; `tlv` is appended as TLVs (the length is fixed up). */
function header(source: string, options: { command?: Command; transport?: TransportProtocol; tlv?: Buffer } = {}): Buffer {
  const addr = ipaddr.parse(source);
  const proxyAddress =
    addr.kind() === 'ipv4'
      ? new IPv4ProxyAddress(IPv4Address.createFrom(addr.toByteArray()), 40_000, IPv4Address.createFrom([10, 0, 0, 1]), 22)
      : new IPv6ProxyAddress(IPv6Address.createFrom(addr.toByteArray()), 40_000, IPv6Address.createFrom(ipaddr.parse('fd00::1').toByteArray()), 22);
  const built = Buffer.from(new V2ProxyProtocol(options.command ?? Command.PROXY, options.transport ?? TransportProtocol.STREAM, proxyAddress).build());
  if (!options.tlv) return built;
  const out = Buffer.concat([built, options.tlv]);
  out.writeUInt16BE(out.length - 16, 14);
  return out;
}

/** AWS's own TLV (PP2_TYPE_AWS, subtype VPC endpoint id), as an NLB sends it. */
const AWS_TLV = (() => {
  const value = Buffer.concat([Buffer.from([0x01]), Buffer.from('vpce-08d2bf15fac5001c9')]);
  const tlv = Buffer.alloc(3 + value.length);
  tlv[0] = 0xea;
  tlv.writeUInt16BE(value.length, 1);
  value.copy(tlv, 3);
  return tlv;
})();

interface Relay {
  port: number;
  close(): Promise<void>;
}

/** Plays the load balancer: for each client, connects to `target`, writes `prefix(client)` (byte by byte when `trickle`), then relays. */
async function relay(target: number, prefix: () => Buffer | undefined, trickle = false): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = tcpConnect({ host: '127.0.0.1', port: target });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pause();
    upstream.once('connect', () => {
      void (async () => {
        const bytes = prefix();
        if (bytes && trickle) {
          for (const b of bytes) {
            upstream.write(Buffer.from([b]));
            await new Promise((r) => setTimeout(r, 2));
          }
        } else if (bytes) upstream.write(bytes);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      })();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((ok) => server.close(() => ok()));
    },
  };
}

const canLogIn = (port: number, username: string) =>
  connectSftp(port, { username, password: PASSWORD, readyTimeout: 5000 }).then(
    (c) => {
      c.end();
      return true;
    },
    () => false,
  );

describe('with THRU_PROXY_PROTOCOL on', () => {
  let server: TestServer;
  const relays: Relay[] = [];
  const via = async (prefix: () => Buffer | undefined, trickle = false) => {
    const r = await relay(server.port, prefix, trickle);
    relays.push(r);
    return r.port;
  };

  beforeAll(async () => {
    server = await startTestServer({ proxyProtocol: true, sshLimits: { loginGraceSeconds: 3 } });
    await server.createUser({ username: 'pp-doc', password: PASSWORD, allowedCidrs: ['203.0.113.0/24', '2001:db8::/32'] });
    await server.createUser({ username: 'pp-local', password: PASSWORD, allowedCidrs: ['127.0.0.0/8'] });
  });
  afterAll(async () => {
    await Promise.all(relays.map((r) => r.close()));
    await server?.stop();
  });

  it("takes the client address from the header: logs and allowedCidrs see the client, not the balancer", async () => {
    const port = await via(() => header('203.0.113.7'));
    expect(await canLogIn(port, 'pp-doc')).toBe(true);
    expect((await sftpBatch(port, { user: 'pp-doc', password: PASSWORD }, ['pwd'])).code).toBe(0);
    expect(await canLogIn(port, 'pp-local')).toBe(false);
    const success = server.logs.find((l) => l['activity-type'] === 'AUTH_SUCCESS' && l.user === 'pp-doc');
    expect(success).toMatchObject({ 'client-ip': '203.0.113.7', 'proxy-ip': '127.0.0.1' });
    expect(server.logs.find((l) => l.user === 'pp-local' && l['activity-type'] === 'AUTH_FAILURE')).toMatchObject({
      reason: 'source_ip_not_allowed',
      'client-ip': '203.0.113.7',
    });
  });

  it('reads IPv6 headers, headers with TLVs, and headers split across packets', async () => {
    expect(await canLogIn(await via(() => header('2001:db8::7')), 'pp-doc')).toBe(true);
    expect(server.logs.some((l) => l['activity-type'] === 'AUTH_SUCCESS' && l['client-ip'] === '2001:db8::7')).toBe(true);
    expect(await canLogIn(await via(() => header('203.0.113.8', { tlv: AWS_TLV }), true), 'pp-doc')).toBe(true);
    expect(server.logs.some((l) => l['activity-type'] === 'AUTH_SUCCESS' && l['client-ip'] === '203.0.113.8')).toBe(true);
  });

  it('a LOCAL header (the balancer itself, e.g. a health check) keeps the socket address', async () => {
    expect(await canLogIn(await via(() => header('203.0.113.9', { command: Command.LOCAL })), 'pp-local')).toBe(true);
    expect(server.logs.some((l) => l['client-ip'] === '203.0.113.9')).toBe(false);
  });

  it('refuses connections without a valid header, before SSH starts', async () => {
    const bad: [string, Buffer | undefined][] = [
      ['no header: a plain SSH client', undefined],
      ['version 1 text header', Buffer.from('PROXY TCP4 203.0.113.10 10.0.0.1 40000 22\r\n')],
      ['wrong version nibble', (() => { const h = header('203.0.113.11'); h[12] = 0x11; return h; })()],
      ['UDP', header('203.0.113.12', { transport: TransportProtocol.DGRAM })],
      ['oversized', (() => { const h = header('203.0.113.13'); h.writeUInt16BE(60_000, 14); return h; })()],
      ['address shorter than its family', (() => { const h = header('203.0.113.14').subarray(0, 20); h.writeUInt16BE(4, 14); return h; })()],
    ];
    const before = server.logs.filter((l) => l.reason === 'proxy-protocol').length;
    for (const [what, prefix] of bad) {
      const port = prefix === undefined ? server.port : await via(() => prefix);
      expect(await canLogIn(port, 'pp-local'), what).toBe(false);
    }
    const refusals = server.logs.filter((l) => l['activity-type'] === 'CONNECTION_REFUSED' && l.reason === 'proxy-protocol');
    expect(refusals.length - before).toBe(bad.length);
    expect(server.logs.some((l) => /^203\.0\.113\.1[0-4]$/.test(String(l['client-ip'])))).toBe(false);
    // And a connection that sends nothing at all is closed at the login grace time.
    const silent = await rawConnection(server.port);
    expect(await silent.closed).toBe('');
  });

  it("bans the header's address, not the balancer's", async () => {
    const attacker = await via(() => header('203.0.113.66'));
    const attempts: PasswordAuthMethod[] = Array.from({ length: 10 }, (_, i) => ({ type: 'password', username: 'nobody', password: `g${i}` }));
    await connect(attacker, { username: 'nobody', authHandler: attempts }).then((c) => c.end(), () => undefined);
    await server.until('the ban', () => server.logs.find((l) => l['activity-type'] === 'BAN' && l.ban === '203.0.113.66'));
    const banned = await via(() => header('203.0.113.66'));
    expect(await canLogIn(banned, 'pp-doc')).toBe(false);
    // Another client behind the same balancer.
    const other = await via(() => header('203.0.113.67'));
    const conn = await connectSftp(other, { username: 'pp-doc', password: PASSWORD });
    expect(await call<string>(conn.sftp.realpath.bind(conn.sftp), '.')).toBe('/');
    conn.end();
  });
});

describe('with THRU_PROXY_PROTOCOL off (the default)', () => {
  it('never takes an address from a header a client sends', async () => {
    const server = await startTestServer({ sshLimits: { loginGraceSeconds: 2 } });
    const r = await relay(server.port, () => header('203.0.113.99'));
    try {
      await server.createUser({ username: 'pp-off', password: PASSWORD, allowedCidrs: ['203.0.113.0/24'] });
      expect(await canLogIn(r.port, 'pp-off')).toBe(false);
      expect(await canLogIn(server.port, 'pp-off')).toBe(false); // 127.0.0.1 is not in its CIDRs
      expect(JSON.stringify(server.logs)).not.toContain('203.0.113.99');
    } finally {
      await r.close();
      await server.stop();
    }
  });
});
