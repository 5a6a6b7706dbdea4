// The storage port's contract (src/core/ports/storage.ts), one suite for every adapter:
// what the core and the post-upload pipeline rely on, whatever holds the bytes.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer as collect } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isCoreError, type CoreErrorCode } from '../../src/core/errors.js';
import type { Entry, ObjectMeta, Storage, StorageEvent } from '../../src/core/ports/storage.js';

export interface StorageFixture {
  storage: Storage;
  /** Storage events seen so far, in the order the adapter produced them. */
  events: StorageEvent[];
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** A size that makes the adapter stream in several parts (S3: above its part size). */
  largeSize: number;
}

const META: ObjectMeta = { user: 'alice', sourceIp: '192.0.2.7' };

async function code(promise: Promise<unknown>): Promise<CoreErrorCode | 'resolved'> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    if (isCoreError(err)) return err.code;
    throw err;
  }
}

export function describeStorageContract(name: string, factory: () => Promise<StorageFixture>, options: ContractOptions): void {
  describe(`storage contract: ${name}`, () => {
    let fx: StorageFixture;
    let s: Storage;
    beforeEach(async () => {
      fx = await factory();
      s = fx.storage;
      await s.mkdir('t');
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    async function put(key: string, data: Buffer | string, meta: ObjectMeta = META): Promise<Buffer> {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
      const w = await s.openWrite(key, { truncate: true, mode: 'atomic', meta });
      if (bytes.length > 0) await w.write(0, bytes);
      await w.commit();
      return bytes;
    }

    async function read(key: string): Promise<Buffer> {
      const r = await s.openRead(key);
      try {
        const chunks: Buffer[] = [];
        for (let at = 0; ; ) {
          const chunk = await r.read(at, 256 * 1024);
          if (chunk.length === 0) break;
          chunks.push(chunk);
          at += chunk.length;
        }
        return Buffer.concat(chunks);
      } finally {
        await r.close();
      }
    }

    async function exists(key: string): Promise<boolean> {
      return (await code(s.stat(key))) !== 'not_found';
    }

    async function listAll(key: string, limit: number): Promise<{ entries: Entry[]; pages: number }> {
      const entries: Entry[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await s.list(key, { cursor, limit });
        expect(page.entries.length).toBeLessThanOrEqual(limit);
        entries.push(...page.entries);
        cursor = page.cursor;
        pages++;
      } while (cursor !== undefined);
      return { entries, pages };
    }

    /** Events are asynchronous for some adapters: wait for one. */
    async function eventFor(predicate: (e: StorageEvent) => boolean): Promise<StorageEvent> {
      return vi.waitFor(
        () => {
          const found = fx.events.find(predicate);
          if (!found) throw new Error('no such event yet');
          return found;
        },
        { timeout: 10_000, interval: 10 },
      );
    }

    /** Everything the adapter will report about what came before has been reported. */
    async function drainEvents(): Promise<void> {
      const key = `t/sentinel-${randomBytes(4).toString('hex')}`;
      await put(key, 'x');
      await eventFor((e) => e.key === key);
    }

    describe('stat', () => {
      it('describes a file', async () => {
        await put('t/a.txt', 'hello');
        const e = await s.stat('t/a.txt');
        expect(e).toMatchObject({ name: 'a.txt', type: 'file', size: 5 });
        expect(e.mtime).toBeInstanceOf(Date);
      });

      it('describes a folder', async () => {
        await s.mkdir('t/d');
        expect(await s.stat('t/d')).toMatchObject({ name: 'd', type: 'directory', size: 0 });
      });

      it('describes an empty file', async () => {
        await put('t/empty', '');
        expect(await s.stat('t/empty')).toMatchObject({ type: 'file', size: 0 });
      });

      it('says not_found for a missing key', async () => {
        expect(await code(s.stat('t/missing'))).toBe('not_found');
        expect(await code(s.stat('nowhere/at/all'))).toBe('not_found');
      });

      it('refuses keys that could leave the root', async () => {
        for (const bad of ['', '/t', 't/../x', 't//x', 't/./x', 't/x/']) expect(await code(s.stat(bad))).toBe('invalid_argument');
      });
    });

    describe('mkdir and rmdir', () => {
      it('creates and removes an empty folder', async () => {
        await s.mkdir('t/d');
        expect((await s.stat('t/d')).type).toBe('directory');
        await s.rmdir('t/d');
        expect(await exists('t/d')).toBe(false);
      });

      it('says already_exists for an existing folder or file', async () => {
        await s.mkdir('t/d');
        await put('t/f', 'x');
        expect(await code(s.mkdir('t/d'))).toBe('already_exists');
        expect(await code(s.mkdir('t/f'))).toBe('already_exists');
      });

      it('says not_found when the parent folder is missing', async () => {
        expect(await code(s.mkdir('t/no/d'))).toBe('not_found');
        expect(await exists('t/no')).toBe(false);
      });

      it('refuses to remove a folder that has a file or a folder in it', async () => {
        await s.mkdir('t/d');
        await put('t/d/f', 'x');
        expect(await code(s.rmdir('t/d'))).toBe('not_empty');
        await s.remove('t/d/f');
        await s.mkdir('t/d/sub');
        expect(await code(s.rmdir('t/d'))).toBe('not_empty');
        expect((await s.stat('t/d/sub')).type).toBe('directory');
      });

      it('says not_found for a missing folder and not_a_directory for a file', async () => {
        await put('t/f', 'x');
        expect(await code(s.rmdir('t/missing'))).toBe('not_found');
        expect(await code(s.rmdir('t/f'))).toBe('not_a_directory');
        expect(await exists('t/f')).toBe(true);
      });
    });

    describe('list', () => {
      it('pages through 250 entries with a cursor, each file and folder once', async () => {
        await s.mkdir('t/big');
        // Every fifth entry a folder with a file in it, so that pages end on folders.
        // Names with no one a prefix of another: s3rver walks keys in its on-disk order,
        // which differs from S3's for such names, and then pages wrongly.
        const names = Array.from({ length: 250 }, (_, i) => `e${String(i).padStart(3, '0')}`);
        const folders = names.filter((_, i) => i % 5 === 4);
        const files = names.filter((_, i) => i % 5 !== 4);
        await Promise.all(files.map((f) => put(`t/big/${f}`, 'x'.repeat(Number(f.slice(1)) % 7))));
        await Promise.all(folders.map((d) => s.mkdir(`t/big/${d}`)));
        await Promise.all(folders.map((d) => put(`t/big/${d}/inside`, 'not listed at this level')));

        const { entries, pages } = await listAll('t/big', 100);
        expect(pages).toBeGreaterThanOrEqual(3);
        const listed = entries.map((e) => e.name);
        expect(new Set(listed).size).toBe(listed.length);
        expect(listed.sort()).toEqual(names);
        for (const e of entries) {
          if (folders.includes(e.name)) expect(e.type).toBe('directory');
          else expect(e).toMatchObject({ type: 'file', size: Number(e.name.slice(1)) % 7 });
          expect(e.mtime).toBeInstanceOf(Date);
        }
      });

      it('lists an empty folder as one last page', async () => {
        await s.mkdir('t/empty');
        const page = await s.list('t/empty', { limit: 10 });
        expect(page).toEqual({ entries: [] });
      });

      it('says not_found for a missing folder and not_a_directory for a file', async () => {
        await put('t/f', 'x');
        expect(await code(s.list('t/missing', { limit: 10 }))).toBe('not_found');
        expect(await code(s.list('t/f', { limit: 10 }))).toBe('not_a_directory');
      });

      it('shows names with spaces, plus signs, percent signs and non-ASCII as they are', async () => {
        const names = ['a b.csv', 'x+y.csv', '100%.txt', 'résumé.pdf', '日本.txt'];
        for (const n of names) await put(`t/${n}`, n);
        const { entries } = await listAll('t', 100);
        expect(entries.map((e) => e.name).sort()).toEqual([...names].sort());
        for (const n of names) expect((await read(`t/${n}`)).toString()).toBe(n);
      });
    });

    describe('openWrite, atomic (normal names)', () => {
      it('shows nothing before commit, then the exact bytes', async () => {
        const data = randomBytes(300_000);
        const w = await s.openWrite('t/a.bin', { truncate: true, mode: 'atomic', meta: META });
        for (let at = 0; at < data.length; at += 32_768) await w.write(at, data.subarray(at, at + 32_768));
        expect(w.size).toBe(data.length);
        expect(await exists('t/a.bin')).toBe(false);
        expect((await s.list('t', { limit: 100 })).entries.map((e) => e.name)).not.toContain('a.bin');
        await w.commit();
        expect(await s.stat('t/a.bin')).toMatchObject({ type: 'file', size: data.length });
        expect((await read('t/a.bin')).equals(data)).toBe(true);
      });

      it('streams a large file written sequentially with requests in flight', async () => {
        const data = randomBytes(options.largeSize);
        const w = await s.openWrite('t/large.bin', { truncate: true, mode: 'atomic', meta: META });
        // Like an SFTP client: many WRITE requests sent before the first answer.
        const chunk = 255 * 1024;
        const inflight: Promise<void>[] = [];
        for (let at = 0; at < data.length; at += chunk) {
          inflight.push(w.write(at, data.subarray(at, at + chunk)));
          if (inflight.length >= 64) await inflight.shift();
        }
        await Promise.all(inflight);
        expect(await exists('t/large.bin')).toBe(false);
        await w.commit();
        expect((await s.stat('t/large.bin')).size).toBe(data.length);
        expect((await read('t/large.bin')).equals(data)).toBe(true);
      });

      it('commits an empty file', async () => {
        const w = await s.openWrite('t/zero', { truncate: true, mode: 'atomic', meta: META });
        await w.commit();
        expect(await s.stat('t/zero')).toMatchObject({ type: 'file', size: 0 });
        expect((await read('t/zero')).length).toBe(0);
      });

      it('leaves nothing when aborted', async () => {
        const w = await s.openWrite('t/gone.bin', { truncate: true, mode: 'atomic', meta: META });
        await w.write(0, randomBytes(100_000));
        await w.abort();
        expect(await exists('t/gone.bin')).toBe(false);
        expect((await s.list('t', { limit: 100 })).entries).toEqual([]);
      });

      it('leaves nothing when a large upload is aborted', async () => {
        const w = await s.openWrite('t/gone-large.bin', { truncate: true, mode: 'atomic', meta: META });
        const data = randomBytes(options.largeSize);
        await w.write(0, data);
        await w.abort();
        expect(await exists('t/gone-large.bin')).toBe(false);
      });

      it('keeps the previous version intact when aborted, and replaces it on commit', async () => {
        const before = await put('t/v.txt', 'version one');
        const w = await s.openWrite('t/v.txt', { truncate: true, mode: 'atomic', meta: META });
        await w.write(0, Buffer.from('version two, longer'));
        await w.abort();
        expect((await read('t/v.txt')).equals(before)).toBe(true);

        const w2 = await s.openWrite('t/v.txt', { truncate: true, mode: 'atomic', meta: META });
        await w2.write(0, Buffer.from('v3'));
        expect((await read('t/v.txt')).equals(before)).toBe(true);
        await w2.commit();
        expect((await read('t/v.txt')).toString()).toBe('v3');
      });

      it('assembles out-of-order writes', async () => {
        const data = randomBytes(200_000);
        const blocks = Array.from({ length: Math.ceil(data.length / 16_384) }, (_, i) => i * 16_384);
        const order = [...blocks].reverse();
        [order[0], order[3]] = [order[3]!, order[0]!];
        const w = await s.openWrite('t/ooo.bin', { truncate: true, mode: 'atomic', meta: META });
        for (const at of order) await w.write(at, data.subarray(at, at + 16_384));
        expect(w.size).toBe(data.length);
        await w.commit();
        expect((await read('t/ooo.bin')).equals(data)).toBe(true);
      });

      it('assembles writes that arrive slightly out of order and concurrently', async () => {
        const data = randomBytes(options.largeSize);
        const chunk = 32_768;
        const positions = Array.from({ length: Math.ceil(data.length / chunk) }, (_, i) => i * chunk);
        // Swap neighbours in every group of four, as concurrent client writers do.
        for (let i = 0; i + 3 < positions.length; i += 4) [positions[i + 1], positions[i + 2]] = [positions[i + 2]!, positions[i + 1]!];
        const w = await s.openWrite('t/nearly.bin', { truncate: true, mode: 'atomic', meta: META });
        const inflight: Promise<void>[] = [];
        for (const at of positions) {
          inflight.push(w.write(at, data.subarray(at, at + chunk)));
          if (inflight.length >= 32) await inflight.shift();
        }
        await Promise.all(inflight);
        await w.commit();
        expect((await read('t/nearly.bin')).equals(data)).toBe(true);
      });

      it('writes data given as pieces (a large SFTP WRITE as its SSH packets brought it), in and out of order', async () => {
        const data = randomBytes(options.largeSize);
        const block = 255 * 1024;
        /** A block's bytes cut at uneven places, a 1-byte piece among them. */
        const piecesOf = (at: number) => {
          const end = Math.min(at + block, data.length);
          const cuts = [at, at + 1, at + 7, at + 32_768, at + 100_001, at + 200_000].filter((c) => c < end);
          return cuts.map((c, i) => data.subarray(c, i + 1 < cuts.length ? cuts[i + 1] : end));
        };
        const positions = Array.from({ length: Math.ceil(data.length / block) }, (_, i) => i * block);
        // Swap the second and third blocks: one arrives ahead of its turn.
        if (positions.length > 2) [positions[1], positions[2]] = [positions[2]!, positions[1]!];
        const w = await s.openWrite('t/pieces.bin', { truncate: true, mode: 'atomic', meta: META });
        const inflight: Promise<void>[] = [];
        for (const at of positions) {
          inflight.push(w.write(at, piecesOf(at)));
          if (inflight.length >= 16) await inflight.shift();
        }
        await Promise.all(inflight);
        expect(w.size).toBe(data.length);
        await w.commit();
        expect((await read('t/pieces.bin')).equals(data)).toBe(true);
      });

      it('reads a gap left by a write past the end as zeros', async () => {
        const w = await s.openWrite('t/sparse', { truncate: true, mode: 'atomic', meta: META });
        await w.write(0, Buffer.from('head'));
        await w.write(10_000, Buffer.from('tail'));
        expect(w.size).toBe(10_004);
        await w.commit();
        const got = await read('t/sparse');
        expect(got.length).toBe(10_004);
        expect(got.subarray(0, 4).toString()).toBe('head');
        expect(got.subarray(4, 10_000).equals(Buffer.alloc(9_996))).toBe(true);
        expect(got.subarray(10_000).toString()).toBe('tail');
      });

      it('rewrites earlier bytes', async () => {
        const w = await s.openWrite('t/rw', { truncate: true, mode: 'atomic', meta: META });
        await w.write(0, Buffer.from('hello world'));
        await w.write(0, Buffer.from('HELLO'));
        await w.commit();
        expect((await read('t/rw')).toString()).toBe('HELLO world');
      });

      it('starts from the existing content with truncate: false', async () => {
        await put('t/edit', 'hello world');
        const w = await s.openWrite('t/edit', { truncate: false, mode: 'atomic', meta: META });
        expect(w.size).toBe(11);
        await w.write(6, Buffer.from('WORLD'));
        await w.write(11, Buffer.from('!!'));
        expect((await read('t/edit')).toString()).toBe('hello world');
        await w.commit();
        expect((await read('t/edit')).toString()).toBe('hello WORLD!!');
      });

      it('appends to existing content with truncate: false', async () => {
        const head = await put('t/append', randomBytes(options.largeSize));
        const tail = randomBytes(70_000);
        const w = await s.openWrite('t/append', { truncate: false, mode: 'atomic', meta: META });
        expect(w.size).toBe(head.length);
        await w.write(head.length, tail);
        await w.commit();
        expect((await read('t/append')).equals(Buffer.concat([head, tail]))).toBe(true);
      });

      it('starts empty with truncate: true', async () => {
        await put('t/trunc', 'old content');
        const w = await s.openWrite('t/trunc', { truncate: true, mode: 'atomic', meta: META });
        expect(w.size).toBe(0);
        await w.write(0, Buffer.from('new'));
        await w.commit();
        expect((await read('t/trunc')).toString()).toBe('new');
      });

      it('says not_found when the parent folder is missing and is_a_directory on a folder', async () => {
        await s.mkdir('t/d');
        expect(await code(s.openWrite('t/no/f', { truncate: true, mode: 'atomic' }))).toBe('not_found');
        expect(await code(s.openWrite('t/d', { truncate: true, mode: 'atomic' }))).toBe('is_a_directory');
      });

      it('writes a key at the top level (no parent folder to check)', async () => {
        await put('top.txt', 'top');
        expect((await read('top.txt')).toString()).toBe('top');
        await s.remove('top.txt');
      });
    });

    describe('openWrite authorize', () => {
      it('sees nothing for a new key and the file for an existing one; what it throws leaves storage as it was', async () => {
        const seen: unknown[] = [];
        const w = await s.openWrite('t/auth.txt', { truncate: true, mode: 'atomic', meta: META, authorize: (e) => seen.push(e) });
        await w.write(0, Buffer.from('first'));
        await w.commit();
        expect(seen).toEqual([undefined]);
        const refused = new Error('no overwriting');
        await expect(
          s.openWrite('t/auth.txt', {
            truncate: true, mode: 'atomic', meta: META,
            authorize: (e) => {
              seen.push(e);
              throw refused;
            },
          }),
        ).rejects.toBe(refused);
        expect(seen[1]).toMatchObject({ name: 'auth.txt', type: 'file', size: 5 });
        expect((await read('t/auth.txt')).toString()).toBe('first');
        await expect(s.openWrite('t/none.txt', { truncate: true, mode: 'resumable', meta: META, authorize: () => { throw refused; } })).rejects.toBe(refused);
        expect(await exists('t/none.txt')).toBe(false);
      });

      it('is not asked about a folder: that is is_a_directory', async () => {
        await s.mkdir('t/folder');
        let asked = false;
        await expect(s.openWrite('t/folder', { truncate: true, mode: 'atomic', meta: META, authorize: () => (asked = true) })).rejects.toMatchObject({ code: 'is_a_directory' });
        expect(asked).toBe(false);
      });
    });

    describe('openWrite, resumable (temp names)', () => {
      it('keeps the bytes received when aborted, and appends from there', async () => {
        const data = randomBytes(400_000);
        const w = await s.openWrite('t/up.filepart', { truncate: true, mode: 'resumable', meta: META });
        await w.write(0, data.subarray(0, 150_000));
        await w.abort();
        expect(await s.stat('t/up.filepart')).toMatchObject({ type: 'file', size: 150_000 });
        expect((await read('t/up.filepart')).equals(data.subarray(0, 150_000))).toBe(true);

        const again = await s.openWrite('t/up.filepart', { truncate: false, mode: 'resumable', meta: META });
        expect(again.size).toBe(150_000);
        await again.write(again.size, data.subarray(150_000));
        await again.commit();
        expect((await read('t/up.filepart')).equals(data)).toBe(true);
      });

      it('resumes a large upload', async () => {
        const data = randomBytes(options.largeSize + 100_000);
        const cut = options.largeSize - 12_345;
        const w = await s.openWrite('t/big.filepart', { truncate: true, mode: 'resumable', meta: META });
        await w.write(0, data.subarray(0, cut));
        await w.abort();
        expect((await s.stat('t/big.filepart')).size).toBe(cut);
        const again = await s.openWrite('t/big.filepart', { truncate: false, mode: 'resumable', meta: META });
        await again.write(cut, data.subarray(cut));
        await again.abort();
        expect((await read('t/big.filepart')).equals(data)).toBe(true);
      });

      it('keeps an empty file when aborted before any write', async () => {
        const w = await s.openWrite('t/nothing.filepart', { truncate: true, mode: 'resumable', meta: META });
        await w.abort();
        expect(await s.stat('t/nothing.filepart')).toMatchObject({ type: 'file', size: 0 });
      });

      it('starts empty with truncate: true', async () => {
        await put('t/again.filepart', 'old bytes');
        const w = await s.openWrite('t/again.filepart', { truncate: true, mode: 'resumable', meta: META });
        expect(w.size).toBe(0);
        await w.write(0, Buffer.from('new'));
        await w.commit();
        expect((await read('t/again.filepart')).toString()).toBe('new');
      });

      it('says not_found when the parent folder is missing', async () => {
        expect(await code(s.openWrite('t/no/f.filepart', { truncate: true, mode: 'resumable' }))).toBe('not_found');
      });
    });

    describe('openRead', () => {
      it('reads ranges, short at the end and empty past it', async () => {
        const data = randomBytes(1_000_000);
        await put('t/r.bin', data);
        const r = await s.openRead('t/r.bin');
        try {
          expect(r.size).toBe(data.length);
          expect((await r.read(0, 10)).equals(data.subarray(0, 10))).toBe(true);
          expect((await r.read(500_000, 100_000)).equals(data.subarray(500_000, 600_000))).toBe(true);
          expect((await r.read(999_990, 100)).equals(data.subarray(999_990))).toBe(true);
          expect((await r.read(1_000_000, 100)).length).toBe(0);
          expect((await r.read(2_000_000, 100)).length).toBe(0);
          expect((await r.read(3, 7)).equals(data.subarray(3, 10))).toBe(true);
        } finally {
          await r.close();
        }
      });

      it('serves a sequential download with requests in flight', async () => {
        const data = randomBytes(options.largeSize);
        await put('t/seq.bin', data);
        const r = await s.openRead('t/seq.bin');
        const chunk = 255 * 1024;
        const parts = await Promise.all(Array.from({ length: Math.ceil(data.length / chunk) + 2 }, (_, i) => r.read(i * chunk, chunk)));
        await r.close();
        expect(Buffer.concat(parts).equals(data)).toBe(true);
      });

      it('reads into a given buffer (when the adapter can) what read returns', async (ctx) => {
        const data = randomBytes(600_000);
        await put('t/into.bin', data);
        const r = await s.openRead('t/into.bin');
        try {
          if (!r.readInto) return ctx.skip();
          const target = Buffer.alloc(255 * 1024, 0xee);
          expect(await r.readInto(target.subarray(0, 10), 5)).toBe(10);
          expect(target.subarray(0, 10).equals(data.subarray(5, 15))).toBe(true);
          expect(target[10]).toBe(0xee); // nothing written past the window it was given
          expect(await r.readInto(target, 100_000)).toBe(target.length);
          expect(target.equals(data.subarray(100_000, 100_000 + target.length))).toBe(true);
          expect(await r.readInto(target, 599_990)).toBe(10);
          expect(target.subarray(0, 10).equals(data.subarray(599_990))).toBe(true);
          expect(await r.readInto(target, 600_000)).toBe(0);
        } finally {
          await r.close();
        }
      });

      it('reads an empty file as empty', async () => {
        await put('t/empty', '');
        const r = await s.openRead('t/empty');
        expect(r.size).toBe(0);
        expect((await r.read(0, 10)).length).toBe(0);
        await r.close();
      });

      it('says not_found for a missing file and is_a_directory for a folder', async () => {
        await s.mkdir('t/d');
        expect(await code(s.openRead('t/missing'))).toBe('not_found');
        expect(await code(s.openRead('t/d'))).toBe('is_a_directory');
      });
    });

    describe('rename', () => {
      it('moves a file', async () => {
        const data = await put('t/a.filepart', randomBytes(50_000));
        await s.mkdir('t/out');
        await s.rename('t/a.filepart', 't/out/a', { overwrite: false, meta: META });
        expect(await exists('t/a.filepart')).toBe(false);
        expect((await read('t/out/a')).equals(data)).toBe(true);
      });

      it('says already_exists without overwrite and leaves both files', async () => {
        await put('t/from', 'from');
        await put('t/to', 'to');
        expect(await code(s.rename('t/from', 't/to', { overwrite: false }))).toBe('already_exists');
        expect((await read('t/from')).toString()).toBe('from');
        expect((await read('t/to')).toString()).toBe('to');
      });

      it('replaces the target with overwrite', async () => {
        await put('t/from', 'from');
        await put('t/to', 'to');
        await s.rename('t/from', 't/to', { overwrite: true, meta: META });
        expect(await exists('t/from')).toBe(false);
        expect((await read('t/to')).toString()).toBe('from');
      });

      it('moves a folder with everything in it', async () => {
        await s.mkdir('t/src');
        await s.mkdir('t/src/sub');
        await s.mkdir('t/src/empty');
        await put('t/src/a', 'a');
        await put('t/src/sub/b', 'b');
        await s.rename('t/src', 't/dst', { overwrite: false, meta: META });
        expect(await exists('t/src')).toBe(false);
        expect((await read('t/dst/a')).toString()).toBe('a');
        expect((await read('t/dst/sub/b')).toString()).toBe('b');
        expect((await s.stat('t/dst/empty')).type).toBe('directory');
        expect((await listAll('t/dst', 10)).entries.map((e) => e.name).sort()).toEqual(['a', 'empty', 'sub']);
      });

      it('moves names with spaces, plus signs and non-ASCII', async () => {
        await put('t/a b+c é.filepart', 'odd');
        await s.rename('t/a b+c é.filepart', 't/a b+c é', { overwrite: false, meta: META });
        expect((await read('t/a b+c é')).toString()).toBe('odd');
        expect(await exists('t/a b+c é.filepart')).toBe(false);
      });

      it('says not_found for a missing source or a missing target folder', async () => {
        await put('t/f', 'x');
        expect(await code(s.rename('t/missing', 't/x', { overwrite: false }))).toBe('not_found');
        expect(await code(s.rename('t/f', 't/no/f', { overwrite: false }))).toBe('not_found');
        expect(await exists('t/f')).toBe(true);
      });
    });

    describe('remove', () => {
      it('removes a file and keeps its folder', async () => {
        await s.mkdir('t/d');
        await put('t/d/f', 'x');
        await s.remove('t/d/f');
        expect(await exists('t/d/f')).toBe(false);
        expect((await s.stat('t/d')).type).toBe('directory');
      });

      it('says not_found for a missing file and is_a_directory for a folder', async () => {
        await s.mkdir('t/d');
        expect(await code(s.remove('t/missing'))).toBe('not_found');
        expect(await code(s.remove('t/d'))).toBe('is_a_directory');
        expect((await s.stat('t/d')).type).toBe('directory');
      });
    });

    describe('readStream and writeStream', () => {
      it('streams a whole file, or from an offset', async () => {
        const data = randomBytes(700_000);
        await put('t/s.bin', data);
        expect((await collect(await s.readStream('t/s.bin'))).equals(data)).toBe(true);
        expect((await collect(await s.readStream('t/s.bin', { start: 123_456 }))).equals(data.subarray(123_456))).toBe(true);
        expect((await collect(await s.readStream('t/s.bin', { start: data.length }))).length).toBe(0);
      });

      it('says not_found for a missing file', async () => {
        expect(await code(s.readStream('t/missing'))).toBe('not_found');
      });

      it('writes a whole object, creating its folders', async () => {
        const data = randomBytes(options.largeSize);
        const { size } = await s.writeStream('t/deliver/x/y.bin', Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { meta: META });
        expect(size).toBe(data.length);
        expect((await read('t/deliver/x/y.bin')).equals(data)).toBe(true);
        expect((await s.stat('t/deliver/x')).type).toBe('directory');
      });

      it('replaces an existing object', async () => {
        await put('t/w', 'old');
        await s.writeStream('t/w', Readable.from([Buffer.from('new')]));
        expect((await read('t/w')).toString()).toBe('new');
      });

      it('leaves nothing when the body fails', async () => {
        // Fails once the adapter is reading it.
        let reads = 0;
        const body = new Readable({
          read() {
            if (reads++ === 0) this.push(randomBytes(10_000));
            else this.destroy(new Error('source failed'));
          },
        });
        await expect(s.writeStream('t/broken', body)).rejects.toThrow();
        expect(await exists('t/broken')).toBe(false);
      });

      it('leaves nothing when aborted', async () => {
        const controller = new AbortController();
        let reads = 0;
        const body = new Readable({
          read() {
            if (reads++ === 0) this.push(randomBytes(10_000));
            else controller.abort();
          },
        });
        await expect(s.writeStream('t/aborted', body, { signal: controller.signal })).rejects.toThrow();
        expect(await exists('t/aborted')).toBe(false);
      });
    });

    it('statfs answers numbers', async () => {
      const st = await s.statfs('t');
      for (const v of Object.values(st)) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
      }
      expect(st.blockSize).toBeGreaterThan(0);
    });

    describe('storage events', () => {
      it('reports a committed upload with who wrote it', async () => {
        await put('t/e.txt', 'event!');
        const e = await eventFor((x) => x.key === 't/e.txt');
        expect(['ObjectCreated:Put', 'ObjectCreated:CompleteMultipartUpload']).toContain(e.name);
        expect(e).toMatchObject({ size: 6, meta: META });
        expect(e.renamedFrom).toBeUndefined();
        expect(e.version).toEqual(expect.any(String));
        expect(Number.isNaN(Date.parse(e.at))).toBe(false);
      });

      it('reports a large (multipart) upload', async () => {
        await put('t/large-event', randomBytes(options.largeSize));
        const e = await eventFor((x) => x.key === 't/large-event');
        expect(e.name.startsWith('ObjectCreated:')).toBe(true);
        expect(e).toMatchObject({ size: options.largeSize, meta: META });
      });

      it('reports a rename as a copy that names its source, then the removal of the source', async () => {
        await put('t/r.csv.filepart', 'data');
        const renamer = { user: 'bob', sourceIp: '198.51.100.1' };
        await s.rename('t/r.csv.filepart', 't/r.csv', { overwrite: false, meta: renamer });
        const copy = await eventFor((x) => x.key === 't/r.csv');
        expect(copy).toMatchObject({ name: 'ObjectCreated:Copy', size: 4, renamedFrom: 't/r.csv.filepart', meta: renamer });
        await eventFor((x) => x.key === 't/r.csv.filepart' && x.name === 'ObjectRemoved:Delete');
      });

      it('reports a removal', async () => {
        await put('t/rm', 'x');
        await s.remove('t/rm');
        await eventFor((x) => x.key === 't/rm' && x.name === 'ObjectRemoved:Delete');
      });

      it('reports a streamed write', async () => {
        await s.writeStream('t/ws', Readable.from([Buffer.from('abc')]), { meta: META });
        const e = await eventFor((x) => x.key === 't/ws');
        expect(e).toMatchObject({ size: 3, meta: META });
        expect(e.name.startsWith('ObjectCreated:')).toBe(true);
      });

      it('reports what a resumable upload kept when it ended without close', async () => {
        const w = await s.openWrite('t/k.filepart', { truncate: true, mode: 'resumable', meta: META });
        await w.write(0, Buffer.from('kept'));
        await w.abort();
        const e = await eventFor((x) => x.key === 't/k.filepart');
        expect(e).toMatchObject({ size: 4, meta: META });
        expect(e.name.startsWith('ObjectCreated:')).toBe(true);
      });

      it('reports nothing for an aborted atomic upload or a folder', async () => {
        const w = await s.openWrite('t/never', { truncate: true, mode: 'atomic', meta: META });
        await w.write(0, Buffer.from('never'));
        await w.abort();
        await s.mkdir('t/folder');
        await drainEvents();
        expect(fx.events.filter((e) => e.key === 't/never' || e.key.startsWith('t/folder'))).toEqual([]);
      });
    });
  });
}
