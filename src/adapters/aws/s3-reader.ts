// Reads of one object with ranged GETs. The object is read in chunks kept in a small
// cache; a read that continues from the furthest point read so far also fetches the
// next chunks ahead (read-ahead), so a sequential download keeps a few GETs in flight
// instead of waiting for each. Every GET names the ETag seen at open: if the object is
// replaced meanwhile, reads fail (conflict) instead of mixing two versions.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FileReader } from '../../core/ports/storage.js';
import { fromS3Error } from './s3-errors.js';

export interface ReadTuning {
  /** Bytes per ranged GET. */
  chunkSize: number;
  /** Chunks fetched ahead of a sequential reader. */
  readAhead: number;
}

/** About 12 MiB per sequential download: the chunk being read, the one before, 3 ahead. */
export const DEFAULT_READ_TUNING: ReadTuning = { chunkSize: 2 * 1024 * 1024, readAhead: 3 };

export class S3Reader implements FileReader {
  private readonly chunks = new Map<number, Promise<Buffer>>();
  /** The furthest chunk read so far. */
  private frontier = -1;
  private readonly controller = new AbortController();

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly objectKey: string,
    readonly size: number,
    private readonly etag: string | undefined,
    private readonly tuning: ReadTuning,
  ) {}

  async read(position: number, length: number): Promise<Buffer> {
    if (position >= this.size || length <= 0) return Buffer.alloc(0);
    const end = Math.min(this.size, position + length);
    const { chunkSize, readAhead } = this.tuning;
    const first = Math.floor(position / chunkSize);
    const last = Math.floor((end - 1) / chunkSize);
    const sequential = first <= this.frontier + 1 && last >= this.frontier;
    this.frontier = Math.max(this.frontier, last);
    const wanted: Promise<Buffer>[] = [];
    for (let i = first; i <= last; i++) wanted.push(this.chunk(i));
    if (sequential) for (let i = last + 1; i <= last + readAhead && i * chunkSize < this.size; i++) void this.chunk(i);
    this.evict(first, last);
    let buffers: Buffer[];
    try {
      buffers = await Promise.all(wanted);
    } catch (err) {
      throw fromS3Error(err);
    }
    const offset = position - first * chunkSize;
    if (buffers.length === 1) return buffers[0]!.subarray(offset, offset + (end - position));
    return Buffer.concat(buffers).subarray(offset, offset + (end - position));
  }

  async close(): Promise<void> {
    this.controller.abort();
    this.chunks.clear();
  }

  private chunk(index: number): Promise<Buffer> {
    let chunk = this.chunks.get(index);
    if (chunk) return chunk;
    const start = index * this.tuning.chunkSize;
    const last = Math.min(this.size, start + this.tuning.chunkSize) - 1;
    chunk = this.client
      .send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey, Range: `bytes=${start}-${last}`, IfMatch: this.etag }), { abortSignal: this.controller.signal })
      .then(async (r) => {
        const bytes = await r.Body!.transformToByteArray();
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      });
    // A failed chunk is fetched again by the next read that needs it; a prefetch that
    // fails is nobody's error until then.
    chunk.catch(() => this.chunks.get(index) === chunk && this.chunks.delete(index));
    this.chunks.set(index, chunk);
    return chunk;
  }

  /** Keep the chunk before this read (clients reread a little) and those ahead. */
  private evict(first: number, last: number): void {
    for (const index of this.chunks.keys()) {
      if (index < first - 1 || index > last + this.tuning.readAhead + 1) this.chunks.delete(index);
    }
  }
}
