// When the filesystem storage makes an upload's data durable (src/adapters/local/fs-storage.ts):
// a small file whose writes have all landed is synced before its CLOSE comes, and
// commit then does not sync it again; a write that lands after that sync began makes
// commit sync again. The fdatasync calls are the real ones, counted (and, in one test,
// held back as a slow disk would).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { holdSyncs, resetSyncs, syncs } from '../support/held-syncs.js';

vi.mock('node:fs', async (importOriginal) => (await import('../support/held-syncs.js')).withRecordedSyncs(await importOriginal()));

const { EARLY_SYNC_MAX_BYTES, FLUSH_BEHIND_BYTES, FsStorage } = await import('../../src/adapters/local/fs-storage.js');

let dir: string;
let storage: InstanceType<typeof FsStorage>;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thru-fs-sync-'));
  storage = await new FsStorage({ root: dir }).init();
  resetSyncs();
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

const bytes = (n: number, fill: number) => Buffer.alloc(n, fill);

describe('filesystem storage: syncing an upload', () => {
  it('syncs a small file as soon as its writes have landed, and not again at fsync@openssh.com or commit', async () => {
    const w = await storage.openWrite('small.bin', { mode: 'atomic', truncate: true });
    await w.write(0, bytes(4096, 1));
    expect(syncs.done.length).toBe(1); // started before the client could send CLOSE
    await w.sync();
    await w.commit();
    expect(syncs.done.length).toBe(1);
    expect(readFileSync(join(dir, 'small.bin'))).toEqual(bytes(4096, 1));
  });

  it('waits for the short WRITE that ends a file cut into full-size ones', async () => {
    const w = await storage.openWrite('cut.bin', { mode: 'atomic', truncate: true });
    await w.write(0, bytes(32 * 1024, 1));
    await w.write(32 * 1024, bytes(32 * 1024, 2));
    expect(syncs.done.length).toBe(0); // full-size pieces: more is coming
    await w.write(64 * 1024, bytes(100, 3));
    expect(syncs.done.length).toBe(1); // the short last one
    await w.commit();
    expect(syncs.done.length).toBe(1);
    expect(readFileSync(join(dir, 'cut.bin')).length).toBe(64 * 1024 + 100);
  });

  it('syncs again at commit when a write landed after the early sync began', async () => {
    const release = holdSyncs();
    const w = await storage.openWrite('two.bin', { mode: 'resumable', truncate: true });
    await w.write(0, bytes(4096, 1));
    expect(syncs.done.length).toBe(1); // held: still under way when the next write lands
    await w.write(4096, bytes(4096, 2));
    expect(syncs.done.length).toBe(1); // one sync at a time
    const committed = w.commit();
    release();
    await committed;
    expect(syncs.done.length).toBe(2); // the second write is covered by a sync of its own
    expect(readFileSync(join(dir, 'two.bin'))).toEqual(Buffer.concat([bytes(4096, 1), bytes(4096, 2)]));
  });

  it('flushes a large upload behind it as it goes, so that commit only has the tail left', async () => {
    const w = await storage.openWrite('big.bin', { mode: 'atomic', truncate: true });
    const chunk = bytes(2 * 1024 * 1024, 4);
    for (let at = 0; at < 2 * FLUSH_BEHIND_BYTES; at += chunk.length) await w.write(at, chunk);
    expect(syncs.done.length).toBeGreaterThanOrEqual(1); // before CLOSE
    const before = syncs.done.length;
    await w.commit();
    expect(syncs.done.length).toBe(before + 1);
  });

  it('leaves a larger file to the sync at commit', async () => {
    const w = await storage.openWrite('large.bin', { mode: 'atomic', truncate: true });
    await w.write(0, bytes(EARLY_SYNC_MAX_BYTES + 1, 3));
    expect(syncs.done.length).toBe(0);
    await w.commit();
    expect(syncs.done.length).toBe(1);
    expect(readFileSync(join(dir, 'large.bin')).length).toBe(EARLY_SYNC_MAX_BYTES + 1);
  });
});
