// The OpenSSH sftp and scp clients against a running local server (SPEC §3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { generateKey, scp, sftpBatch, type ClientKey } from '../support/openssh.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: TestServer;
let key: ClientKey;
let work: string;
let users = 0;

/** A fresh user with every permission and its own home folder. */
async function newUser(extra: Parameters<TestServer['createUser']>[0] extends infer O ? Partial<O> : never = {}) {
  const username = `user${users++}`;
  await server.createUser({ username, publicKeys: [key.publicKey], homeDirectory: `/${username}`, ...extra });
  return { user: username, key, home: server.fileOnDisk(username) };
}

beforeAll(async () => {
  server = await startTestServer();
  key = generateKey('ed25519');
  work = mkdtempSync(join(tmpdir(), 'thru-e2e-'));
});
afterAll(async () => {
  await server?.stop();
});

describe('uploads and downloads are byte-exact', () => {
  for (const size of [0, 1, 64 * 1024 * 1024]) {
    it(`put then get ${size} bytes`, async () => {
      const { user, home } = await newUser();
      const data = randomBytes(size);
      const local = join(work, `in-${size}`);
      const back = join(work, `out-${size}`);
      writeFileSync(local, data);
      const r = await sftpBatch(server.port, { user, key }, [`put ${local} f.bin`, `get f.bin ${back}`]);
      expect(r.code, r.stderr).toBe(0);
      expect(sha256(readFileSync(join(home, 'f.bin')))).toBe(sha256(data));
      expect(sha256(readFileSync(back))).toBe(sha256(data));
    });
  }

  it('recursive put and get keep the tree', async () => {
    const { user, home } = await newUser();
    const tree = join(work, 'tree');
    mkdirSync(join(tree, 'a', 'b'), { recursive: true });
    writeFileSync(join(tree, 'top.txt'), 'top');
    writeFileSync(join(tree, 'a', 'mid.txt'), 'mid');
    writeFileSync(join(tree, 'a', 'b', 'deep.txt'), randomBytes(300_000));
    const back = join(work, 'tree-back');
    mkdirSync(back);
    const r = await sftpBatch(server.port, { user, key }, [`put -r ${tree} up`, `get -r up ${back}`]);
    expect(r.code, r.stderr).toBe(0);
    for (const rel of ['top.txt', 'a/mid.txt', 'a/b/deep.txt']) {
      expect(sha256(readFileSync(join(home, 'up', rel)))).toBe(sha256(readFileSync(join(tree, rel))));
      expect(sha256(readFileSync(join(back, 'up', rel)))).toBe(sha256(readFileSync(join(tree, rel))));
    }
  });
});

describe('file operations', () => {
  it('mkdir, ls, rename, rm and rmdir do what they say', async () => {
    const { user, home } = await newUser();
    const local = join(work, 'ops.txt');
    writeFileSync(local, 'hello');
    const r = await sftpBatch(server.port, { user, key }, [
      'mkdir d', `put ${local} d/a.txt`, 'rename d/a.txt d/b.txt', 'ls -l d', 'pwd',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/-rw-r--r-- .* 5 .* b\.txt/);
    expect(r.stdout).toContain('Remote working directory: /');
    expect(readdirSync(join(home, 'd'))).toEqual(['b.txt']);
    const r2 = await sftpBatch(server.port, { user, key }, ['rm d/b.txt', 'rmdir d']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(readdirSync(home)).toEqual([]);
  });

  it('rename over an existing file replaces it (posix-rename)', async () => {
    const { user, home } = await newUser();
    writeFileSync(join(work, 'new.txt'), 'new');
    writeFileSync(join(work, 'old.txt'), 'old');
    const r = await sftpBatch(server.port, { user, key }, [`put ${join(work, 'old.txt')} t.txt`, `put ${join(work, 'new.txt')} n.txt`, 'rename n.txt t.txt']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(home, 't.txt'), 'utf8')).toBe('new');
    expect(existsSync(join(home, 'n.txt'))).toBe(false);
  });

  it('rmdir of a non-empty folder fails and keeps it', async () => {
    const { user, home } = await newUser();
    writeFileSync(join(work, 'x.txt'), 'x');
    const r = await sftpBatch(server.port, { user, key }, ['mkdir d', `put ${join(work, 'x.txt')} d/x.txt`, 'rmdir d']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Failure|not empty/i);
    expect(readFileSync(join(home, 'd', 'x.txt'), 'utf8')).toBe('x');
  });

  it('df reports the filesystem through statvfs@openssh.com', async () => {
    const { user } = await newUser();
    const r = await sftpBatch(server.port, { user, key }, ['df']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Size\s+Used\s+Avail/);
    expect(r.stdout).toMatch(/\d+\s+\d+\s+\d+\s+\d+\s+\d+%/);
  });

  it('a missing file is "No such file"', async () => {
    const { user } = await newUser();
    const r = await sftpBatch(server.port, { user, key }, [`get nothing.txt ${join(work, 'nothing')}`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not found|No such file/i);
  });
});

describe('resume', () => {
  it('reget continues a download from where it stopped', async () => {
    const { user, home } = await newUser();
    const data = randomBytes(3 * 1024 * 1024 + 17);
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'r.bin'), data);
    const local = join(work, 'reget.bin');
    writeFileSync(local, data.subarray(0, 1_000_000));
    const r = await sftpBatch(server.port, { user, key }, [`reget r.bin ${local}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(readFileSync(local))).toBe(sha256(data));
  });

  it('reput appends to a temp-named upload, then a rename completes it', async () => {
    const { user, home } = await newUser();
    const data = randomBytes(2 * 1024 * 1024 + 5);
    const local = join(work, 'reput.bin');
    writeFileSync(local, data);
    // What a first, interrupted attempt left under the temp name.
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'big.bin.filepart'), data.subarray(0, 700_001));
    const r = await sftpBatch(server.port, { user, key }, [`reput ${local} big.bin.filepart`, 'rename big.bin.filepart big.bin']);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(readFileSync(join(home, 'big.bin')))).toBe(sha256(data));
  });
});

describe('scp in SFTP mode', () => {
  it('uploads and downloads and exits 0', async () => {
    const { user, home } = await newUser();
    const data = randomBytes(200_000);
    const local = join(work, 'scp.bin');
    writeFileSync(local, data);
    const up = await scp(server.port, { user, key }, [local, `${user}@127.0.0.1:s.bin`]);
    expect(up.code, up.stderr).toBe(0);
    expect(sha256(readFileSync(join(home, 's.bin')))).toBe(sha256(data));
    const back = join(work, 'scp-back.bin');
    const down = await scp(server.port, { user, key }, [`${user}@127.0.0.1:s.bin`, back]);
    expect(down.code, down.stderr).toBe(0);
    expect(statSync(back).size).toBe(data.length);
  });

  it('legacy scp (exec) is refused', async () => {
    const { user, home } = await newUser();
    const local = join(work, 'legacy.bin');
    writeFileSync(local, 'x');
    const r = await scp(server.port, { user, key }, ['-O', local, `${user}@127.0.0.1:l.bin`]);
    expect(r.code).not.toBe(0);
    expect(existsSync(join(home, 'l.bin'))).toBe(false);
  });
});
