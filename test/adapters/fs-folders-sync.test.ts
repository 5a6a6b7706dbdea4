// What the filesystem storage answers is durable in its folder too: a new folder's name
// is synced into its parent before MKDIR is answered (an upload into it syncs only its
// own name, and a crash could otherwise take the folder and the file with it), and so
// are removals; a delivery into a local folder is synced before it counts as done. The
// fsync calls are the real ones, recorded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetSyncs, syncs } from '../support/held-syncs.js';

vi.mock('node:fs', async (importOriginal) => (await import('../support/held-syncs.js')).withRecordedSyncs(await importOriginal()));

const { FsStorage } = await import('../../src/adapters/local/fs-storage.js');
const { mkdirDurably } = await import('../../src/adapters/local/fs-sync.js');
const { FolderDeliverer } = await import('../../src/adapters/local/folder-deliverer.js');
const { deliveryRequest } = await import('../contract/delivery.js');

let dir: string;
let storage: InstanceType<typeof FsStorage>;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thru-fs-folders-'));
  storage = await new FsStorage({ root: join(dir, 'files') }).init();
  resetSyncs();
});
afterEach(async () => {
  await storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('filesystem storage: folders made and removed durably', () => {
  it('syncs the parent of each folder MKDIR makes', async () => {
    await storage.mkdir('a');
    await storage.mkdir('a/b');
    expect(syncs.full).toEqual([join(dir, 'files'), join(dir, 'files', 'a')]);
  });

  it("a stream written under missing folders syncs each new name, then the file's own", async () => {
    await storage.writeStream('x/y/z.bin', Readable.from([Buffer.from('data')]));
    expect(syncs.full).toEqual([join(dir, 'files', 'x'), join(dir, 'files'), join(dir, 'files', 'x', 'y')]);
  });

  it('syncs the folder after REMOVE and RMDIR', async () => {
    await storage.mkdir('a');
    writeFileSync(join(dir, 'files', 'a', 'f'), 'x');
    resetSyncs();
    await storage.remove('a/f');
    await storage.rmdir('a');
    expect(syncs.full).toEqual([join(dir, 'files', 'a'), join(dir, 'files')]);
  });
});

describe('filesystem storage: renames', () => {
  it('syncs the folder of a rename within it, and both folders of a move', async () => {
    await storage.mkdir('a');
    await storage.mkdir('b');
    writeFileSync(join(dir, 'files', 'a', 'f.part'), 'x');
    resetSyncs();
    await storage.rename('a/f.part', 'a/f', { overwrite: false });
    expect(syncs.full).toEqual([join(dir, 'files', 'a')]);
    resetSyncs();
    await storage.rename('a/f', 'b/f', { overwrite: true });
    expect(syncs.full.sort()).toEqual([join(dir, 'files', 'a'), join(dir, 'files', 'b')]);
  });
});

describe('mkdirDurably', () => {
  it('recursive: syncs the parents of what it made, nothing when all exist', async () => {
    await mkdirDurably(join(dir, 'p', 'q', 'r'), { recursive: true, mode: 0o700 });
    expect(syncs.full).toEqual([join(dir, 'p', 'q'), join(dir, 'p'), dir]);
    resetSyncs();
    await mkdirDurably(join(dir, 'p', 'q', 'r'), { recursive: true, mode: 0o700 });
    expect(syncs.full).toEqual([]);
  });
});

describe('delivery into a local folder', () => {
  it('syncs the folders it made and the file name before it is done', async () => {
    const target = { id: 'ep-dir', orgId: 'org-1', name: 'd', type: 'directory' as const, description: '', config: { path: join(dir, 'out') }, createdAt: 'now', updatedAt: 'now' };
    await new FolderDeliverer().deliver(deliveryRequest(target, { data: Buffer.from('delivered'), relativePath: '/2026/a.csv' }));
    expect(syncs.full).toEqual([join(dir, 'out'), dir, join(dir, 'out', '2026')]);
  });
});
