// One object written in parts. Appended bytes are cut into parts whose size grows with
// the part number (S3 allows 10,000 parts), and a few parts upload at once within a
// memory budget: append() waits for a free slot, which is what bounds the memory of an
// upload of any size. An object that fits in its first part is one PutObject. Bytes are
// copied as they arrive into the buffer of the part being filled, and a part's buffer is
// reused once S3 has it: a 1 GiB upload allocates five part buffers, not 205 parts'
// worth of garbage that the GC collects late (front end peak RSS in the S3 bench: 237 →
// 198 MiB, with 8 MiB parts then).
// Not reentrant: the writer calls it from one chain of promises.
import {
  AbortMultipartUploadCommand,
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { failure, limitExceeded } from '../../core/errors.js';

const MiB = 1024 * 1024;

export interface PartTuning {
  /** Size of the first parts; S3's minimum is 5 MiB. */
  minPartSize: number;
  /** The part size doubles every `partsPerStep` parts, up to this. */
  maxPartSize: number;
  partsPerStep: number;
  /** Parts uploading at once, at most... */
  maxConcurrentParts: number;
  /** ...and at most this many bytes of them (big parts upload fewer at a time). */
  maxBufferedBytes: number;
}

/**
 * 5 MiB parts (S3's smallest) for the first 4.9 GiB, then 10, 20... up to 512 MiB (about
 * 2 TiB in 10,000 parts); 4 parts in flight, so an upload holds about 25 MiB until its
 * parts reach 10 MiB, and never more than max(64 MiB, one part) plus the part being
 * filled. (With 8 MiB parts 4 in flight held 12 MiB more; S3's price is per request,
 * about 1 cent per 1,000 parts.)
 */
export const DEFAULT_PART_TUNING: PartTuning = {
  minPartSize: 5 * MiB,
  maxPartSize: 512 * MiB,
  partsPerStep: 1000,
  maxConcurrentParts: 4,
  maxBufferedBytes: 64 * MiB,
};

export const MIN_PART_SIZE = 5 * MiB;
const MAX_PARTS = 10_000;
/** Server-side copy parts: at least this big, and no more than 1,000 of them. */
const COPY_PART_SIZE = 512 * MiB;

export interface ObjectTarget {
  Bucket: string;
  Key: string;
  Metadata?: Record<string, string>;
  ServerSideEncryption?: ServerSideEncryption;
  SSEKMSKeyId?: string;
}

export function partSizeFor(partNumber: number, tuning: PartTuning): number {
  const step = Math.floor((partNumber - 1) / tuning.partsPerStep);
  return Math.min(tuning.maxPartSize, tuning.minPartSize * 2 ** step);
}

type Warn = (message: string, err: unknown) => void;

export class MultipartUpload {
  private uploadId: Promise<string> | undefined;
  private checksums = false;
  private readonly parts: CompletedPart[] = [];
  private nextPart = 1;
  /** The part being filled, and how much of it is. */
  private filling: Buffer | undefined;
  private pendingLength = 0;
  /** Buffers of parts S3 took, for the next parts. */
  private spare: Buffer[] = [];
  private readonly inflight = new Set<Promise<void>>();
  private inflightBytes = 0;
  private failed: Error | undefined;
  private readonly controller = new AbortController();
  /** Bytes handed to parts, uploaded or uploading: they can no longer change. */
  dispatchedBytes = 0;
  /** The most bytes this upload held in memory at once. */
  peakBufferedBytes = 0;

  constructor(
    private readonly client: S3Client,
    private readonly target: ObjectTarget,
    private readonly tuning: PartTuning,
    private readonly warn: Warn = () => undefined,
  ) {}

  get pendingBytes(): number {
    return this.pendingLength;
  }

  async append(data: Buffer): Promise<void> {
    this.throwIfFailed();
    for (let offset = 0; offset < data.length; ) {
      this.filling ??= this.partBuffer(partSizeFor(this.nextPart, this.tuning));
      const copied = data.copy(this.filling, this.pendingLength, offset);
      offset += copied;
      this.pendingLength += copied;
      this.notePeak();
      if (this.pendingLength === this.filling.length) await this.dispatch();
    }
  }

  /** The bytes not in a part yet, handed back (the writer spools them instead). */
  takePending(): Buffer {
    const all = this.filling?.subarray(0, this.pendingLength) ?? Buffer.alloc(0);
    this.filling = undefined;
    this.pendingLength = 0;
    return all;
  }

  /**
   * Append `length` bytes of another object server-side (UploadPartCopy), before any
   * byte is pending. Rethrows the store's answer to the first part, so that a caller
   * can tell "not implemented" (s3rver) and stream the bytes instead.
   */
  async appendCopy(copySource: string, ifMatch: string | undefined, length: number): Promise<void> {
    if (this.pendingLength > 0 || length < MIN_PART_SIZE) throw failure('internal error: misplaced copy part');
    const uploadId = await this.start();
    const count = Math.ceil(length / Math.max(COPY_PART_SIZE, Math.ceil(length / 1000)));
    const partLength = Math.ceil(length / count);
    for (let i = 0, offset = 0; i < count; i++, offset += partLength) {
      const partNumber = this.nextPart++;
      const range = `bytes=${offset}-${Math.min(length, offset + partLength) - 1}`;
      const copy = async () => {
        const r = await this.client.send(
          new UploadPartCopyCommand({ Bucket: this.target.Bucket, Key: this.target.Key, UploadId: uploadId, PartNumber: partNumber, CopySource: copySource, CopySourceRange: range, CopySourceIfMatch: ifMatch }),
          { abortSignal: this.controller.signal },
        );
        if (!r.CopyPartResult?.ETag) throw failure('the storage did not confirm a copied part');
        this.parts.push({ PartNumber: partNumber, ETag: r.CopyPartResult.ETag, ChecksumCRC32: r.CopyPartResult.ChecksumCRC32 });
      };
      if (i === 0) {
        try {
          await copy();
        } catch (err) {
          this.nextPart = partNumber;
          throw err;
        }
      } else {
        await this.slot(0);
        this.track(copy(), 0);
      }
    }
    this.dispatchedBytes += length;
  }

  /** Wait for the parts in flight; throws the first failure. */
  async settle(): Promise<void> {
    await Promise.all(this.inflight);
    this.throwIfFailed();
  }

  /** Upload what is left and make the object visible; resolves only once S3 confirmed it. */
  async complete(): Promise<void> {
    this.throwIfFailed();
    const signal = { abortSignal: this.controller.signal };
    if (!this.uploadId) {
      const body = this.takePending();
      await this.client.send(new PutObjectCommand({ ...this.target, Body: body, ContentLength: body.length }), signal);
      return;
    }
    if (this.pendingLength > 0) await this.dispatch();
    await this.settle();
    if (this.parts.length === 0) {
      // Started, then nothing was sent (an empty base): an empty object, without parts.
      await this.abort();
      await this.client.send(new PutObjectCommand({ ...this.target, Body: Buffer.alloc(0), ContentLength: 0 }));
      return;
    }
    const parts = [...this.parts].sort((a, b) => a.PartNumber! - b.PartNumber!);
    const r = await this.client.send(
      new CompleteMultipartUploadCommand({ Bucket: this.target.Bucket, Key: this.target.Key, UploadId: await this.uploadId, MultipartUpload: { Parts: parts } }),
      signal,
    );
    // The SDK turns an error inside a 200 answer into an exception; no ETag is one too.
    if (!r.ETag) throw failure('the storage did not confirm the upload');
  }

  /** Stop at once: requests in flight are cancelled, anything waiting fails. */
  cancel(): void {
    this.failed ??= failure('the upload was aborted');
    this.controller.abort();
  }

  /**
   * Nothing of this upload ever appears at its key. AbortMultipartUpload frees the parts;
   * if it fails (s3rver answers 405), the parts stay invisible until the bucket's
   * lifecycle rule (AbortIncompleteMultipartUpload) removes them: logged, not thrown.
   */
  async abort(): Promise<void> {
    this.cancel();
    await Promise.all(this.inflight);
    this.filling = undefined;
    this.pendingLength = 0;
    this.spare = [];
    const uploadId = await this.uploadId?.catch(() => undefined);
    if (uploadId === undefined) return;
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.target.Bucket, Key: this.target.Key, UploadId: uploadId }));
    } catch (err) {
      this.warn('AbortMultipartUpload failed; the parts stay until the bucket lifecycle rule removes them', err);
    }
  }

  private start(): Promise<string> {
    this.uploadId ??= (async () => {
      // As lib-storage does: with flexible checksums on, parts carry CRC32s that the
      // upload must be created for and completed with.
      this.checksums = (await this.client.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED';
      const r = await this.client.send(
        new CreateMultipartUploadCommand({ ...this.target, ...(this.checksums && { ChecksumAlgorithm: ChecksumAlgorithm.CRC32 }) }),
        { abortSignal: this.controller.signal },
      );
      if (!r.UploadId) throw failure('the storage did not start the upload');
      return r.UploadId;
    })();
    return this.uploadId;
  }

  /** Send the part being filled (whole, or the last one short). */
  private async dispatch(): Promise<void> {
    await this.slot(this.pendingLength);
    this.throwIfFailed();
    const partNumber = this.nextPart++;
    if (partNumber > MAX_PARTS) throw limitExceeded('file too large for the storage');
    const buffer = this.filling!;
    const body = buffer.subarray(0, this.pendingLength);
    this.filling = undefined;
    this.pendingLength = 0;
    this.dispatchedBytes += body.length;
    const uploadId = await this.start();
    const upload = async () => {
      const r = await this.client.send(
        new UploadPartCommand({
          Bucket: this.target.Bucket, Key: this.target.Key, UploadId: uploadId, PartNumber: partNumber, Body: body, ContentLength: body.length,
          ...(this.checksums && { ChecksumAlgorithm: ChecksumAlgorithm.CRC32 }),
        }),
        { abortSignal: this.controller.signal },
      );
      if (!r.ETag) throw failure('the storage did not confirm a part');
      this.parts.push({ PartNumber: partNumber, ETag: r.ETag, ChecksumCRC32: r.ChecksumCRC32 });
      // Only after success: a failed or cancelled request may still be sending it.
      this.spare.push(buffer);
    };
    this.track(upload(), body.length);
  }

  /** Wait until a part of `size` bytes may start. */
  private async slot(size: number): Promise<void> {
    const slots = Math.max(1, Math.min(this.tuning.maxConcurrentParts, Math.floor(this.tuning.maxBufferedBytes / Math.max(size, 1))));
    while (this.inflight.size >= slots) await Promise.race(this.inflight);
  }

  /** Keep a part in flight; its failure fails the upload instead of rejecting here. */
  private track(part: Promise<void>, bytes: number): void {
    this.inflightBytes += bytes;
    this.notePeak();
    const tracked: Promise<void> = part
      .catch((err: unknown) => {
        this.failed ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => {
        this.inflight.delete(tracked);
        this.inflightBytes -= bytes;
      });
    this.inflight.add(tracked);
  }

  /** A buffer for a part of `size` bytes: a spare one, or a new one. */
  private partBuffer(size: number): Buffer {
    // Parts grow with the part number: spares of the old size are dropped.
    this.spare = this.spare.filter((b) => b.length === size);
    return this.spare.pop() ?? Buffer.allocUnsafeSlow(size);
  }

  private notePeak(): void {
    this.peakBufferedBytes = Math.max(this.peakBufferedBytes, this.pendingLength + this.inflightBytes);
  }

  private throwIfFailed(): void {
    if (this.failed !== undefined) throw this.failed;
  }
}
