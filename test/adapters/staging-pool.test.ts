// Staging files made ahead of time (src/adapters/local/staging-pool.ts): each take()
// gets an empty file of its own, the pool refills in the background, and nothing it
// made outlives close().
import { closeSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsStorage, STAGING_POOL_SIZE } from '../../src/adapters/local/fs-storage.js';
import { StagingPool } from '../../src/adapters/local/staging-pool.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'thru-staging-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('staging pool', () => {
  it('hands out distinct empty files of its own and refills to its size in the background', async () => {
    const pool = new StagingPool(dir, 3, 0o600);
    const first = await pool.take();
    await expect.poll(() => readdirSync(dir).length).toBe(4); // the taken one and three ready
    const taken = [first, await pool.take(), await pool.take()];
    expect(new Set(taken.map((f) => f.path)).size).toBe(3);
    for (const [i, f] of taken.entries()) {
      expect(join(f.path, '..')).toBe(dir);
      writeSync(f.fd, `file ${i}`);
      closeSync(f.fd);
      expect(readFileSync(f.path, 'utf8')).toBe(`file ${i}`); // nobody else wrote into it
    }
    // While files remain, take() leaves the refill to replenish() (called while a CLOSE
    // waits on the disk).
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(dir)).toHaveLength(4);
    pool.replenish();
    await expect.poll(() => readdirSync(dir).length).toBe(6);
    // Taken to the last file, it refills by itself.
    for (let i = 0; i < 3; i++) taken.push(await pool.take());
    for (const f of taken.slice(3)) closeSync(f.fd);
    await expect.poll(() => readdirSync(dir).length).toBe(9);
    await pool.close();
    expect(readdirSync(dir).sort()).toEqual(taken.map((f) => basename(f.path)).sort());
  });

  it('still works after close, without keeping files ready', async () => {
    const pool = new StagingPool(dir, 2, 0o600);
    await pool.close();
    const f = await pool.take();
    closeSync(f.fd);
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(dir)).toEqual([basename(f.path)]);
  });

  it('reports a folder it cannot create files in from take(), and nothing escapes from the background', async () => {
    const pool = new StagingPool(join(dir, 'gone'), 2, 0o600);
    await expect(pool.take()).rejects.toMatchObject({ code: 'ENOENT' });
    await new Promise((r) => setTimeout(r, 50)); // an unhandled rejection would fail the run
    await pool.close();
  });
});

describe('filesystem storage and its staging pool', () => {
  it('refills the pool as each upload is committed, and leaves nothing in the staging folder after close', async () => {
    const storage = await new FsStorage({ root: dir }).init();
    await storage.mkdir('in');
    const staging = join(dir, '.thru-staging');
    for (const name of ['a', 'b', 'c']) {
      const w = await storage.openWrite(`in/${name}`, { mode: 'atomic', truncate: true });
      await w.write(0, Buffer.from(name));
      await w.commit();
      // The files taken are made again while the commit waited for its folder's fsync.
      await expect.poll(() => readdirSync(staging).length).toBe(STAGING_POOL_SIZE);
    }
    await storage.close();
    expect(readdirSync(staging)).toEqual([]);
    expect(readdirSync(join(dir, 'in')).sort()).toEqual(['a', 'b', 'c']);
  });
});
