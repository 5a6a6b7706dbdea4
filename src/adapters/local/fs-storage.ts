// The storage port on a local filesystem. Keys map to paths under `root`; uploads
// under normal names are staged in `<root>/.thru-staging` (same filesystem, so the
// final rename is atomic) and fsynced before CLOSE is answered; temp-named uploads are
// written in place so a resume finds them. Every change that completes emits a storage
// event shaped like S3's, which feeds the post-upload pipeline.
//
// Lookups (realpath, lstat, fstat, opening to read) are synchronous: on a local disk each
// takes ~2 µs, where Node's thread pool costs ~45 µs of CPU and a round trip per call
// (measured), and a small upload is mostly such calls. Whatever changes the filesystem
// (creating, renaming, removing) stays asynchronous: those wait for the journal while
// another upload's fsync commits it (0.3 ms per create measured), which must not stall
// every session. A WRITE's bytes go into the page cache from the event loop too, until
// the disk makes that slow (file-writes.ts); syncs run in the thread pool. The data
// directory must be on a local disk.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  open as openCb,
  openSync,
  promises as fsp,
  read as readCb,
  realpathSync,
  type Dir,
  type Stats,
} from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { invalidArgument, isADirectory, notFound } from '../../core/errors.js';
import {
  byteLength,
  type Entry,
  type FileReader,
  type FileWriter,
  type ListPage,
  type ObjectMeta,
  type OpenWriteOptions,
  type RenameOptions,
  type StatFs,
  type Storage,
  type StorageEvent,
  type StorageEventListener,
  type StorageEventName,
  type WriteData,
} from '../../core/ports/storage.js';
import type { Log } from '../../core/ports/logger.js';
import { fromFsError } from './fs-errors.js';
import { FileWrites, OFFLOAD_MS } from './file-writes.js';
import { dataSync, fsyncDirectory, mkdirDurably } from './fs-sync.js';
import { streamToFile } from './stream-to-file.js';
import { StagingPool, madeBy, stagingName } from './staging-pool.js';

const STAGING = '.thru-staging';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** Listings left unfinished for this long are closed. */
const CURSOR_IDLE_MS = 5 * 60_000;
/** Staging files kept ready: one for the next OPEN of a sequential client, one spare. */
export const STAGING_POOL_SIZE = 2;

const openFd = (path: string, flags: number, mode = FILE_MODE) =>
  new Promise<number>((resolve, reject) => openCb(path, flags, mode, (err, fd) => (err ? reject(err) : resolve(fd))));

/** Opaque and unique; randomUUID draws on a cached pool (randomBytes costs ~10 µs a call here). */
const newVersion = () => randomUUID();

