// A file being written to S3. Writes in order stream into a multipart upload; writes a
// little out of order (concurrent client writers) wait in a small reorder buffer for the
// gap to fill; anything else (a gap never filled, a rewrite, a write far ahead) moves the
// rest of the file to a bounded local spool that is uploaded on commit. Bytes already
// sent in parts cannot change: rewriting them fails with `unsupported`.
//
// atomic: commit() completes the upload, abort() aborts it: nothing ever appears at the
// key before commit. resumable: abort() completes what arrived, so a resume finds it.
// Writes run one after another in call order (SFTP WRITEs arrive pipelined).
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { invalidArgument, unsupported, type CoreError } from '../../core/errors.js';
import { byteLength, type FileWriter, type WriteData } from '../../core/ports/storage.js';
import type { S3Copier, SourceObject } from './s3-copy.js';
import { fromS3Error } from './s3-errors.js';
import { MultipartUpload, type ObjectTarget, type PartTuning } from './s3-multipart.js';
import { Spool, type SpoolOptions } from './s3-spool.js';

export interface WriterSetup {
  client: S3Client;
  copier: S3Copier;
  target: ObjectTarget;
  tuning: PartTuning;
  mode: 'atomic' | 'resumable';
  /** The existing object a truncate: false writer starts from. */
  base?: SourceObject;
  spool: SpoolOptions;
  /** Bytes of out-of-order writes held in memory while waiting for a gap to fill. */
  reorderLimit: number;
  warn: (message: string, err: unknown) => void;
}

const SPOOL_READ_CHUNK = 1024 * 1024;

export class S3Writer implements FileWriter {
  size: number;
  private readonly upload: MultipartUpload;
  private chain: Promise<void> = Promise.resolve();
  private failed: CoreError | undefined;
  private closed = false;
  private wrote = false;
  /** Where the next in-order write starts. */
  private streamed: number;
  /** The base object is in the upload (or the spool) already. */
  private basePlaced: boolean;
  private readonly held = new Map<number, Buffer>();
  private heldBytes = 0;
  private spool: Spool | undefined;
  /** The object offset of the spool's first byte: what went into parts before it. */
  private spoolBase = 0;

  constructor(private readonly setup: WriterSetup) {
    this.upload = new MultipartUpload(setup.client, setup.target, setup.tuning, setup.warn);
    this.size = this.streamed = setup.base?.size ?? 0;
    this.basePlaced = (setup.base?.size ?? 0) === 0;
  }

  /** The most bytes the upload held in memory at once (parts pending and in flight). */
  get peakBufferedBytes(): number {
    return this.upload.peakBufferedBytes;
  }

  write(position: number, data: WriteData): Promise<void> {
    if (this.closed) return Promise.reject(invalidArgument('the file is closed'));
    if (this.failed) return Promise.reject(this.failed);
    const length = byteLength(data);
    if (length === 0) return Promise.resolve();
    this.size = Math.max(this.size, position + length);
    this.wrote = true;
    const run = this.chain
      .then(() => (Buffer.isBuffer(data) ? this.apply(position, data) : this.applyPieces(position, data)))
      .catch((err: unknown) => {
        const error = fromS3Error(err);
        this.failed ??= error;
        throw error;
      });
    this.chain = run.catch(() => undefined);
    return run;
  }

  async sync(): Promise<void> {
    await this.chain;
    if (this.failed) throw this.failed;
    // Parts in flight are the most S3 can hold before the upload completes.
    await this.upload.settle().catch((err: unknown) => Promise.reject(fromS3Error(err)));
  }

