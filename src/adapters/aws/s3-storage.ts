// The storage port on S3: every key is an object under an optional prefix in one bucket.
// Folders are key prefixes, with an empty marker object "<key>/" so that an empty folder
// exists (mkdir, writeStream's parents, renamed folders). Uploads stream into multipart
// uploads (s3-writer.ts), reads are ranged GETs with read-ahead (s3-reader.ts), and a
// rename is a copy then a delete whose copy records its source in the object's metadata
// (s3-meta.ts), for the post-upload pipeline to tell it from a fresh write (s3-events.ts);
// a folder is renamed object by object, up to a limit (s3-folder-rename.ts).
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { tmpdir } from 'node:os';
import { addAbortSignal, Readable } from 'node:stream';
import { alreadyExists, invalidArgument, isADirectory, notADirectory, notEmpty, notFound } from '../../core/errors.js';
import type {
  Entry,
  FileReader,
  FileWriter,
  ListPage,
  ObjectMeta,
  OpenWriteOptions,
  RenameOptions,
  StatFs,
  Storage,
} from '../../core/ports/storage.js';
import { MAX_COPY_OBJECT_SIZE, S3Copier } from './s3-copy.js';
import { fromS3Error, isInvalidRange, isNotFound } from './s3-errors.js';
import { renameFolder } from './s3-folder-rename.js';
import { S3Keys, nameOf, parentOf } from './s3-keys.js';
import { listFolderPage } from './s3-list.js';
import { toMetadata } from './s3-meta.js';
import { DEFAULT_PART_TUNING, type ObjectTarget, type PartTuning } from './s3-multipart.js';
import { DEFAULT_READ_TUNING, S3Reader, type ReadTuning } from './s3-reader.js';
import { S3Writer } from './s3-writer.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export interface S3StorageOptions {
  client: S3Client;
  bucket: string;
  /** Every key lives under this prefix; none by default. */
  prefix?: string;
  /** Server-side encryption of every object written ('AES256', 'aws:kms' with sseKmsKeyId). */
  serverSideEncryption?: ServerSideEncryption;
  sseKmsKeyId?: string;
  parts?: Partial<PartTuning>;
  read?: Partial<ReadTuning>;
  /** Where out-of-order uploads spool (default: the OS temp folder)... */
  spoolDir?: string;
  /** ...up to this many bytes each (default 1 GiB; past it the write fails). */
  spoolLimit?: number;
  /** Out-of-order bytes held in memory waiting for a gap to fill before spooling (default 8 MiB). */
  reorderLimit?: number;
  /** Above this size a rename copies in parts (default 5 GiB, CopyObject's limit). */
  maxCopyObjectSize?: number;
  /** Renaming a folder copies every object in it: refused past this many (default 1,000)... */
  maxFolderRenameObjects?: number;
  /** ...or this many bytes (default 10 GiB). */
  maxFolderRenameBytes?: number;
  /** Copies running at once when a folder is renamed (default 8). */
  folderRenameConcurrency?: number;
  logger?: { warn(fields: object, message: string): void };
}

/** S3 has no capacity to report: an arbitrary petabyte, all free. */
const STATFS: StatFs = {
  blockSize: 4096,
  totalBlocks: 2 ** 38,
  freeBlocks: 2 ** 38,
  availableBlocks: 2 ** 38,
  totalFiles: 2 ** 32,
  freeFiles: 2 ** 32,
  maxNameLength: 255,
};

export class S3Storage implements Storage {
  /** Writes out of order are spooled; a rename is a copy then a delete. */
  readonly capabilities = { randomWrite: false, atomicRename: false };
  private readonly client: S3Client;
  private readonly keys: S3Keys;
  private readonly copier: S3Copier;
  private readonly parts: PartTuning;
  private readonly readTuning: ReadTuning;
  private readonly encryption: Pick<ObjectTarget, 'ServerSideEncryption' | 'SSEKMSKeyId'>;
  private readonly options: S3StorageOptions;