class FsReader implements FileReader {
  private closed = false;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}
  async read(position: number, length: number): Promise<Buffer> {
    const want = Math.max(0, Math.min(length, this.size - position));
    if (want === 0 || this.closed) return Buffer.alloc(0);
    const buffer = Buffer.allocUnsafe(want);
    const bytesRead = await this.readInto(buffer, position);
    return bytesRead === want ? buffer : buffer.subarray(0, bytesRead);
  }
  readInto(target: Buffer, position: number): Promise<number> {
    const want = Math.max(0, Math.min(target.length, this.size - position));
    if (want === 0 || this.closed) return Promise.resolve(0);
    return new Promise((resolve, reject) =>
      readCb(this.fd, target, 0, want, position, (err, bytesRead) => (err ? reject(fromFsError(err)) : resolve(bytesRead))),
    );
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/**
 * Written bytes after which a large upload starts flushing them to disk in the
 * background, so that the fdatasync before CLOSE's answer only has the tail left
 * (1 GiB took 0.45 s to flush at CLOSE on the benchmark machine). 16 clients × 64 MiB
 * ending together each waited for a 32 MiB tail: with 8 MiB, 6–9% more throughput
 * (six interleaved pairs, every pair better); a single 1 GiB put alike or better.
 */
export const FLUSH_BEHIND_BYTES = 8 * 1024 * 1024;

/**
 * A file this small whose writes have all landed, the last of them short, is likely
 * complete: its client is about to send CLOSE (OpenSSH waits for every WRITE's answer
 * first). Its fdatasync starts then, during the client's turn, instead of after the
 * CLOSE arrives; a WRITE that still comes makes commit sync again. A 4 KiB file's
 * fdatasync took 250–310 µs on the benchmark machine, the client's turn 120–300; 2000
 * such files went 6% faster (2.46 → 2.31 s, medians of six interleaved pairs).
 * Bounded so that a client appending small pieces to a large file does not sync it at
 * every one.
 */
export const EARLY_SYNC_MAX_BYTES = 1024 * 1024;

/**
 * Clients cut a file into WRITEs of a fixed size (32 KiB for most, 255 KiB for OpenSSH
 * told our limits) and the last one is shorter: a lone WRITE under 32 KiB, or one shorter
 * than an earlier WRITE of the file, is taken for the last. Syncing after any WRITE made
 * a 512 KiB file (255 + 255 + 2 KiB) sync twice, the first time for nothing.
 */
const COMMON_WRITE_BYTES = 32 * 1024;

class FsWriter implements FileWriter {
  size: number;
  private readonly inflight = new Set<Promise<void>>();
  private failed: unknown;
  /** A background flush failed: Linux reports a writeback error to one fdatasync only. */
  private flushFailed: unknown;
  private closed = false;
  private unflushed = 0;
  private flushing = false;
  /** Writes started and landed, and how many of the landed ones a finished fdatasync covers. */
  private writesStarted = 0;
  private writesLanded = 0;
  private syncedThrough = 0;
  private longestWrite = 0;

  constructor(
    private readonly writes: FileWrites,
    private readonly fd: number,
    initialSize: number,
    /** The staging file of an atomic writer, and what to do while its publishing waits on the disk. */
    private readonly staged: { path: string; whileSyncing: () => void } | undefined,
    private readonly finalPath: string,
    /** Emits the upload's event; resolves once the listeners have it (durably, for the local queue). */
    private readonly finish: (size: number) => Promise<void>,
    /** The file at the key was created or emptied at open (resumable writers). */
    private changed: boolean,
  ) {
    this.size = initialSize;
  }

  write(position: number, data: WriteData): Promise<void> {
    if (this.closed) return Promise.reject(invalidArgument('the file is closed'));
    const length = byteLength(data);
    if (position + length > this.size) this.size = position + length;
    this.changed = true;
    const last = length < this.longestWrite || (this.writesStarted === 0 && length < COMMON_WRITE_BYTES);
    this.longestWrite = Math.max(this.longestWrite, length);
    this.writesStarted++;
    const p = this.writes.write(this.fd, data, position).then(
      () => this.landed(last),
      (err: unknown) => {
        this.failed ??= err;
        throw fromFsError(err);
      },
    );
    this.track(p);
    this.unflushed += length;
    if (this.unflushed >= FLUSH_BEHIND_BYTES && !this.flushing) this.flushBehind();
    return p;
  }

  /** A write landed; `last`: it looked like the file's last (see COMMON_WRITE_BYTES). */
  private landed(last: boolean): void {
    this.writesLanded++;
    const idle = this.writesLanded === this.writesStarted;
    if (last && idle && !this.closed && !this.flushing && this.size <= EARLY_SYNC_MAX_BYTES) this.flushBehind();
  }

  /** Keep the descriptor open until `p` settles: commit and abort wait for it. */
  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.then(
      () => this.inflight.delete(p),
      () => this.inflight.delete(p),
    );
  }

  /** Flush what is written so far while the upload goes on; nobody waits for it but commit. */
  private flushBehind(): void {
    this.unflushed = 0;
    this.flushing = true;
    const through = this.writesLanded;
    const p = dataSync(this.fd)
      .then(() => {
        this.syncedThrough = Math.max(this.syncedThrough, through);
      })
      .catch((err: unknown) => {
        this.failed ??= err;
        this.flushFailed ??= err;
      })
      .finally(() => {
        this.flushing = false;
      });
    this.track(p);
  }

  /** fdatasync, unless one issued after the last write landed has already finished. */
  private async syncData(): Promise<void> {
    if (this.writesStarted > 0 && this.syncedThrough === this.writesStarted) return;
    await dataSync(this.fd);
  }

  private async settle(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  async sync(): Promise<void> {
    await this.settle();
    if (this.flushFailed !== undefined) throw fromFsError(this.flushFailed);
    await this.syncData().catch((err: unknown) => Promise.reject(fromFsError(err)));
  }

  async commit(): Promise<void> {
    if (this.closed) throw invalidArgument('the file is closed');
    this.closed = true;
    await this.settle();
    try {
      if (this.failed !== undefined) throw fromFsError(this.failed);
      if (this.staged) return await this.publish(this.staged);
      await this.syncData();
      this.closeFd();
    } catch (err) {
      await this.discard();
      throw fromFsError(err);
    }
    await this.finish(this.size);
  }

  /**
   * Data durable, then the rename, then the rename durable: the order that matters.
   * The storage event goes out as soon as the file is visible under its name (S3's too
   * once the object is), while the folder's fsync is under way: queueing it costs
   * 60–90 µs of the event loop, which a small file's CLOSE then no longer waits for on
   * top of the sync, and the queue makes it durable alongside. The staging pool refills
   * then too. Should that fsync fail, or the event not be queued, the CLOSE fails with
   * the file in place; a retry makes a new version.
   */
  private async publish(staged: { path: string; whileSyncing: () => void }): Promise<void> {
    await this.syncData();
    this.closeFd();
    await fsp.rename(staged.path, this.finalPath);
    const synced = fsyncDirectory(join(this.finalPath, '..'));
    const told = this.finish(this.size);
    staged.whileSyncing();
    await Promise.all([synced, told]);
  }

  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.settle();
    await this.discard();
    // What a resumable writer received stays at the key: report it, as S3 reports the
    // upload its adapter completes on abort.
    if (!this.staged && this.changed) await this.finish(this.size);
  }

  /** Close the descriptor if still open and drop the staging file; keep a resumable file. */
  private async discard(): Promise<void> {
    try {
      this.closeFd();
    } catch {
      // already reported by the write or sync that failed
    }
    if (this.staged) await fsp.rm(this.staged.path, { force: true }).catch(() => undefined);
  }

  private fdClosed = false;
  private closeFd(): void {
    if (this.fdClosed) return;
    this.fdClosed = true;
    closeSync(this.fd);
  }
}

