// A local file for uploads that S3 cannot take as a stream (out-of-order writes, gaps,
// rewrites): bytes land at their offset, holes read back as zeros, and on close it is
// read back in order into the upload. Its name is unlinked as soon as it is open, so
// nothing is left behind whatever happens to the process. Bounded: past `limit` bytes
// a write fails with limit_exceeded.
import { promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { limitExceeded } from '../../core/errors.js';

export interface SpoolOptions {
  dir: string;
  /** Bytes one spooled upload may hold. */
  limit: number;
}

const mib = (n: number) => `${Math.floor(n / (1024 * 1024))} MiB`;

export class Spool {
  /** Logical length: the end of the furthest write. */
  size = 0;

  private constructor(
    private readonly handle: fsp.FileHandle,
    private readonly limit: number,
  ) {}

  static async create(options: SpoolOptions): Promise<Spool> {
    const path = join(options.dir, `thru-spool-${randomBytes(12).toString('hex')}`);
    const handle = await fsp.open(path, 'wx+', 0o600);
    await fsp.unlink(path).catch(async (err: unknown) => {
      await handle.close();
      throw err;
    });
    return new Spool(handle, options.limit);
  }

  async write(offset: number, data: Buffer): Promise<void> {
    if (offset + data.length > this.limit) {
      throw limitExceeded(`this storage buffers out-of-order writes on the server up to ${mib(this.limit)} per file; write the file in order instead`);
    }
    for (let done = 0; done < data.length; ) {
      const { bytesWritten } = await this.handle.write(data, done, data.length - done, offset + done);
      done += bytesWritten;
    }
    this.size = Math.max(this.size, offset + data.length);
  }

  /** The content in order, `chunkSize` bytes at a time. */
  async *chunks(chunkSize: number): AsyncGenerator<Buffer> {
    for (let at = 0; at < this.size; at += chunkSize) {
      const want = Math.min(chunkSize, this.size - at);
      const buffer = Buffer.alloc(want);
      for (let done = 0; done < want; ) {
        const { bytesRead } = await this.handle.read(buffer, done, want - done, at + done);
        if (bytesRead === 0) break; // a hole at the end: the zeros of Buffer.alloc
        done += bytesRead;
      }
      yield buffer;
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}
