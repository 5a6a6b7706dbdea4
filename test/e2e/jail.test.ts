// The path jail over real SFTP requests (SPEC §3): "/" is the home folder, ".." never
// leaves it, links are refused, and hostile names get a status, never an escape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import ssh2, { type SFTPWrapper } from 'ssh2';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { call, connectSftp, statusOf, type Connected } from '../support/ssh2-client.js';

const { STATUS_CODE } = ssh2.utils.sftp;

let server: TestServer;
let conn: Connected;
let sftp: SFTPWrapper;

beforeAll(async () => {
  server = await startTestServer();
  await server.createUser({ username: 'alice', password: 'alice-pass-1', homeDirectory: '/alice' });
  await server.createUser({ username: 'bob', password: 'bob-pass-1', homeDirectory: '/bob' });
  // Bob's secret, a sibling of Alice's home; and a file outside the data directory.
  mkdirSync(server.fileOnDisk('bob'), { recursive: true });
  writeFileSync(server.fileOnDisk('bob/secret.txt'), 'bob only');
  conn = await connectSftp(server.port, { username: 'alice', password: 'alice-pass-1' });
  sftp = conn.sftp;
});
afterAll(async () => {
  conn?.end();
  await server?.stop();
});

const realpath = (p: string) => call<string>(sftp.realpath.bind(sftp), p);

describe('paths resolve inside the home folder', () => {
  it('.. is clamped at /', async () => {
    expect(await realpath('..')).toBe('/');
    expect(await realpath('../../..')).toBe('/');
    expect(await realpath('/../../etc/passwd')).toBe('/etc/passwd');
    expect(await realpath('a/../../b/./c')).toBe('/b/c');
  });

  it("another user's files are out of reach", async () => {
    for (const p of ['../bob/secret.txt', '/../bob/secret.txt', '../../' + server.orgId + '/' + server.endpointId + '/bob/secret.txt']) {
      expect(await statusOf(call(sftp.stat.bind(sftp), p))).toBe(STATUS_CODE.NO_SUCH_FILE);
      expect(await statusOf(call(sftp.open.bind(sftp), p, 'r'))).toBe(STATUS_CODE.NO_SUCH_FILE);
    }
    expect(await statusOf(call(sftp.stat.bind(sftp), '/../../../../etc/passwd'))).toBe(STATUS_CODE.NO_SUCH_FILE);
  });

  it('names are taken literally: %2e%2e is a file name, not a parent', async () => {
    expect(await realpath('%2e%2e/%2e%2e')).toBe('/%2e%2e/%2e%2e');
    expect(await statusOf(call(sftp.stat.bind(sftp), '%2e%2e/bob/secret.txt'))).toBe(STATUS_CODE.NO_SUCH_FILE);
  });
});

describe('hostile names get a status', () => {
  it('a backslash or a NUL is refused', async () => {
    expect(await statusOf(call(sftp.stat.bind(sftp), '..\\bob\\secret.txt'))).toBe(STATUS_CODE.BAD_MESSAGE);
    expect(await statusOf(call(sftp.open.bind(sftp), 'a\0b', 'w'))).toBe(STATUS_CODE.BAD_MESSAGE);
  });

  it('a 256-byte name is refused; 255 bytes work', async () => {
    expect(await statusOf(call(sftp.mkdir.bind(sftp), 'x'.repeat(256)))).toBe(STATUS_CODE.BAD_MESSAGE);
    expect(await statusOf(call(sftp.mkdir.bind(sftp), 'y'.repeat(255)))).toBe('ok');
  });
});

describe('links', () => {
  it('symlink, readlink and hard links are refused', async () => {
    expect(await statusOf(call(sftp.symlink.bind(sftp), '/etc/passwd', 'link'))).toBe(STATUS_CODE.OP_UNSUPPORTED);
    expect(await statusOf(call(sftp.readlink.bind(sftp), 'link'))).toBe(STATUS_CODE.OP_UNSUPPORTED);
    expect(await statusOf(call(sftp.ext_openssh_hardlink.bind(sftp), '/x', '/y'))).not.toBe('ok');
  });

  it('a symlink placed on disk behind our back is not followed', async () => {
    mkdirSync(server.fileOnDisk('alice'), { recursive: true });
    symlinkSync('/etc', server.fileOnDisk('alice/etc-link'));
    symlinkSync('/etc/hostname', server.fileOnDisk('alice/host-link'));
    expect(await statusOf(call(sftp.stat.bind(sftp), 'host-link'))).toBe(STATUS_CODE.NO_SUCH_FILE);
    expect(await statusOf(call(sftp.open.bind(sftp), 'host-link', 'r'))).not.toBe('ok');
    expect(await statusOf(call(sftp.open.bind(sftp), 'host-link', 'w'))).not.toBe('ok');
    // Through a linked folder: neither read, listed, written nor created.
    expect(await statusOf(call(sftp.stat.bind(sftp), 'etc-link/hostname'))).toBe(STATUS_CODE.NO_SUCH_FILE);
    expect(await statusOf(call(sftp.open.bind(sftp), 'etc-link/hostname', 'r'))).toBe(STATUS_CODE.NO_SUCH_FILE);
    expect(await statusOf(call(sftp.readdir.bind(sftp), 'etc-link'))).toBe(STATUS_CODE.NO_SUCH_FILE);
    expect(await statusOf(call(sftp.open.bind(sftp), 'etc-link/thru-escape', 'w'))).toBe(STATUS_CODE.NO_SUCH_FILE);
    expect(await statusOf(call(sftp.mkdir.bind(sftp), 'etc-link/thru-escape-dir'))).toBe(STATUS_CODE.NO_SUCH_FILE);
    const names = (await call<{ filename: string }[]>(sftp.readdir.bind(sftp), '/')).map((e) => e.filename);
    expect(names).not.toContain('host-link');
    expect(names).not.toContain('etc-link');
  });
});