export interface FsStorageOptions {
  /** Folder holding every key. */
  root: string;
  onEvent?: StorageEventListener;
  /**
   * Leave the staging folder as it is at init: another process of the same server
   * (an SFTP worker) is using it, and the main process cleared it when it started.
   */
  keepStaging?: boolean;
  /** Told when a slow write sends writes to the thread pool for a while (see file-writes.ts). */
  log?: Log;
}

export class FsStorage implements Storage {
  readonly capabilities = { randomWrite: true, atomicRename: true };
  private root: string;
  private staging: string;
  private readonly cursors = new Map<string, { dir: Dir; timer: NodeJS.Timeout }>();
  private readonly listeners: StorageEventListener[] = [];
  private readonly keepStaging: boolean;
  private pool: StagingPool | undefined;
  private readonly writes: FileWrites;

  constructor(options: FsStorageOptions) {
    this.root = options.root;
    this.keepStaging = options.keepStaging ?? false;
    this.staging = join(options.root, STAGING);
    if (options.onEvent) this.listeners.push(options.onEvent);
    const log = options.log;
    this.writes = new FileWrites({
      onOffload: (heldMs) =>
        log?.warn(
          { heldMs: Math.round(heldMs), forSeconds: OFFLOAD_MS / 1000, dataDir: this.root },
          'a write to the data folder held the event loop: writing through the thread pool for a while (a slow or busy disk)',
        ),
    });
  }

