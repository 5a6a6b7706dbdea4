// A full disk, for real: the data directory on an 8 MiB tmpfs (mounting needs root, as
// CI has; elsewhere the suite is skipped). An upload that does not fit fails with a
// clear status and leaves nothing behind, neither at its name nor in the staging
// folder; the space comes back and the next upload that fits goes through.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { generateKey, sftpBatch } from '../support/openssh.js';

const MIB = 1024 * 1024;

function mountSmallDisk(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'thru-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmdirSync(dir);
    return undefined;
  }
}

const disk = mountSmallDisk();
let server: TestServer;
let key: ReturnType<typeof generateKey>;
let work: string;

beforeAll(async () => {
  if (!disk) return;
  server = await startTestServer({ dataDir: disk });
  key = generateKey();
  await server.createUser({ username: 'full', publicKeys: [key.publicKey] });
  work = mkdtempSync(join(tmpdir(), 'thru-full-work-'));
});
afterAll(async () => {
  if (!disk) return;
  await server?.stop();
  execFileSync('umount', [disk]);
  rmdirSync(disk);
});

const free = () => {
  const s = statfsSync(disk!);
  return s.bavail * s.bsize;
};
const stagedBytes = () => {
  const staging = join(disk!, 'files', '.thru-staging');
  return readdirSync(staging).reduce((sum, name) => sum + statSync(join(staging, name)).size, 0);
};

describe.skipIf(!disk)('an upload onto a full disk', () => {
  it('fails, leaves nothing behind, and the next upload that fits goes through', async () => {
    const before = free();
    const big = join(work, 'big.bin');
    writeFileSync(big, randomBytes(16 * MIB));
    const put = await sftpBatch(server.port, { user: 'full', key }, [`put ${big} big.bin`]);
    expect(put.code).not.toBe(0);
    expect(put.stderr).toMatch(/Failure/);
    expect(existsSync(server.fileOnDisk('big.bin'))).toBe(false);
    expect(stagedBytes()).toBe(0);
    expect(free()).toBeGreaterThanOrEqual(before - 64 * 1024); // the space came back (give or take the database's pages)
    expect(server.logs.some((l) => l.msg === 'close failed' && l.path === '/big.bin')).toBe(true);

    const small = join(work, 'small.bin');
    const data = randomBytes(512 * 1024);
    writeFileSync(small, data);
    const next = await sftpBatch(server.port, { user: 'full', key }, [`put ${small} small.bin`]);
    expect(next.code).toBe(0);
    expect(readFileSync(server.fileOnDisk('small.bin')).equals(data)).toBe(true);
  });
});