  async commit(): Promise<void> {
    if (this.closed) throw invalidArgument('the file is closed');
    this.closed = true;
    await this.chain;
    try {
      if (this.failed) throw this.failed;
      await this.finish();
    } catch (err) {
      await this.discard();
      throw fromS3Error(err);
    }
    await this.spool?.close();
  }

  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // An atomic upload is dropped: writes waiting for S3 need not wait any longer.
    if (this.setup.mode === 'atomic') this.upload.cancel();
    await this.chain;
    if (this.setup.mode === 'resumable' && !this.failed) {
      try {
        await this.finish();
        await this.spool?.close();
        return;
      } catch (err) {
        this.setup.warn('could not keep the bytes of an interrupted resumable upload', err);
      }
    }
    await this.discard();
  }

  /** Pieces go on one after the other: each is copied into a part as the whole would be. */
  private async applyPieces(position: number, pieces: readonly Buffer[]): Promise<void> {
    let at = position;
    for (const piece of pieces) {
      await this.apply(at, piece);
      at += piece.length;
    }
  }

  private async apply(position: number, data: Buffer): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.spool) return this.spoolWrite(position, data);
    const end = position + data.length;
    if (position === this.streamed && !this.overlapsHeld(position, end)) {
      await this.placeBase();
      await this.upload.append(data);
      this.streamed = end;
      for (let next = this.held.get(this.streamed); next; next = this.held.get(this.streamed)) {
        this.held.delete(this.streamed);
        this.heldBytes -= next.length;
        await this.upload.append(next);
        this.streamed += next.length;
      }
      return;
    }
    if (position > this.streamed && this.heldBytes + data.length <= this.setup.reorderLimit && !this.overlapsHeld(position, end)) {
      this.held.set(position, data);
      this.heldBytes += data.length;
      return;
    }
    await this.startSpool();
    await this.spoolWrite(position, data);
  }

  private overlapsHeld(start: number, end: number): boolean {
    for (const [at, block] of this.held) if (at < end && start < at + block.length) return true;
    return false;
  }

  /** A writer that starts from the existing object puts it first in the upload. */
  private async placeBase(): Promise<void> {
    if (this.basePlaced) return;
    this.basePlaced = true;
    await this.setup.copier.append(this.upload, this.setup.base!);
  }

  /** From now on every write goes to a local spool holding all that is not in parts. */
  private async startSpool(): Promise<void> {
    const spool = await Spool.create(this.setup.spool);
    try {
      this.spoolBase = this.upload.dispatchedBytes;
      if (!this.basePlaced) {
        // Nothing is in parts yet: the spool starts with the existing object.
        this.basePlaced = true;
        const r = await this.setup.client.send(new GetObjectCommand({ Bucket: this.setup.target.Bucket, Key: this.setup.base!.objectKey, IfMatch: this.setup.base!.etag }));
        let at = 0;
        for await (const chunk of r.Body as Readable) {
          await spool.write(at, chunk as Buffer);
          at += (chunk as Buffer).length;
        }
      }
      const pending = this.upload.takePending();
      if (pending.length > 0) await spool.write(0, pending);
      for (const [at, block] of this.held) await spool.write(at - this.spoolBase, block);
      this.held.clear();
      this.heldBytes = 0;
    } catch (err) {
      await spool.close();
      throw err;
    }
    this.spool = spool;
  }

  private async spoolWrite(position: number, data: Buffer): Promise<void> {
    if (position < this.spoolBase) {
      throw unsupported(`this storage cannot change the first ${this.spoolBase} bytes of an upload once sent; write the file in order`);
    }
    await this.spool!.write(position - this.spoolBase, data);
  }

  /** Send what is not sent yet and complete the upload. */
  private async finish(): Promise<void> {
    // Opened on an existing object and never written: it stays as it is.
    if (!this.wrote && this.setup.base) return;
    // Gaps never filled read as zeros: the spool's holes.
    if (this.held.size > 0) await this.startSpool();
    if (this.spool) {
      for await (const chunk of this.spool.chunks(SPOOL_READ_CHUNK)) await this.upload.append(chunk);
    }
    await this.upload.complete();
  }

  private async discard(): Promise<void> {
    await this.upload.abort();
    await this.spool?.close();
  }
}
