// An upload's bytes into its file (src/adapters/local/file-writes.ts): from the event
// loop, in the thread pool for a while after a write that was slow, whole after short
// writes either way. The write calls are the real ones, counted; a short write (a full
// disk or a signal, which a test cannot summon on demand) is made by passing the real
// call fewer bytes, and a slow disk by moving the writer's clock.
import type * as nodeFs from 'node:fs';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const io = vi.hoisted(() => ({ now: 0, inLoop: 0, inPool: 0, maxBytes: Infinity, slowBy: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof nodeFs>();
  const cap = (pieces: readonly NodeJS.ArrayBufferView[]) => {
    const out: Buffer[] = [];
    let left = io.maxBytes;
    for (const p of pieces as readonly Buffer[]) {
      if (left <= 0) break;
      out.push(p.subarray(0, Math.min(p.length, left)));
      left -= p.length;
    }
    return out;
  };
  const writevSync = (fd: number, pieces: readonly NodeJS.ArrayBufferView[], position?: number) => {
    io.inLoop++;
    io.now += io.slowBy;
    return fs.writevSync(fd, cap(pieces), position);
  };
  const writev = (
    fd: number,
    pieces: readonly NodeJS.ArrayBufferView[],
    position: number,
    callback: (err: NodeJS.ErrnoException | null, written: number) => void,
  ) => {
    io.inPool++;
    fs.writev(fd, cap(pieces), position, callback);
  };
  return { ...fs, default: { ...fs, writev, writevSync }, writev, writevSync };
});

const { FileWrites, OFFLOAD_MS, SLOW_WRITE_MS } = await import('../../src/adapters/local/file-writes.js');

let dir: string;
let fd: number;
let writes: InstanceType<typeof FileWrites>;
const offloads: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'thru-file-writes-'));
  fd = openSync(join(dir, 'f'), 'w+');
  Object.assign(io, { now: 0, inLoop: 0, inPool: 0, maxBytes: Infinity, slowBy: 0 });
  offloads.length = 0;
  writes = new FileWrites({ clock: () => io.now, onOffload: (ms) => offloads.push(ms) });
});
afterEach(() => {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
});

const content = () => readFileSync(join(dir, 'f'));
const pieces = [Buffer.from('alpha-'), Buffer.from('beta-'), Buffer.from('gamma')];

describe('file writes', () => {
  it('writes from the event loop: the bytes are in the file when write() returns', () => {
    void writes.write(fd, Buffer.from('hello'), 0);
    expect(content().toString()).toBe('hello');
    void writes.write(fd, pieces, 5);
    expect(content().toString()).toBe('helloalpha-beta-gamma');
    expect(io).toMatchObject({ inLoop: 2, inPool: 0 });
  });

  it('goes on after short writes until every piece is written, from the loop and from the pool', async () => {
    io.maxBytes = 4;
    await writes.write(fd, pieces, 0);
    expect(content().toString()).toBe('alpha-beta-gamma');
    expect(io.inLoop).toBe(4); // 16 bytes, 4 at a time

    io.slowBy = SLOW_WRITE_MS + 1; // the next write is slow: the one after goes to the pool
    await writes.write(fd, Buffer.from('!'), 16);
    io.slowBy = 0;
    await writes.write(fd, pieces, 17);
    expect(content().toString()).toBe('alpha-beta-gamma!alpha-beta-gamma');
    expect(io.inPool).toBe(4);
  });

  it(`sends writes to the thread pool for ${OFFLOAD_MS / 1000} s after one held the loop more than ${SLOW_WRITE_MS} ms`, async () => {
    io.slowBy = SLOW_WRITE_MS - 1;
    await writes.write(fd, Buffer.from('a'), 0); // slowish, not slow
    await writes.write(fd, Buffer.from('b'), 1);
    expect(io).toMatchObject({ inLoop: 2, inPool: 0 });
    expect(offloads).toEqual([]);
    io.slowBy = SLOW_WRITE_MS + 1;
    await writes.write(fd, Buffer.from('c'), 2);
    expect(offloads).toEqual([SLOW_WRITE_MS + 1]); // told once, with how long the loop was held
    io.slowBy = 0;
    await writes.write(fd, Buffer.from('d'), 3);
    expect(io).toMatchObject({ inLoop: 3, inPool: 1 });
    io.now += OFFLOAD_MS;
    await writes.write(fd, Buffer.from('e'), 4);
    expect(io).toMatchObject({ inLoop: 4, inPool: 1 });
    expect(content().toString()).toBe('abcde');
  });

  it('rejects with the error of the write, from the loop and from the pool', async () => {
    const closed = openSync(join(dir, 'g'), 'w');
    closeSync(closed);
    await expect(writes.write(closed, Buffer.from('x'), 0)).rejects.toMatchObject({ code: 'EBADF' });
    io.slowBy = SLOW_WRITE_MS + 1;
    await writes.write(fd, Buffer.from('y'), 0);
    await expect(writes.write(closed, Buffer.from('x'), 0)).rejects.toMatchObject({ code: 'EBADF' });
    expect(io.inPool).toBe(1);
  });
});
