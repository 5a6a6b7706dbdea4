// Other real SFTP clients partners use (Debian packages): curl (libssh2 1.10, which
// knows only non-ETM MACs), lftp, rclone and paramiko. Each uploads, lists, renames
// and downloads byte-exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { run } from '../support/openssh.js';

let server: TestServer;
let work: string;
let data: Buffer;
let local: string;
const password = 'clients-pass-1';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  server = await startTestServer();
  work = mkdtempSync(join(tmpdir(), 'thru-clients-'));
  data = randomBytes(3 * 1024 * 1024 + 123);
  local = join(work, 'data.bin');
  writeFileSync(local, data);
  for (const user of ['curl', 'lftp', 'rclone', 'paramiko']) {
    await server.createUser({ username: user, password, homeDirectory: `/${user}` });
  }
});
afterAll(async () => {
  await server?.stop();
});

const onDisk = (path: string) => readFileSync(server.fileOnDisk(path));

describe('curl (libssh2)', () => {
  it('uploads, renames and downloads', async () => {
    const base = `sftp://127.0.0.1:${server.port}`;
    const up = await run('curl', ['-sS', '--insecure', '-u', `curl:${password}`, '-T', local, `${base}/up.bin.tmp`, '-Q', '-rename /up.bin.tmp /up.bin']);
    expect(up.code, up.stderr).toBe(0);
    expect(sha256(onDisk('curl/up.bin'))).toBe(sha256(data));
    const back = join(work, 'curl-back.bin');
    const down = await run('curl', ['-sS', '--insecure', '-u', `curl:${password}`, `${base}/up.bin`, '-o', back]);
    expect(down.code, down.stderr).toBe(0);
    expect(sha256(readFileSync(back))).toBe(sha256(data));
  });
});

describe('lftp', () => {
  it('uploads, lists, renames and downloads', async () => {
    const back = join(work, 'lftp-back.bin');
    const script = [
      'set sftp:auto-confirm yes',
      'set sftp:connect-program "ssh -a -x -F /dev/null -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o PubkeyAuthentication=no"',
      'set net:max-retries 1',
      `open -u lftp,${password} sftp://127.0.0.1:${server.port}`,
      `put ${local} -o part.bin.filepart`,
      'mv part.bin.filepart final.bin',
      'cls -l',
      `get final.bin -o ${back}`,
    ].join('; ');
    const r = await run('lftp', ['-c', script], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('final.bin');
    expect(sha256(onDisk('lftp/final.bin'))).toBe(sha256(data));
    expect(sha256(readFileSync(back))).toBe(sha256(data));
  });
});

describe('rclone', () => {
  it('copies up, lists, moves and reads back', async () => {
    const obscured = (await run('rclone', ['obscure', password])).stdout.trim();
    const flags = ['--config', '/dev/null', '--sftp-host', '127.0.0.1', '--sftp-port', String(server.port), '--sftp-user', 'rclone', '--sftp-pass', obscured];
    const copy = await run('rclone', ['copyto', local, ':sftp:in/data.bin', ...flags]);
    expect(copy.code, copy.stderr).toBe(0);
    const move = await run('rclone', ['moveto', ':sftp:in/data.bin', ':sftp:in/moved.bin', ...flags]);
    expect(move.code, move.stderr).toBe(0);
    const list = await run('rclone', ['lsf', ':sftp:in', ...flags]);
    expect(list.stdout.trim()).toBe('moved.bin');
    const back = join(work, 'rclone-back.bin');
    const cat = await run('rclone', ['copyto', ':sftp:in/moved.bin', back, ...flags]);
    expect(cat.code, cat.stderr).toBe(0);
    expect(sha256(readFileSync(back))).toBe(sha256(data));
    expect(sha256(onDisk('rclone/in/moved.bin'))).toBe(sha256(data));
  });
});

describe('paramiko', () => {
  it('put, stat, chmod and utime (accepted), posix-rename, listdir, get, mkdir and rmdir', async () => {
    const back = join(work, 'paramiko-back.bin');
    const script = `
import sys, paramiko
t = paramiko.Transport(("127.0.0.1", ${server.port}))
t.connect(username="paramiko", password="${password}")
s = paramiko.SFTPClient.from_transport(t)
s.put("${local}", "p.bin.filepart")
s.chmod("p.bin.filepart", 0o600)
s.utime("p.bin.filepart", (1700000000, 1700000000))
s.posix_rename("p.bin.filepart", "p.bin")
assert s.stat("p.bin").st_size == ${data.length}
assert s.listdir(".") == ["p.bin"], s.listdir(".")
s.get("p.bin", "${back}")
s.mkdir("d")
s.rmdir("d")
print("negotiated", t.remote_cipher, t.remote_mac)
s.close(); t.close()
`;
    const r = await run('/usr/bin/python3', ['-c', script]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(onDisk('paramiko/p.bin'))).toBe(sha256(data));
    expect(sha256(readFileSync(back))).toBe(sha256(data));
  });
});
