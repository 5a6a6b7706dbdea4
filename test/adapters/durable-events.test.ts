// A storage event is on disk before its change is answered (src/adapters/local/wal-sync.ts):
// the queue syncs SQLite's WAL after a storage event's enqueue, sharing one fdatasync
// among the enqueues that wait together, and the filesystem storage holds CLOSE and RENAME until
// its listener has queued the event. A power loss cannot be staged here: the syncs are
// the real calls, counted and held back as a slow disk would.
import type * as nodeFs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const disk = vi.hoisted(() => ({ synced: [] as string[], paths: new Map<number, string>(), hold: undefined as Promise<void> | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof nodeFs>();
  const openSync = (path: nodeFs.PathLike, flags?: nodeFs.OpenMode, mode?: nodeFs.Mode) => {
    const fd = fs.openSync(path, flags ?? 'r', mode);
    disk.paths.set(fd, String(path));
    return fd;
  };
  const fdatasync = (fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => {
    disk.synced.push(disk.paths.get(fd) ?? `fd ${fd}`);
    const held = disk.hold;
    if (held) void held.then(() => fs.fdatasync(fd, callback));
    else fs.fdatasync(fd, callback);
  };
  return { ...fs, default: { ...fs, fdatasync, openSync }, fdatasync, openSync };
});

const { WalSync } = await import('../../src/adapters/local/wal-sync.js');
const { SqliteJobQueue } = await import('../../src/adapters/local/sqlite-queue.js');
const { openDatabase } = await import('../../src/adapters/local/sqlite.js');
const { FsStorage } = await import('../../src/adapters/local/fs-storage.js');
const { createLogger } = await import('../../src/log.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'thru-durable-'));
  disk.synced.length = 0;
  disk.hold = undefined;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const walSyncs = () => disk.synced.filter((p) => p.endsWith('-wal')).length;
const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 20));
  return done;
};
function gate() {
  let open!: () => void;
  disk.hold = new Promise<void>((r) => (open = r));
  return () => {
    disk.hold = undefined;
    open();
  };
}

describe('WAL sync', () => {
  it('syncs the WAL file; calls made while one runs share the next', async () => {
    const file = join(dir, 'thru.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (x)');
    const wal = new WalSync(file);
    const release = gate();
    const first = wal.sync();
    const later = [wal.sync(), wal.sync(), wal.sync()];
    expect(disk.synced).toEqual([`${file}-wal`]);
    release();
    await Promise.all([first, ...later]);
    expect(disk.synced).toEqual([`${file}-wal`, `${file}-wal`]); // not four
    await wal.close();
    db.close();
  });
});

describe('SQLite queue on a file', () => {
  it('resolves enqueueDurably only once the WAL holding the job is synced; a job a job adds does not wait', async () => {
    const db = openDatabase(join(dir, 'thru.db'));
    const queue = new SqliteJobQueue(db, createLogger('silent'));
    await queue.enqueue({ kind: 'deliver', transferId: 't', deliveryId: 'd' });
    expect(walSyncs()).toBe(0);
    const release = gate();
    const queued = queue.enqueueDurably({ kind: 'storage-event', event: { name: 'ObjectCreated:Put', key: 'a', size: 1, version: 'v', at: new Date().toISOString() } });
    expect(await settled(queued)).toBe(false); // committed, not yet on disk
    expect(walSyncs()).toBe(1);
    release();
    await queued;
    expect(queue.pending()).toBe(2);
    await queue.stop();
    db.close();
  });
});

describe('SQLite queue on a file not in WAL mode', () => {
  it('enqueues without a WAL to sync (SQLite syncs its rollback journal itself)', async () => {
    const db = openDatabase(join(dir, 'thru.db'));
    db.pragma('journal_mode = DELETE');
    const queue = new SqliteJobQueue(db, createLogger('silent'));
    await queue.enqueueDurably({ kind: 'storage-event', event: { name: 'ObjectCreated:Put', key: 'a', size: 1, version: 'v', at: new Date().toISOString() } });
    expect(walSyncs()).toBe(0);
    expect(queue.pending()).toBe(1);
    await queue.stop();
    db.close();
  });
});

describe('filesystem storage with a listener that queues durably', () => {
  it('answers commit and rename only once the listener is done', async () => {
    const waiting: Array<() => void> = [];
    const told: string[] = [];
    const tellAll = () => waiting.splice(0).forEach((resolve) => resolve());
    const storage = await new FsStorage({
      root: dir,
      onEvent: (e) =>
        new Promise<void>((resolve) => {
          told.push(`${e.name} ${e.key}`);
          waiting.push(resolve);
        }),
    }).init();
    const w = await storage.openWrite('f.part', { mode: 'atomic', truncate: true });
    await w.write(0, Buffer.from('data'));
    const committed = w.commit();
    await vi.waitFor(() => expect(told).toEqual(['ObjectCreated:Put f.part']));
    expect(await settled(committed)).toBe(false);
    tellAll();
    await committed;

    const renamed = storage.rename('f.part', 'f', { overwrite: false });
    await vi.waitFor(() => expect(told).toEqual(['ObjectCreated:Put f.part', 'ObjectCreated:Copy f', 'ObjectRemoved:Delete f.part']));
    expect(await settled(renamed)).toBe(false);
    tellAll();
    await renamed;
    await storage.close();
  });
});
