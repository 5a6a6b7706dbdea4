// The storage port: where partner files live. Keys are "/"-separated paths without a
// leading slash, "<orgId>/<endpointId>/<path>" (SPEC §2). The core has already jailed
// and validated every key it passes here; adapters still refuse to leave their root.
import type { Readable } from 'node:stream';

export type EntryType = 'file' | 'directory';

export interface Entry {
  /** Last path segment. */
  name: string;
  type: EntryType;
  size: number;
  mtime: Date;
}

export interface ListPage {
  entries: Entry[];
  /** Opaque; absent on the last page. */
  cursor?: string;
}

/** Who wrote an object: carried into storage events and transfer records. */
export interface ObjectMeta {
  user?: string;
  sourceIp?: string;
}

export interface StorageCapabilities {
  /** Writes at any offset in any order (a filesystem); otherwise the adapter spools. */
  randomWrite: boolean;
  /** rename() replaces the target in one step. */
  atomicRename: boolean;
}

export interface StatFs {
  blockSize: number;
  totalBlocks: number;
  freeBlocks: number;
  availableBlocks: number;
  totalFiles: number;
  freeFiles: number;
  maxNameLength: number;
}

export interface FileReader {
  readonly size: number;
  /** Up to `length` bytes at `position`; an empty buffer at or past the end. */
  read(position: number, length: number): Promise<Buffer>;
  /**
   * Optional: up to `target.length` bytes at `position` into `target`; how many were read
   * (0 at or past the end). The SFTP front end reads into reused reply buffers with it.
   */
  readInto?(target: Buffer, position: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Bytes for a write: one buffer, or pieces in order. A large SFTP WRITE arrives in
 * 32 KiB SSH packets; the front end passes them on as they are rather than copying
 * them into one buffer (a copy of every byte uploaded).
 */
export type WriteData = Buffer | readonly Buffer[];

export function byteLength(data: WriteData): number {
  if (Buffer.isBuffer(data)) return data.length;
  let n = 0;
  for (const piece of data) n += piece.length;
  return n;
}

export interface FileWriter {
  /** Bytes at `position`; a gap past the end reads back as zeros. */
  write(position: number, data: WriteData): Promise<void>;
  /** Current length of the file being written. */
  readonly size: number;
  /** Flush what was written so far to stable storage (fsync@openssh.com). */
  sync(): Promise<void>;
  /** Make what was written durable and visible at the key; only then may CLOSE say OK. */
  commit(): Promise<void>;
  /**
   * The writer ends without CLOSE (disconnect, error). An atomic writer leaves nothing
   * at the key (a previous version stays); a resumable writer keeps the bytes received.
   */
  abort(): Promise<void>;
}

export interface OpenWriteOptions {
  /** Start empty, or from the existing content (resume, in-place edit); a missing file starts empty. */
  truncate: boolean;
  /**
   * Called once the adapter knows what is at the key (a file, or nothing: a folder is
   * refused with is_a_directory first), before anything is written; what it throws,
   * openWrite throws. It saves the caller a stat of its own (a round trip on S3).
   */
  authorize?: (existing: Entry | undefined) => void;
  /**
   * atomic: nothing appears at the key before commit() (normal names).
   * resumable: bytes land at the key as they come and survive a disconnect (temp names).
   */
  mode: 'atomic' | 'resumable';
  meta?: ObjectMeta;
}

export interface RenameOptions {
  /** Replace an existing target (posix-rename); otherwise fail with already_exists. */
  overwrite: boolean;
  meta?: ObjectMeta;
}

export interface Storage {
  readonly capabilities: StorageCapabilities;
  /** Metadata of a file or directory; not_found when neither exists. */
  stat(key: string): Promise<Entry>;
  /** One page of a directory's entries; not_found / not_a_directory. */
  list(key: string, options: { cursor?: string; limit: number }): Promise<ListPage>;
  openRead(key: string): Promise<FileReader>;
  /** not_found when the parent directory does not exist; is_a_directory for a directory. */
  openWrite(key: string, options: OpenWriteOptions): Promise<FileWriter>;
  mkdir(key: string): Promise<void>;
  /** not_empty when it has entries. */
  rmdir(key: string): Promise<void>;
  remove(key: string): Promise<void>;
  rename(from: string, to: string, options: RenameOptions): Promise<void>;
  /** The whole object as a stream, from `start`. */
  readStream(key: string, options?: { start?: number; signal?: AbortSignal }): Promise<Readable>;
  /** Write a whole object from a stream, atomically (delivery into another endpoint). */
  writeStream(key: string, body: Readable, options?: { meta?: ObjectMeta; signal?: AbortSignal }): Promise<{ size: number }>;
  statfs(key: string): Promise<StatFs>;
}

export type StorageEventName =
  | 'ObjectCreated:Put'
  | 'ObjectCreated:Copy'
  | 'ObjectCreated:CompleteMultipartUpload'
  | 'ObjectRemoved:Delete';

/**
 * What storage says happened, shaped like an S3 event record so the same pipeline
 * consumes the filesystem's events and S3's. `renamedFrom` tells a rename from a fresh
 * write (S3: read from the copied object's metadata by the event adapter).
 */
export interface StorageEvent {
  name: StorageEventName;
  key: string;
  size: number;
  /** Identifies this version of the object; duplicates of one event share it. */
  version: string;
  at: string;
  renamedFrom?: string;
  meta?: ObjectMeta;
}

/**
 * Told of each change once it is visible. A listener that returns a promise holds the
 * change's answer (CLOSE, RENAME, REMOVE) until it settles: the local runtime's listener
 * queues the event durably first. A rejection fails the answer with its error; the change
 * stays made (a retry makes a new version, with a new event).
 */
export type StorageEventListener = (event: StorageEvent) => void | Promise<void>;
