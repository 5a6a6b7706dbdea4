// An upload's bytes into its file: from the event loop, unless the disk makes that slow.
//
// A WRITE's bytes reach the page cache in one pwrite(v): ~5 µs for 4 KiB, ~60 µs for
// 255 KiB on the benchmark machine. Handing the call to libuv's thread pool instead cost
// the event loop ~130 µs a WRITE in a 16-client profile (waking a pool thread on two busy
// vCPUs lets it preempt the loop), and the pool thread's CPU on top. Measured against the
// thread pool, interleaved: 2000 × 4 KiB 2.43 → 2.25 s, 16 clients × 64 MiB 484 → 507
// MiB/s, 1 GiB put 1.50 → 1.41 s (medians of four to five pairs).
//
// A write can still wait for the disk: dirty pages past the kernel's limits, a partial
// page read back to overwrite it. One that holds the loop longer than SLOW_WRITE_MS sends
// the writes to the thread pool for OFFLOAD_MS, so that a slow disk stalls every session
// once, briefly, and not at every WRITE.
import { writev as writevCb, writevSync } from 'node:fs';
import type { WriteData } from '../../core/ports/storage.js';

export const SLOW_WRITE_MS = 10;
export const OFFLOAD_MS = 30_000;

/** What is left of `pieces` once `written` bytes of them are written (a short write: full disk, signal). */
function after(pieces: readonly Buffer[], written: number): readonly Buffer[] {
  let skip = written;
  let i = 0;
  while (i < pieces.length && skip >= pieces[i]!.length) skip -= pieces[i++]!.length;
  if (i === pieces.length) return [];
  return [pieces[i]!.subarray(skip), ...pieces.slice(i + 1)];
}

/** Pieces written with one pwritev: a WRITE's SSH packets go to the file uncopied. */
function writeNow(fd: number, data: WriteData, position: number): void {
  for (let rest = Buffer.isBuffer(data) ? [data] : data, at = position; rest.length > 0; ) {
    const written = writevSync(fd, rest, at);
    at += written;
    rest = after(rest, written);
  }
}

function writeInPool(fd: number, data: WriteData, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (rest: readonly Buffer[], at: number) => {
      if (rest.length === 0) return resolve();
      writevCb(fd, rest, at, (err, written) => (err ? reject(err) : step(after(rest, written), at + written)));
    };
    step(Buffer.isBuffer(data) ? [data] : data, position);
  });
}

export interface FileWritesOptions {
  /** A write held the loop `heldMs`: the next OFFLOAD_MS go to the thread pool. */
  onOffload?: (heldMs: number) => void;
  /** Milliseconds, monotonic (tests move it). */
  clock?: () => number;
}

export class FileWrites {
  private offloadedUntil = Number.NEGATIVE_INFINITY;
  private readonly clock: () => number;

  constructor(private readonly options: FileWritesOptions = {}) {
    this.clock = options.clock ?? (() => performance.now());
  }

  write(fd: number, data: WriteData, position: number): Promise<void> {
    const start = this.clock();
    if (start < this.offloadedUntil) return writeInPool(fd, data, position);
    try {
      writeNow(fd, data, position);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    const end = this.clock();
    if (end - start > SLOW_WRITE_MS) {
      this.offloadedUntil = end + OFFLOAD_MS;
      this.options.onOffload?.(end - start);
    }
    return Promise.resolve();
  }
}