  constructor(options: S3StorageOptions) {
    this.options = options;
    this.client = options.client;
    this.keys = new S3Keys(options.bucket, options.prefix);
    this.parts = { ...DEFAULT_PART_TUNING, ...options.parts };
    this.readTuning = { ...DEFAULT_READ_TUNING, ...options.read };
    this.encryption = {
      ...(options.serverSideEncryption && { ServerSideEncryption: options.serverSideEncryption }),
      ...(options.sseKmsKeyId && { SSEKMSKeyId: options.sseKmsKeyId }),
    };
    this.copier = new S3Copier(this.client, this.keys, this.parts, options.maxCopyObjectSize ?? MAX_COPY_OBJECT_SIZE, this.warn);
  }

  private readonly warn = (message: string, err: unknown): void => {
    this.options.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, message);
  };

  private get bucket(): string {
    return this.keys.bucket;
  }

  private target(objectKey: string, metadata: Record<string, string> = {}): ObjectTarget {
    return { Bucket: this.bucket, Key: objectKey, Metadata: metadata, ...this.encryption };
  }

  private async send<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw fromS3Error(err);
    }
  }

  private async head(objectKey: string): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw fromS3Error(err);
    }
  }

  /** A folder exists if its marker or anything under it does; its time is its marker's. */
  private async folder(key: string): Promise<Entry | undefined> {
    const prefix = this.keys.folder(key);
    const r = await this.send(() => this.client.send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 1 })));
    const first = r.Contents?.[0];
    if (!first) return undefined;
    const mtime = first.Key === prefix && first.LastModified ? first.LastModified : new Date(0);
    return { name: nameOf(key), type: 'directory', size: 0, mtime };
  }

  /** Throws not_found unless the folder holding `key` exists (the root always does). */
  private async requireParent(key: string): Promise<void> {
    const parent = parentOf(key);
    if (parent !== undefined && !(await this.folder(parent))) throw notFound('folder');
  }

  private async putMarker(prefix: string): Promise<void> {
    await this.send(() => this.client.send(new PutObjectCommand({ ...this.target(prefix), Body: Buffer.alloc(0), ContentLength: 0 })));
  }

  async stat(key: string): Promise<Entry> {
    const head = await this.head(this.keys.object(key));
    if (head) return { name: nameOf(key), type: 'file', size: head.ContentLength ?? 0, mtime: head.LastModified ?? new Date(0) };
    const folder = await this.folder(key);
    if (!folder) throw notFound('file');
    return folder;
  }

  async list(key: string, options: { cursor?: string; limit: number }): Promise<ListPage> {
    const prefix = this.keys.folder(key);
    const page = await this.send(() => listFolderPage(this.client, this.bucket, prefix, options.cursor, options.limit));
    if (options.cursor === undefined && !page.exists) {
      if (await this.head(this.keys.object(key))) throw notADirectory('that');
      throw notFound('folder');
    }
    return page.cursor === undefined ? { entries: page.entries } : { entries: page.entries, cursor: page.cursor };
  }

  async openRead(key: string): Promise<FileReader> {
    const objectKey = this.keys.object(key);
    const head = await this.head(objectKey);
    if (!head) {
      if (await this.folder(key)) throw isADirectory('that');
      throw notFound('file');
    }
    return new S3Reader(this.client, this.bucket, objectKey, head.ContentLength ?? 0, head.ETag, this.readTuning);
  }

  async openWrite(key: string, options: OpenWriteOptions): Promise<FileWriter> {
    const objectKey = this.keys.object(key);
    const [, head] = await Promise.all([this.requireParent(key), this.head(objectKey)]);
    if (!head && (await this.folder(key))) throw isADirectory('that');
    options.authorize?.(head ? { name: key.slice(key.lastIndexOf('/') + 1), type: 'file', size: head.ContentLength ?? 0, mtime: head.LastModified ?? new Date(0) } : undefined);
    const base = !options.truncate && head ? { objectKey, size: head.ContentLength ?? 0, etag: head.ETag } : undefined;
    return this.writer(objectKey, options.mode, toMetadata(options.meta), base);
  }

  private writer(objectKey: string, mode: OpenWriteOptions['mode'], metadata: Record<string, string>, base?: { objectKey: string; size: number; etag?: string }): S3Writer {
    return new S3Writer({
      client: this.client,
      copier: this.copier,
      target: this.target(objectKey, metadata),
      tuning: this.parts,
      mode,
      base,
      spool: { dir: this.options.spoolDir ?? tmpdir(), limit: this.options.spoolLimit ?? GiB },
      reorderLimit: this.options.reorderLimit ?? 8 * MiB,
      warn: this.warn,
    });
  }

  async mkdir(key: string): Promise<void> {
    const objectKey = this.keys.object(key);
    await this.requireParent(key);
    if ((await this.head(objectKey)) || (await this.folder(key))) throw alreadyExists('that');
    await this.putMarker(this.keys.folder(key));
  }

  async rmdir(key: string): Promise<void> {
    const prefix = this.keys.folder(key);
    const r = await this.send(() => this.client.send(new ListObjectsCommand({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 2 })));
    const inside = r.Contents ?? [];
    if (inside.length === 0) {
      if (await this.head(this.keys.object(key))) throw notADirectory('that');
      throw notFound('folder');
    }
    if (inside.some((o) => o.Key !== prefix)) throw notEmpty('the folder');
    await this.send(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: prefix })));
  }

  async remove(key: string): Promise<void> {
    const objectKey = this.keys.object(key);
    if (!(await this.head(objectKey))) {
      if (await this.folder(key)) throw isADirectory('that');
      throw notFound('file');
    }
    await this.send(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey })));
  }

  async rename(from: string, to: string, options: RenameOptions): Promise<void> {
    const fromKey = this.keys.object(from);
    const toKey = this.keys.object(to);
    const source = await this.head(fromKey);
    if (!source && !(await this.folder(from))) throw notFound('file');
    if (from === to) return;
    await this.requireParent(to);
    const target = (await this.head(toKey)) ? 'file' : (await this.folder(to)) ? 'directory' : undefined;
    if (source) {
      if (target === 'directory') throw options.overwrite ? isADirectory('the target') : alreadyExists('the target');
      if (target && !options.overwrite) throw alreadyExists('the target');
      await this.send(() => this.copier.copy({ objectKey: fromKey, size: source.ContentLength ?? 0, etag: source.ETag }, this.target(toKey, toMetadata(options.meta, from))));
      await this.send(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fromKey })));
      return;
    }
    if (to.startsWith(`${from}/`)) throw invalidArgument('a folder cannot be moved into itself');
    if (target === 'file') throw options.overwrite ? notADirectory('the target') : alreadyExists('the target');
    if (target) throw alreadyExists('the target');
    await renameFolder(
      {
        client: this.client, keys: this.keys, copier: this.copier, warn: this.warn,
        target: (objectKey, metadata) => this.target(objectKey, metadata),
        maxObjects: this.options.maxFolderRenameObjects ?? 1000,
        maxBytes: this.options.maxFolderRenameBytes ?? 10 * GiB,
        concurrency: this.options.folderRenameConcurrency ?? 8,
      },
      from, to, options.meta,
    );
  }

  async readStream(key: string, options: { start?: number; signal?: AbortSignal } = {}): Promise<Readable> {
    const start = options.start ?? 0;
    try {
      const r = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.keys.object(key), Range: start > 0 ? `bytes=${start}-` : undefined }),
        { abortSignal: options.signal },
      );
      return r.Body as Readable;
    } catch (err) {
      if (isInvalidRange(err)) return Readable.from([]); // at or past the end
      if (isNotFound(err) && (await this.folder(key))) throw isADirectory('that');
      throw fromS3Error(err);
    }
  }

  async writeStream(key: string, body: Readable, options: { meta?: ObjectMeta; signal?: AbortSignal } = {}): Promise<{ size: number }> {
    const objectKey = this.keys.object(key);
    await this.ensureFolder(parentOf(key));
    const writer = this.writer(objectKey, 'atomic', toMetadata(options.meta));
    let size = 0;
    try {
      if (options.signal) addAbortSignal(options.signal, body);
      for await (const chunk of body) {
        const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        await writer.write(size, data);
        size += data.length;
      }
      await writer.commit();
    } catch (err) {
      await writer.abort();
      throw fromS3Error(err);
    }
    return { size };
  }

  /** mkdir -p: a marker for every missing folder down to `key`. */
  private async ensureFolder(key: string | undefined): Promise<void> {
    if (key === undefined || (await this.folder(key))) return;
    await this.ensureFolder(parentOf(key));
    if (await this.head(this.keys.object(key))) throw notADirectory('a parent folder');
    await this.putMarker(this.keys.folder(key));
  }

  async statfs(_key: string): Promise<StatFs> {
    return { ...STATFS };
  }
}
