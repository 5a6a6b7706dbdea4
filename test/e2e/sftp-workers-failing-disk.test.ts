// THRU_WORKERS=2 on a disk that starts failing its syncs: an upload a worker takes fails
// (its storage event cannot be made durable), and the main process, which answers
// /v1/health, says so with the worker's reason, though it never synced anything itself.
// The failure is injected into the real processes (test/support/failing-wal-syncs.js).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sftpBatch } from '../support/openssh.js';
import { spawnServer, type SpawnedServer } from '../support/spawned-server.js';

let s: SpawnedServer;
let work: string;
const trigger = () => join(work, 'fail-wal-syncs-now');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'thru-failing-disk-'));
  s = await spawnServer('bin/local.ts', {
    THRU_WORKERS: '2',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${resolve('test/support/failing-wal-syncs.js')}`.trim(),
    THRU_TEST_FAIL_WAL_SYNCS: trigger(),
  });
}, 90_000);
afterAll(async () => {
  await s?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

const health = async () => {
  const started = s.lines.find((l) => l.msg === 'thru-sftp started') as { adminPort: number };
  const res = await fetch(`http://127.0.0.1:${started.adminPort}/v1/health`);
  return { status: res.status, body: (await res.json()) as { status: string; problem?: string } };
};

describe('SFTP workers on a disk that fails a sync', () => {
  it('fail the upload, and /v1/health on the main process says why', async () => {
    expect(await health()).toEqual({ status: 200, body: { status: 'ok' } });
    writeFileSync(trigger(), '');
    const local = join(work, 'a.csv');
    writeFileSync(local, 'a,b\n');
    const put = await sftpBatch(s.port, { user: 'demo', password: s.password }, [`put ${local} a.csv`]);
    expect(put.code).not.toBe(0);
    const refused = s.lines.find((l) => l.msg === 'cannot queue a storage event');
    expect(typeof refused?.pid).toBe('number');
    expect(refused?.pid).not.toBe(s.child.pid); // a worker refused it
    // The worker's message reaches the main process over IPC, shortly after the refusal.
    const reported = await vi.waitFor(
      async () => {
        const h = await health();
        expect(h.status).toBe(503);
        return h.body;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(reported.status).toBe('failing');
    expect(reported.problem).toMatch(new RegExp(`^SFTP worker ${String(refused?.pid)}: syncing .*-wal failed \\(EIO\\)`));
  });
});
