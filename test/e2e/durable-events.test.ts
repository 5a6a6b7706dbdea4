// An acknowledged upload's storage event is on disk (src/adapters/local/wal-sync.ts),
// through the real runtime and the OpenSSH client: `put` does not finish while the
// queue's WAL sync is held back, though the file is already in place. So is an admin's
// change the API answered. A power loss cannot be staged; the fdatasync calls are the
// real ones, held back as a slow disk would, or failed as a failing one would.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { holdSyncs, resetSyncs, syncs } from '../support/held-syncs.js';

vi.mock('node:fs', async (importOriginal) => (await import('../support/held-syncs.js')).withRecordedSyncs(await importOriginal()));

const { startTestServer } = await import('../support/local-server.js');
const { generateKey, sftpBatch, spawnSftp } = await import('../support/openssh.js');

let server: Awaited<ReturnType<typeof startTestServer>>;
let key: ReturnType<typeof generateKey>;
let work: string;
beforeAll(async () => {
  server = await startTestServer();
  key = generateKey();
  work = mkdtempSync(join(tmpdir(), 'thru-durable-e2e-'));
});
afterAll(async () => {
  await server?.stop();
});

describe('storage events on disk before the answer', () => {
  it('holds the CLOSE of a put until the queue has synced its event', async () => {
    await server.createUser({ username: 'held', publicKeys: [key.publicKey] });
    const local = join(work, 'held.bin');
    writeFileSync(local, 'held until its event is on disk');
    syncs.holdIf = (what) => what.endsWith('-wal');
    const release = holdSyncs();
    const child = spawnSftp(server.port, { user: 'held', key }, [`put ${local} held.bin`]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let done = false;
    void exited.then(() => (done = true));
    await vi.waitFor(() => expect(existsSync(server.fileOnDisk('held.bin'))).toBe(true), { timeout: 15_000 });
    await vi.waitFor(() => expect(syncs.done.some((p) => p.endsWith('-wal'))).toBe(true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false); // the file is in place, its CLOSE not answered
    release();
    expect(await exited).toBe(0);
  });
});

const adminOf =
  (s: typeof server) =>
  (path: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${s.runtime.adminPort}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${s.runtime.adminToken.token}`, 'content-type': 'application/json' },
    });

describe('admin changes on disk before the answer', () => {
  const admin = (path: string, init: RequestInit = {}) => adminOf(server)(path, init);

  it('answers a change once the WAL holding it is synced; reads and refusals do not wait', async () => {
    expect(await (await fetch(`http://127.0.0.1:${server.runtime.adminPort}/v1/health`)).json()).toEqual({ status: 'ok' });
    syncs.holdIf = (what) => what.endsWith('-wal');
    const release = holdSyncs();
    const walSyncs = () => syncs.done.filter((p) => p.endsWith('-wal')).length;
    const before = walSyncs();
    const created = admin('/v1/organizations', { method: 'POST', body: JSON.stringify({ name: 'held-org' }) });
    let answered = false;
    void created.then(() => (answered = true));
    await vi.waitFor(() => expect(walSyncs()).toBe(before + 1));
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false); // committed, not yet on disk
    // Meanwhile a read answers from the same database, and a refused change syncs nothing.
    const list = await admin('/v1/organizations?limit=100');
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: { name: string }[] }).items.map((o) => o.name)).toContain('held-org');
    expect((await admin('/v1/organizations', { method: 'POST', body: JSON.stringify({}) })).status).toBe(400);
    expect(walSyncs()).toBe(before + 1);
    release();
    expect((await created).status).toBe(201);
  });
});

describe('a disk that fails a sync', () => {
  it('fails the put and the admin change, and keeps refusing once the disk answers again', async () => {
    // A server of its own: after this, its syncs are refused until it restarts.
    const failing = await startTestServer();
    try {
      await failing.createUser({ username: 'failing', publicKeys: [key.publicKey] });
      const local = join(work, 'failing.bin');
      writeFileSync(local, 'stored, never queued');
      resetSyncs();
      syncs.failIf = (what) => what.endsWith('-wal');
      const put = await sftpBatch(failing.port, { user: 'failing', key }, [`put ${local} failing.bin`]);
      expect(put.code).not.toBe(0);
      expect(existsSync(failing.fileOnDisk('failing.bin'))).toBe(true); // the change is made, its answer failed
      expect(failing.logs.some((l) => l.msg === 'cannot queue a storage event')).toBe(true);

      // The disk answers again; what the failed sync lost cannot be proven written, so syncs stay refused.
      syncs.failIf = () => false;
      const created = await adminOf(failing)('/v1/organizations', { method: 'POST', body: JSON.stringify({ name: 'unsynced-org' }) });
      expect(created.status).toBe(500);
      const body = (await created.json()) as { error: { code: string; message: string } };
      expect(body.error).toEqual({ code: 'failure', message: expect.stringMatching(/saved but syncing it to disk failed/) as unknown });
      const logged = failing.logs.find((l) => l.msg === 'cannot sync an admin change to disk') as { err?: { message?: string } } | undefined;
      expect(logged?.err?.message).toMatch(/none is trusted until thru-sftp restarts/);
      const again = await sftpBatch(failing.port, { user: 'failing', key }, [`put ${local} again.bin`]);
      expect(again.code).not.toBe(0);
      // What an orchestrator or a monitor polls says so, and why.
      const health = await fetch(`http://127.0.0.1:${failing.runtime.adminPort}/v1/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ status: 'failing', problem: expect.stringMatching(/-wal failed \(EIO\).*until thru-sftp restarts/) as unknown });
    } finally {
      syncs.failIf = () => false;
      await failing.stop();
    }
  });
});