  /** Create the root; staging files left by a crash are uploads that never closed: drop them. */
  async init(): Promise<this> {
    await mkdirDurably(this.root, { recursive: true, mode: DIR_MODE });
    // Canonical, so that resolved paths can be compared with it (see `real`).
    this.root = await fsp.realpath(this.root);
    this.staging = join(this.root, STAGING);
    if (this.keepStaging) {
      await fsp.mkdir(this.staging, { recursive: true, mode: DIR_MODE });
      return this;
    }
    await fsp.rm(this.staging, { recursive: true, force: true });
    await fsp.mkdir(this.staging, { mode: DIR_MODE });
    return this;
  }

  /** Drop the staging files process `pid` (an SFTP worker that died) left: uploads that never closed. */
  async removeStagingOf(pid: number): Promise<void> {
    const names = await fsp.readdir(this.staging);
    await Promise.all(names.filter((n) => madeBy(n, pid)).map((n) => fsp.rm(join(this.staging, n), { force: true })));
  }

  private get stagingPool(): StagingPool {
    this.pool ??= new StagingPool(this.staging, STAGING_POOL_SIZE, FILE_MODE);
    return this.pool;
  }

  onEvent(listener: StorageEventListener): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    for (const { dir, timer } of this.cursors.values()) {
      clearTimeout(timer);
      await dir.close().catch(() => undefined);
    }
    this.cursors.clear();
  }

  /** Tell the listeners; resolves once those that return a promise are done, rejects if one rejects. */
  private emit(name: StorageEventName, key: string, size: number, extra: Partial<StorageEvent> = {}): Promise<void> {
    const event: StorageEvent = { name, key, size, version: newVersion(), at: new Date().toISOString(), ...extra };
    const pending: Promise<void>[] = [];
    for (const listener of this.listeners) {
      const told = listener(event);
      if (told) pending.push(told);
    }
    return pending.length === 0 ? Promise.resolve() : Promise.all(pending).then(() => undefined);
  }

  /** Path of a key; refuses anything that could leave the root, whoever asks. */
  private path(key: string): string {
    if (key === '' || key.startsWith('/') || key.includes('\0') || key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw invalidArgument('invalid storage key');
    }
    if (key === STAGING || key.startsWith(`${STAGING}/`)) throw invalidArgument('invalid storage key');
    const path = join(this.root, key);
    if (!path.startsWith(this.root + sep)) throw invalidArgument('invalid storage key');
    return path;
  }

  /**
   * Path of a key whose parent folders are real folders, not links: SFTP cannot create
   * links, but one placed in the data directory by other means must not lead out.
   * (Node has no openat2(RESOLVE_BENEATH); one realpath per operation, not per READ.)
   */
  private real(key: string, self = false): string {
    const path = this.path(key);
    const folder = self ? path : join(path, '..');
    let actual: string;
    try {
      // The trailing separator makes realpath fail (ENOTDIR) unless it is a folder.
      actual = realpathSync.native(folder + sep);
    } catch (err) {
      throw fromFsError(err);
    }
    if (actual !== folder) throw notFound('file');
    return path;
  }

  private static entryOf(name: string, st: Stats): Entry | undefined {
    if (st.isFile()) return { name, type: 'file', size: st.size, mtime: st.mtime };
    if (st.isDirectory()) return { name, type: 'directory', size: 0, mtime: st.mtime };
    return undefined; // symlinks, sockets, devices: not ours, not shown
  }

  async stat(key: string): Promise<Entry> {
    let st: Stats | undefined;
    try {
      st = lstatSync(this.real(key), { throwIfNoEntry: false });
    } catch (err) {
      throw fromFsError(err);
    }
    const entry = st && FsStorage.entryOf(key.slice(key.lastIndexOf('/') + 1), st);
    if (!entry) throw notFound('file');
    return entry;
  }

  async list(key: string, options: { cursor?: string; limit: number }): Promise<ListPage> {
    let dir: Dir;
    let cursor = options.cursor;
    if (cursor !== undefined) {
      const open = this.cursors.get(cursor);
      if (!open) throw invalidArgument('the listing expired; list the folder again');
      clearTimeout(open.timer);
      this.cursors.delete(cursor);
      dir = open.dir;
    } else {
      dir = await fsp.opendir(this.real(key, true), { bufferSize: 128 }).catch((err: unknown) => Promise.reject(fromFsError(err)));
      cursor = randomBytes(12).toString('hex');
    }
    const names: string[] = [];
    let exhausted = false;
    try {
      while (names.length < options.limit) {
        const dirent = await dir.read();
        if (!dirent) {
          exhausted = true;
          break;
        }
        if (key.indexOf('/') === -1 && dirent.name === STAGING) continue;
        if (dirent.isFile() || dirent.isDirectory()) names.push(dirent.name);
      }
    } catch (err) {
      await dir.close().catch(() => undefined);
      throw fromFsError(err);
    }
    const path = this.path(key);
    const stats = names.map((n) => lstatSync(join(path, n), { throwIfNoEntry: false }));
    const entries: Entry[] = [];
    stats.forEach((st, i) => {
      const entry = st && FsStorage.entryOf(names[i]!, st);
      if (entry) entries.push(entry);
    });
    if (exhausted) {
      await dir.close().catch(() => undefined);
      return { entries };
    }
    const id = cursor;
    const timer = setTimeout(() => {
      this.cursors.delete(id);
      void dir.close().catch(() => undefined);
    }, CURSOR_IDLE_MS);
    timer.unref();
    this.cursors.set(id, { dir, timer });
    return { entries, cursor: id };
  }

  async openRead(key: string): Promise<FileReader> {
    try {
      const fd = openSync(this.real(key), constants.O_RDONLY | constants.O_NOFOLLOW);
      const st = fstatSync(fd);
      if (!st.isFile()) {
        closeSync(fd);
        throw st.isDirectory() ? isADirectory('that') : notFound('file');
      }
      return new FsReader(fd, st.size);
    } catch (err) {
      throw fromFsError(err);
    }
  }

  async openWrite(key: string, options: OpenWriteOptions): Promise<FileWriter> {
    let refusal: { err: unknown } | undefined;
    try {
      // real() also proves the parent is a folder: nothing to write into otherwise.
      const finalPath = this.real(key);
      const existing = lstatSync(finalPath, { throwIfNoEntry: false });
      if (existing?.isDirectory()) throw isADirectory('that');
      if (existing && !existing.isFile()) throw notFound('file');
      try {
        options.authorize?.(existing && FsStorage.entryOf(key.slice(key.lastIndexOf('/') + 1), existing));
      } catch (err) {
        refusal = { err };
        throw err;
      }
      const initialSize = options.truncate || !existing ? 0 : existing.size;
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW;
      let fd: number;
      let staged: string | undefined;
      if (options.mode === 'atomic' && initialSize === 0) {
        ({ path: staged, fd } = await this.stagingPool.take());
      } else if (options.mode === 'atomic') {
        staged = join(this.staging, stagingName());
        await fsp.copyFile(finalPath, staged, constants.COPYFILE_FICLONE);
        fd = await openFd(staged, flags);
      } else {
        fd = await openFd(finalPath, flags | (options.truncate ? constants.O_TRUNC : 0));
      }
      const finish = (size: number) => this.emit('ObjectCreated:Put', key, size, { meta: options.meta });
      // New staging files are made while a CLOSE waits for its folder's fsync (see staging-pool.ts).
      const stagedFile = staged === undefined ? undefined : { path: staged, whileSyncing: () => this.stagingPool.replenish() };
      return new FsWriter(this.writes, fd, initialSize, stagedFile, finalPath, finish, options.truncate || !existing);
    } catch (err) {
      // The caller's own refusal goes back as it was thrown.
      throw refusal ? refusal.err : fromFsError(err);
    }
  }

  async mkdir(key: string): Promise<void> {
    try {
      await mkdirDurably(this.real(key), { mode: DIR_MODE });
    } catch (err) {
      throw fromFsError(err);
    }
  }

  async rmdir(key: string): Promise<void> {
    try {
      const path = this.real(key);
      await fsp.rmdir(path);
      await fsyncDirectory(join(path, '..'));
    } catch (err) {
      throw fromFsError(err);
    }
  }

  async remove(key: string): Promise<void> {
    try {
      const path = this.real(key);
      const st = lstatSync(path);
      if (st.isDirectory()) throw isADirectory('that');
      await fsp.unlink(path);
      // Gone for good before the answer, as a rename is (the event is queued meanwhile).
      await Promise.all([fsyncDirectory(join(path, '..')), this.emit('ObjectRemoved:Delete', key, 0)]);
    } catch (err) {
      throw fromFsError(err);
    }
  }

  async rename(from: string, to: string, options: RenameOptions): Promise<void> {
    try {
      const fromPath = this.real(from);
      const toPath = this.real(to);
      const st = lstatSync(fromPath);
      if (options.overwrite || !st.isFile()) {
        // Folders: a check then a rename. Files without overwrite take the link path below.
        if (!options.overwrite && lstatSync(toPath, { throwIfNoEntry: false })) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        await fsp.rename(fromPath, toPath);
      } else {
        // link() fails if the target exists, which makes "no overwrite" atomic.
        await fsp.link(fromPath, toPath);
        await fsp.unlink(fromPath);
      }
      // The events go out while the folders' fsyncs are under way (see FsWriter.publish);
      // a move between folders syncs both, or a crash could show it in both or neither.
      const [fromFolder, toFolder] = [join(fromPath, '..'), join(toPath, '..')];
      const synced = Promise.all([fsyncDirectory(toFolder), fromFolder === toFolder ? undefined : fsyncDirectory(fromFolder)]);
      const told = st.isFile()
        ? [this.emit('ObjectCreated:Copy', to, st.size, { renamedFrom: from, meta: options.meta }), this.emit('ObjectRemoved:Delete', from, 0)]
        : [];
      await Promise.all([synced, ...told]);
    } catch (err) {
      throw fromFsError(err);
    }
  }

  async readStream(key: string, options: { start?: number; signal?: AbortSignal } = {}): Promise<Readable> {
    const handle = await fsp.open(this.real(key), constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: unknown) => Promise.reject(fromFsError(err)));
    return handle.createReadStream({ start: options.start, signal: options.signal, autoClose: true });
  }

  async writeStream(key: string, body: Readable, options: { meta?: ObjectMeta; signal?: AbortSignal } = {}): Promise<{ size: number }> {
    const finalPath = this.path(key);
    await mkdirDurably(join(finalPath, '..'), { recursive: true, mode: DIR_MODE }).catch((err: unknown) => Promise.reject(fromFsError(err)));
    this.real(key);
    const staged = join(this.staging, stagingName());
    const handle = await fsp.open(staged, 'w', FILE_MODE).catch((err: unknown) => Promise.reject(fromFsError(err)));
    let size: number;
    try {
      size = await streamToFile(body, handle, options.signal);
      await handle.close();
      await fsp.rename(staged, finalPath);
      await fsyncDirectory(join(finalPath, '..'));
    } catch (err) {
      await handle.close().catch(() => undefined);
      await fsp.rm(staged, { force: true }).catch(() => undefined);
      throw fromFsError(err);
    }
    await this.emit('ObjectCreated:Put', key, size, { meta: options.meta });
    return { size };
  }

  async statfs(_key: string): Promise<StatFs> {
    const st = await fsp.statfs(this.root);
    return {
      blockSize: st.bsize,
      totalBlocks: st.blocks,
      freeBlocks: st.bfree,
      availableBlocks: st.bavail,
      totalFiles: st.files,
      freeFiles: st.ffree,
      maxNameLength: 255,
    };
  }
}
