// What a partner can do with files once logged in, whatever the protocol: the jail,
// the permissions and the upload semantics of SPEC §3 in one place. The SFTP front end
// turns requests into calls here and errors into statuses; it decides nothing itself.
import picomatch from 'picomatch';
import type { Principal } from './identity.js';
import type { Permission } from './model.js';
import { byteLength, type Entry, type FileReader, type FileWriter, type ObjectMeta, type StatFs, type Storage, type WriteData } from './ports/storage.js';
import { alreadyExists, failure, invalidArgument, isADirectory, isCoreError, limitExceeded, notADirectory, notFound, permissionDenied, unsupported } from './errors.js';
import { basename, dirname, isWithin, keyOf, resolveVirtualPath } from './paths.js';

export interface OpenFlags {
  read: boolean;
  write: boolean;
  append: boolean;
  create: boolean;
  truncate: boolean;
  exclusive: boolean;
}

export interface SetStatRequest {
  size?: number;
  mode?: number;
  atime?: number;
  mtime?: number;
  uid?: number;
  gid?: number;
}

export interface FileSessionOptions {
  sourceIp: string;
  /** Entries per directory page. */
  listPageSize: number;
  /**
   * Largest file a partner may write. Without it one WRITE at a huge offset makes a huge
   * sparse file, which the post-upload pipeline would then read and hash in full.
   */
  maxFileSize?: number;
}

export const DEFAULT_MAX_FILE_SIZE = 100 * 1024 ** 3;

const denied = (permission: Permission) => permissionDenied(`permission denied: this account lacks the "${permission}" permission`);

/** A file opened for reading. */
export class ReadHandle {
  bytes = 0;
  readonly openedAt = Date.now();
  constructor(
    readonly path: string,
    private readonly reader: FileReader,
    private readonly onClose: (h: ReadHandle) => void,
  ) {}
  get size(): number {
    return this.reader.size;
  }
  /** Up to `target.length` bytes at `position` into `target`; how many (0 at the end). */
  async readInto(target: Buffer, position: number): Promise<number> {
    let n: number;
    if (this.reader.readInto) n = await this.reader.readInto(target, position);
    else {
      const data = await this.reader.read(position, target.length);
      n = data.copy(target);
    }
    this.bytes += n;
    return n;
  }
  async close(): Promise<void> {
    this.onClose(this);
    await this.reader.close();
  }
}

/** A file opened for writing: visible at its name on close() (or as it goes, for temp names). */
export class WriteHandle {
  bytes = 0;
  readonly openedAt = Date.now();
  constructor(
    readonly path: string,
    readonly resumable: boolean,
    private readonly writer: FileWriter,
    private readonly append: boolean,
    private readonly onClose: (h: WriteHandle) => void,
    private readonly maxSize: number,
  ) {}
  get size(): number {
    return this.writer.size;
  }
  write(position: number, data: WriteData): Promise<void> {
    const at = this.append ? this.writer.size : position;
    const length = byteLength(data);
    if (at + length > this.maxSize) return this.refuse(limitExceeded(`files are limited to ${this.maxSize} bytes on this server`));
    this.bytes += length;
    return this.writer.write(at, data).catch((err: unknown) => this.refuse(err));
  }
  /** A refused or failed WRITE fails the upload: CLOSE must not publish what is missing a piece. */
  private refuse(err: unknown): Promise<never> {
    this.failed ??= err;
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  private failed: unknown;
  sync(): Promise<void> {
    return this.writer.sync();
  }
  /** Durable and visible when this resolves; on failure nothing new is visible. */
  async close(): Promise<void> {
    this.onClose(this);
    if (this.failed !== undefined) {
      await this.writer.abort();
      throw failure('the upload failed (a write was refused); nothing was published at this name');
    }
    await this.writer.commit();
  }
  /** The upload ends without close: the connection dropped or the session ended. */
  async abort(): Promise<void> {
    this.onClose(this);
    await this.writer.abort();
  }
}

/** Pages through one directory. */
export class DirectoryHandle {
  private cursor: string | undefined;
  private done = false;
  constructor(
    readonly path: string,
    private readonly key: string,
    private readonly storage: Storage,
    private readonly pageSize: number,
  ) {}
  /** The next page, or undefined at the end. */
  async next(): Promise<Entry[] | undefined> {
    while (!this.done) {
      const page = await this.storage.list(this.key, { cursor: this.cursor, limit: this.pageSize });
      this.cursor = page.cursor;
      this.done = page.cursor === undefined;
      if (page.entries.length > 0) return page.entries;
    }
    return undefined;
  }
}

export class FileSession {
  private readonly isTemp: (name: string) => boolean;
  private readonly permissions: ReadonlySet<Permission>;
  private readonly writers = new Set<WriteHandle>();
  private readonly readers = new Set<ReadHandle>();
  private readonly meta: ObjectMeta;

  constructor(
    readonly principal: Principal,
    private readonly storage: Storage,
    private readonly options: FileSessionOptions,
  ) {
    const matchers = principal.tempFilePatterns.map((p) => picomatch(p, { dot: true }));
    this.isTemp = (name) => matchers.some((m) => m(name));
    this.permissions = new Set(principal.permissions);
    this.meta = { user: principal.username, sourceIp: options.sourceIp };
  }

  /** Open handles, for limits and for cleanup. */
  get openCount(): number {
    return this.writers.size + this.readers.size;
  }

  private require(permission: Permission): void {
    if (!this.permissions.has(permission)) throw denied(permission);
  }

  private key(virtualPath: string): string {
    return keyOf(this.principal.rootKey, virtualPath);
  }

