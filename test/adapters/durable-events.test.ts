// A storage event is on disk before its change is answered (src/adapters/local/wal-sync.ts):
// the queue syncs SQLite's WAL after a storage event's enqueue, sharing one fdatasync
// among the enqueues that wait together, and the filesystem storage holds CLOSE and RENAME until
// its listener has queued the event. A power loss cannot be staged here: the syncs are
// the real calls, counted and held back as a slow disk would.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { holdSyncs, resetSyncs, settledSoon, syncs } from '../support/held-syncs.js';

vi.mock('node:fs', async (importOriginal) => (await import('../support/held-syncs.js')).withRecordedSyncs(await importOriginal()));

const { WalSync } = await import('../../src/adapters/local/wal-sync.js');
const { SqliteJobQueue } = await import('../../src/adapters/local/sqlite-queue.js');
const { openDatabase } = await import('../../src/adapters/local/sqlite.js');
const { FsStorage } = await import('../../src/adapters/local/fs-storage.js');
const { SqliteDirectory } = await import('../../src/adapters/local/sqlite-directory.js');
const { createLogger } = await import('../../src/log.js');
const { CoreError } = await import('../../src/core/errors.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'thru-durable-'));
  resetSyncs();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const walSyncs = () => syncs.done.filter((p) => p.endsWith('-wal')).length;

describe('WAL sync', () => {
  it('syncs the WAL file; calls made while one runs share the next', async () => {
    const file = join(dir, 'thru.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (x)');
    const wal = new WalSync(file);
    const release = holdSyncs();
    const first = wal.sync();
    const later = [wal.sync(), wal.sync(), wal.sync()];
    expect(syncs.done).toEqual([`${file}-wal`]);
    release();
    await Promise.all([first, ...later]);
    expect(syncs.done).toEqual([`${file}-wal`, `${file}-wal`]); // not four
    await wal.close();
    db.close();
  });
});

describe('WAL sync on a failing disk', () => {
  it('rejects, and keeps rejecting once the disk answers again (a writeback error is reported once)', async () => {
    const file = join(dir, 'thru.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (x)');
    const wal = new WalSync(file);
    syncs.failIf = () => true;
    await expect(wal.sync()).rejects.toThrow(/EIO/);
    syncs.failIf = () => false;
    await expect(wal.sync()).rejects.toThrow(/none is trusted until thru-sftp restarts/);
    expect(walSyncs()).toBe(1); // the second did not even try
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
    const release = holdSyncs();
    const queued = queue.enqueueDurably({ kind: 'storage-event', event: { name: 'ObjectCreated:Put', key: 'a', size: 1, version: 'v', at: new Date().toISOString() } });
    expect(await settledSoon(queued)).toBe(false); // committed, not yet on disk
    expect(walSyncs()).toBe(1);
    release();
    await queued;
    expect(queue.pending()).toBe(2);
    await queue.stop();
    db.close();
  });
});

describe('one WAL sync per connection', () => {
  it('the queue and the directory share it: a change waiting with a storage event costs no extra sync', async () => {
    const db = openDatabase(join(dir, 'thru.db'));
    const queue = new SqliteJobQueue(db, createLogger('silent'));
    const directory = new SqliteDirectory(db);
    await directory.organizations.create({ id: 'org-1', name: 'o', createdAt: 'now', updatedAt: 'now' });
    const release = holdSyncs();
    const both = [
      queue.enqueueDurably({ kind: 'storage-event', event: { name: 'ObjectCreated:Put', key: 'a', size: 1, version: 'v', at: new Date().toISOString() } }),
      directory.syncWrites(),
    ];
    expect(await settledSoon(both[1]!)).toBe(false);
    expect(walSyncs()).toBe(1); // the second caller waits for the next, not a second sync at once
    release();
    await Promise.all(both);
    expect(walSyncs()).toBe(2);
    await queue.stop();
    await directory.close();
  });

  it('an in-memory database has none: syncWrites resolves at once', async () => {
    const directory = new SqliteDirectory(openDatabase(':memory:'));
    const release = holdSyncs();
    expect(await settledSoon(directory.syncWrites())).toBe(true);
    release();
    expect(walSyncs()).toBe(0);
    await directory.close();
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
    expect(await settledSoon(committed)).toBe(false);
    tellAll();
    await committed;

    const renamed = storage.rename('f.part', 'f', { overwrite: false });
    await vi.waitFor(() => expect(told).toEqual(['ObjectCreated:Put f.part', 'ObjectCreated:Copy f', 'ObjectRemoved:Delete f.part']));
    expect(await settledSoon(renamed)).toBe(false);
    tellAll();
    await renamed;
    await storage.close();
  });
});

describe('filesystem storage with a listener that fails', () => {
  it('fails commit, rename and remove with its error; each change stays made', async () => {
    const refused = new CoreError('failure', 'cannot queue');
    const storage = await new FsStorage({ root: dir, onEvent: () => Promise.reject(refused) }).init();
    const w = await storage.openWrite('f', { mode: 'atomic', truncate: true });
    await w.write(0, Buffer.from('data'));
    await expect(w.commit()).rejects.toBe(refused);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('data');
    await expect(storage.rename('f', 'g', { overwrite: false })).rejects.toBe(refused);
    expect(existsSync(join(dir, 'g'))).toBe(true);
    await expect(storage.remove('g')).rejects.toBe(refused);
    expect(existsSync(join(dir, 'g'))).toBe(false);
    await storage.close();
  });
});
