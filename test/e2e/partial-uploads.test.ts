// A client killed mid-upload (SPEC §3 durability and partial uploads): nothing at a
// normal name and the previous version intact; a temp name keeps what arrived, so the
// upload can be resumed and completed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STAGING_POOL_SIZE } from '../../src/adapters/local/fs-storage.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { generateKey, sftpBatch, spawnSftp, type ClientKey } from '../support/openssh.js';

let server: TestServer;
let key: ClientKey;
let work: string;
let data: Buffer;
let local: string;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const staging = () => join(server.dataDir, 'files', '.thru-staging');

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Start uploading 512 MiB and SIGKILL the client once `progress()` passes 1 MiB, long before the end. */
async function killMidUpload(user: string, remote: string, progress: () => number): Promise<void> {
  const child = spawnSftp(server.port, { user, key }, [`put ${local} ${remote}`]);
  const exited = new Promise((r) => child.on('close', r));
  await until('upload progress', () => progress() > 1024 * 1024);
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  server = await startTestServer();
  key = generateKey();
  work = mkdtempSync(join(tmpdir(), 'thru-partial-'));
  data = randomBytes(512 * 1024 * 1024);
  local = join(work, 'big.bin');
  writeFileSync(local, data);
});
afterAll(async () => {
  await server?.stop();
});

const stagedBytes = () => readdirSync(staging()).reduce((n, f) => n + statSync(join(staging(), f)).size, 0);
// The staging folder also holds a few empty files made ahead for the next uploads.
const discarded = () => {
  const names = readdirSync(staging());
  return names.length <= STAGING_POOL_SIZE && names.every((f) => statSync(join(staging(), f)).size === 0);
};

describe('killed client', () => {
  it('leaves nothing new at a normal name and keeps the previous version', async () => {
    await server.createUser({ username: 'normal', publicKeys: [key.publicKey], homeDirectory: '/normal' });
    mkdirSync(server.fileOnDisk('normal'), { recursive: true });
    writeFileSync(server.fileOnDisk('normal/report.csv'), 'previous version');
    writeFileSync(server.fileOnDisk('normal/keep.txt'), 'x');
    await killMidUpload('normal', 'report.csv', stagedBytes);
    await until('the aborted upload to be discarded', discarded);
    expect(readFileSync(server.fileOnDisk('normal/report.csv'), 'utf8')).toBe('previous version');
    await killMidUpload('normal', 'fresh.csv', stagedBytes);
    await until('the aborted upload to be discarded', discarded);
    expect(existsSync(server.fileOnDisk('normal/fresh.csv'))).toBe(false);
    expect(server.logs.some((l) => l['activity-type'] === 'PARTIAL_CLOSE' && l.path === '/fresh.csv' && l.kept === false)).toBe(true);
  });

  it('keeps the bytes of a temp-named upload, which reput then completes', async () => {
    await server.createUser({ username: 'temp', publicKeys: [key.publicKey], homeDirectory: '/temp' });
    const part = () => server.fileOnDisk('temp/big.bin.filepart');
    await killMidUpload('temp', 'big.bin.filepart', () => (existsSync(part()) ? statSync(part()).size : 0));
    await until('the session to end', () => server.logs.some((l) => l['activity-type'] === 'PARTIAL_CLOSE' && l.path === '/big.bin.filepart'));
    const kept = readFileSync(part());
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(data.length);
    expect(sha256(kept)).toBe(sha256(data.subarray(0, kept.length)));
    const r = await sftpBatch(server.port, { user: 'temp', key }, [`reput ${local} big.bin.filepart`, 'rename big.bin.filepart big.bin']);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(readFileSync(server.fileOnDisk('temp/big.bin')))).toBe(sha256(data));
  });
});