  private async statOrUndefined(key: string): Promise<Entry | undefined> {
    try {
      return await this.storage.stat(key);
    } catch (err) {
      if (isCoreError(err, 'not_found')) return undefined;
      throw err;
    }
  }

  /** Create the user's root folder (and its parents) if it is missing. */
  async ensureRoot(): Promise<void> {
    if ((await this.statOrUndefined(this.principal.rootKey))?.type === 'directory') return;
    const parts = this.principal.rootKey.split('/');
    for (let i = 1; i <= parts.length; i++) {
      try {
        await this.storage.mkdir(parts.slice(0, i).join('/'));
      } catch (err) {
        if (!isCoreError(err, 'already_exists')) throw err;
      }
    }
  }

  realpath(path: string): string {
    return resolveVirtualPath(path);
  }

  async stat(path: string): Promise<Entry> {
    const virtual = resolveVirtualPath(path);
    const entry = await this.storage.stat(this.key(virtual));
    return virtual === '/' ? { ...entry, name: '/' } : entry;
  }

  async openDirectory(path: string): Promise<DirectoryHandle> {
    this.require('list');
    const virtual = resolveVirtualPath(path);
    const key = this.key(virtual);
    const entry = await this.storage.stat(key);
    if (entry.type !== 'directory') throw notADirectory(virtual);
    return new DirectoryHandle(virtual, key, this.storage, this.options.listPageSize);
  }

  async openRead(path: string): Promise<ReadHandle> {
    this.require('download');
    const virtual = resolveVirtualPath(path);
    const reader = await this.storage.openRead(this.key(virtual));
    const handle = new ReadHandle(virtual, reader, (h) => this.readers.delete(h));
    this.readers.add(handle);
    return handle;
  }

  async openWrite(path: string, flags: OpenFlags): Promise<WriteHandle> {
    const virtual = resolveVirtualPath(path);
    if (virtual === '/') throw isADirectory('/');
    const resumable = this.isTemp(basename(virtual));
    this.require('upload');
    const writer = await this.storage.openWrite(this.key(virtual), {
      truncate: flags.truncate,
      mode: resumable ? 'resumable' : 'atomic',
      meta: this.meta,
      authorize: (existing) => {
        if (existing && flags.create && flags.exclusive) throw alreadyExists(virtual);
        if (!existing && !flags.create) throw notFound(virtual);
        // Appending to one's own temp-named upload is resuming it, not overwriting.
        if (existing && !(resumable && !flags.truncate)) this.require('overwrite');
      },
    });
    const handle = new WriteHandle(virtual, resumable, writer, flags.append, (h) => this.writers.delete(h), this.options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
    this.writers.add(handle);
    return handle;
  }

  async mkdir(path: string): Promise<void> {
    this.require('mkdir');
    const virtual = resolveVirtualPath(path);
    if (virtual === '/') throw alreadyExists('/');
    await this.storage.mkdir(this.key(virtual));
  }

  async rmdir(path: string): Promise<void> {
    this.require('delete');
    const virtual = resolveVirtualPath(path);
    if (virtual === '/') throw permissionDenied('the home folder cannot be removed');
    await this.storage.rmdir(this.key(virtual));
  }

  async remove(path: string): Promise<void> {
    this.require('delete');
    const virtual = resolveVirtualPath(path);
    if (virtual === '/') throw isADirectory('/');
    await this.storage.remove(this.key(virtual));
  }

  /**
   * Rename; `overwrite` is posix-rename. Finishing an upload (a temp-named file renamed
   * to its final name) needs only "upload"; any other rename needs "rename".
   */
  async rename(fromPath: string, toPath: string, overwrite: boolean): Promise<void> {
    const from = resolveVirtualPath(fromPath);
    const to = resolveVirtualPath(toPath);
    if (from === '/' || to === '/') throw permissionDenied('the home folder cannot be renamed');
    const source = await this.storage.stat(this.key(from));
    if (from === to) return;
    if (source.type === 'directory' && isWithin(to, from)) throw invalidArgument('a folder cannot be moved into itself');
    const finishesUpload = source.type === 'file' && this.isTemp(basename(from)) && !this.isTemp(basename(to));
    this.require(finishesUpload ? 'upload' : 'rename');
    const target = await this.statOrUndefined(this.key(to));
    if (target) {
      if (!overwrite) throw alreadyExists(to);
      if (target.type === 'directory') throw isADirectory(to);
      if (source.type === 'directory') throw notADirectory(to);
      this.require('overwrite');
    } else {
      const parent = await this.statOrUndefined(this.key(dirname(to)));
      if (!parent) throw notFound(dirname(to));
      if (parent.type !== 'directory') throw notADirectory(dirname(to));
    }
    await this.storage.rename(this.key(from), this.key(to), { overwrite, meta: this.meta });
  }

  /** Times and modes are accepted and ignored (clients send them after uploads); sizes are not. */
  async setstat(path: string, attrs: SetStatRequest): Promise<void> {
    const entry = await this.stat(path);
    if (attrs.size !== undefined && !(entry.type === 'file' && attrs.size === entry.size)) {
      throw unsupported('changing a file size with SETSTAT is not supported');
    }
  }

  async statfs(path: string): Promise<StatFs> {
    const virtual = resolveVirtualPath(path);
    return this.storage.statfs(this.key(virtual));
  }

  /** The session ends: uploads without CLOSE are aborted, readers closed. */
  async end(): Promise<void> {
    const pending = [...this.writers].map((w) => w.abort()).concat([...this.readers].map((r) => r.close()));
    await Promise.allSettled(pending);
  }
}
