// One SFTP channel: SFTP v3 requests in, core FileSession calls, statuses out.
// Paths are resolved and permissions checked once per OPEN/OPENDIR by the core; READ
// and WRITE only look up their handle. Every reply goes through `fail` or a success
// call, so each request gets exactly one answer and no error escapes the channel.
// Memory is bounded both ways, however many requests a client keeps in flight: WRITE
// data waiting for storage shuts the channel's window (WRITE_BACKLOG_BYTES), READs take
// turns (MAX_READS_IN_SERVICE).
import ssh2, { type Attributes, type FileEntry, type SFTPWrapper } from 'ssh2';
import type { Logger } from 'pino';
import { invalidArgument, limitExceeded } from '../core/errors.js';
import { DirectoryHandle, type FileSession, ReadHandle, WriteHandle } from '../core/file-session.js';
import { byteLength, type Entry, type WriteData } from '../core/ports/storage.js';
import { ADVERTISED, EXT, limitsReply, readStrings, statvfsReply } from './extensions.js';
import { longname } from './longname.js';
import { DATA_HEADER, type ReadFrames } from './read-frames.js';
import { statusOf } from './status.js';

const { STATUS_CODE, OPEN_MODE } = ssh2.utils.sftp;

type Handle = ReadHandle | WriteHandle | DirectoryHandle;

export interface SftpSessionOptions {
  maxOpenHandles: number;
  /** Largest READ reply (at most MAX_READ_LENGTH); also what limits@openssh.com announces. */
  maxReadLength: number;
  /** Largest WRITE clients are asked to send, through limits@openssh.com. */
  maxWriteLength: number;
  /** Called on every request: the connection's idle clock. */
  onActivity: () => void;
  /** Reusable READ reply buffers of `maxReadLength`, shared by the server's sessions. */
  readFrames: ReadFrames;
  /** WRITE data not yet stored, summed over the server's sessions. */
  writeBacklog: { bytes: number };
}

/**
 * WRITE data a session may hold before storage has taken it. Past this the channel's
 * window stays shut (ssh2 patch holdWindow), so a client that sends faster than the
 * disk or S3 takes it waits, however many requests it keeps in flight; the window
 * opens again once half of it is stored.
 */
export const WRITE_BACKLOG_BYTES = 4 * 1024 * 1024;

/**
 * WRITE data the process holds for all its sessions before each is kept to
 * SHARED_BACKLOG_BYTES. One upload keeps its 4 MiB (with 1 MiB a 1 GiB put measured
 * 1.46x OpenSSH, against 1.50–1.57x); with many at once, data that waits that long
 * for the thread pool outlives its scavenges, and the socket buffers holding it stay
 * in memory, dead, until V8's next full collection. 16 clients × 64 MiB, peak RSS of
 * the worst of 5 rounds: 239–281 MiB in five runs without sharing (three over 256),
 * 233–265 in six with (one over).
 */
export const PROCESS_WRITE_BACKLOG_BYTES = 16 * 1024 * 1024;
export const SHARED_BACKLOG_BYTES = 1024 * 1024;

/**
 * READs a session serves at once; the others wait their turn, and none gets a turn while
 * ssh2 holds earlier answers for a client whose window is shut. So a client that sends
 * READs and does not take the answers costs at most this many frames, not one per READ.
 */
export const MAX_READS_IN_SERVICE = 16;

const FILE_MODE = 0o100644;
const DIR_MODE = 0o040755;

function attrsOf(entry: Pick<Entry, 'type' | 'size' | 'mtime'>): Attributes {
  const t = Math.floor(entry.mtime.getTime() / 1000);
  return { mode: entry.type === 'directory' ? DIR_MODE : FILE_MODE, uid: 0, gid: 0, size: entry.size, atime: t, mtime: t };
}

function modeOf(flags: number): string {
  const names: string[] = [];
  if (flags & OPEN_MODE.READ) names.push('READ');
  if (flags & OPEN_MODE.WRITE) names.push('WRITE');
  if (flags & OPEN_MODE.APPEND) names.push('APPEND');
  if (flags & OPEN_MODE.CREAT) names.push('CREATE');
  if (flags & OPEN_MODE.TRUNC) names.push('TRUNCATE');
  if (flags & OPEN_MODE.EXCL) names.push('EXCLUSIVE');
  return names.join('|');
}

export class SftpSession {
  private readonly handles = new Map<number, Handle>();
  private nextHandle = 1;
  private ended = false;
  /** Bytes of WRITE data received and not yet stored. */
  private backlog = 0;
  private windowHeld = false;
  /** READs between their turn and their answer. */
  private readsInService = 0;
  /** READs waiting for their turn (see MAX_READS_IN_SERVICE), in the order they came. */
  private readonly waitingReads: (() => void)[] = [];

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly files: FileSession,
    private readonly log: Logger,
    private readonly options: SftpSessionOptions,
  ) {
    sftp.advertiseExtensions(ADVERTISED);
    sftp.acceptWritePieces();
    this.register();
  }

  private register(): void {
    const s = this.sftp;
    s.on('error', (err: Error) => this.log.warn({ err: err.message }, 'sftp channel error'));
    s.on('end', () => s.end());
    s.on('close', () => void this.end());
    s.on('continue', () => this.nextRead());
    s.on('OPEN', (id, path, flags) => this.run(id, () => this.open(id, path, flags)));
    s.on('READ', (id, handle, offset, length) => this.run(id, () => this.read(id, handle, offset, length)));
    s.on('WRITE', (id, handle, offset, data) => this.run(id, () => this.write(id, handle, offset, data)));
    s.on('CLOSE', (id, handle) => this.run(id, () => this.close(id, handle)));
    s.on('FSTAT', (id, handle) => this.run(id, () => this.fstat(id, handle)));
    s.on('FSETSTAT', (id, handle) => this.run(id, () => this.fsetstat(id, handle)));
    s.on('STAT', (id, path) => this.run(id, () => this.stat(id, path)));
    s.on('LSTAT', (id, path) => this.run(id, () => this.stat(id, path)));
    s.on('SETSTAT', (id, path, attrs) => this.run(id, () => this.setstat(id, path, attrs)));
    s.on('OPENDIR', (id, path) => this.run(id, () => this.opendir(id, path)));
    s.on('READDIR', (id, handle) => this.run(id, () => this.readdir(id, handle)));
    s.on('REALPATH', (id, path) => this.run(id, () => this.realpath(id, path)));
    s.on('REMOVE', (id, path) => this.run(id, () => this.mutate(id, 'REMOVE', { path }, () => this.files.remove(path))));
    s.on('MKDIR', (id, path) => this.run(id, () => this.mutate(id, 'MKDIR', { path }, () => this.files.mkdir(path))));
    s.on('RMDIR', (id, path) => this.run(id, () => this.mutate(id, 'RMDIR', { path }, () => this.files.rmdir(path))));
    s.on('RENAME', (id, from, to) => this.run(id, () => this.rename(id, from, to, false)));
    s.on('READLINK', (id) => s.status(id, STATUS_CODE.OP_UNSUPPORTED, 'links are not supported'));
    s.on('SYMLINK', (id) => s.status(id, STATUS_CODE.OP_UNSUPPORTED, 'links are not supported'));
    s.on('EXTENDED', (id, name, data) => this.run(id, () => this.extended(id, name, data)));
  }

  /** Run a request; any failure becomes its status. */
  private run(id: number, fn: () => Promise<void> | void): void {
    if (this.ended) return;
    this.options.onActivity();
    try {
      const p = fn();
      if (p) p.catch((err: unknown) => this.fail(id, err));
    } catch (err) {
      this.fail(id, err);
    }
  }

  private fail(id: number, err: unknown): void {
    const { code, message, unexpected } = statusOf(err);
    if (unexpected) this.log.error({ err }, 'sftp request failed');
    if (!this.ended) this.sftp.status(id, code, message);
  }

  private handleOf(buf: Buffer): Handle {
    const handle = buf.length === 4 ? this.handles.get(buf.readUInt32BE(0)) : undefined;
    if (!handle) throw invalidArgument('invalid handle');
    return handle;
  }

  private addHandle(handle: Handle): Buffer {
    if (this.handles.size >= this.options.maxOpenHandles) throw limitExceeded(`too many open handles (limit ${this.options.maxOpenHandles})`);
    const n = this.nextHandle;
    this.nextHandle = (this.nextHandle + 1) >>> 0 || 1;
    this.handles.set(n, handle);
    const buf = Buffer.allocUnsafe(4);
    buf.writeUInt32BE(n, 0);
    return buf;
  }

  private async open(id: number, path: string, flags: number): Promise<void> {
    if (this.handles.size >= this.options.maxOpenHandles) throw limitExceeded(`too many open handles (limit ${this.options.maxOpenHandles})`);
    let handle: ReadHandle | WriteHandle;
    if (flags & OPEN_MODE.WRITE) {
      handle = await this.files.openWrite(path, {
        read: (flags & OPEN_MODE.READ) !== 0,
        write: true,
        append: (flags & OPEN_MODE.APPEND) !== 0,
        create: (flags & OPEN_MODE.CREAT) !== 0,
        truncate: (flags & OPEN_MODE.TRUNC) !== 0,
        exclusive: (flags & OPEN_MODE.EXCL) !== 0,
      });
    } else {
      handle = await this.files.openRead(path);
    }
    this.log.info({ 'activity-type': 'OPEN', path: handle.path, mode: modeOf(flags) }, 'open');
    this.sftp.handle(id, this.addHandle(handle));
  }

  private async read(id: number, buf: Buffer, offset: number, length: number): Promise<void> {
    const handle = this.handleOf(buf);
    if (!(handle instanceof ReadHandle)) throw invalidArgument('the handle is not open for reading');
    if (this.sftp.outgoingBuffered() || this.waitingReads.length > 0 || this.readsInService >= MAX_READS_IN_SERVICE) {
      // nextRead counts this READ in when it gives it its turn.
      await new Promise<void>((ok) => this.waitingReads.push(ok));
      if (this.ended) return;
    } else {
      this.readsInService += 1;
    }
    const frames = this.options.readFrames;
    const frame = frames.take();
    let reusable = true;
    try {
      const n = await handle.readInto(frame.subarray(DATA_HEADER, DATA_HEADER + Math.min(length, frames.maxData)), offset);
      if (this.ended) return;
      if (n === 0) this.sftp.status(id, STATUS_CODE.EOF);
      else reusable = this.sftp.dataFrame(id, frame.subarray(0, DATA_HEADER + n));
    } finally {
      if (reusable) frames.give(frame);
      this.readsInService -= 1;
      this.nextRead();
    }
  }

  private nextRead(): void {
    while (this.waitingReads.length > 0 && (this.ended || (this.readsInService < MAX_READS_IN_SERVICE && !this.sftp.outgoingBuffered()))) {
      this.readsInService += 1;
      this.waitingReads.shift()!();
    }
  }

  private async write(id: number, buf: Buffer, offset: number, data: WriteData): Promise<void> {
    const handle = this.handleOf(buf);
    if (!(handle instanceof WriteHandle)) throw invalidArgument('the handle is not open for writing');
    const length = byteLength(data);
    const shared = this.options.writeBacklog;
    this.backlog += length;
    shared.bytes += length;
    if (!this.windowHeld && this.backlog > this.backlogLimit()) this.holdWindow(true);
    try {
      await handle.write(offset, data);
    } finally {
      this.backlog -= length;
      shared.bytes -= length;
      if (this.windowHeld && this.backlog <= this.backlogLimit() / 2) this.holdWindow(false);
    }
    this.sftp.status(id, STATUS_CODE.OK);
  }

  /** WRITE data this session may hold now (see WRITE_BACKLOG_BYTES). */
  private backlogLimit(): number {
    return this.options.writeBacklog.bytes > PROCESS_WRITE_BACKLOG_BYTES ? SHARED_BACKLOG_BYTES : WRITE_BACKLOG_BYTES;
  }

  private holdWindow(hold: boolean): void {
    this.windowHeld = hold;
    this.sftp.holdWindow(hold);
  }

  private async close(id: number, buf: Buffer): Promise<void> {
    const handle = this.handleOf(buf);
    this.handles.delete(buf.readUInt32BE(0));
    if (handle instanceof DirectoryHandle) return this.sftp.status(id, STATUS_CODE.OK);
    const started = handle.openedAt;
    try {
      await handle.close();
    } catch (err) {
      this.log.warn({ 'activity-type': 'PARTIAL_CLOSE', path: handle.path, bytes: handle.bytes, err: (err as Error).message }, 'close failed');
      throw err;
    }
    const bytes = handle instanceof WriteHandle ? { 'bytes-in': handle.bytes } : { 'bytes-out': handle.bytes };
    this.log.info({ 'activity-type': 'CLOSE', path: handle.path, ...bytes, 'duration-ms': Date.now() - started }, 'close');
    this.sftp.status(id, STATUS_CODE.OK);
  }

  private fstat(id: number, buf: Buffer): void {
    const handle = this.handleOf(buf);
    if (handle instanceof DirectoryHandle) throw invalidArgument('FSTAT on a folder handle');
    this.sftp.attrs(id, attrsOf({ type: 'file', size: handle.size, mtime: new Date(handle.openedAt) }));
  }

  private fsetstat(id: number, buf: Buffer): void {
    this.handleOf(buf); // times and modes on an open file: accepted and ignored
    this.sftp.status(id, STATUS_CODE.OK);
  }

  private async stat(id: number, path: string): Promise<void> {
    this.sftp.attrs(id, attrsOf(await this.files.stat(path)));
  }

  private async setstat(id: number, path: string, attrs: Partial<Attributes>): Promise<void> {
    await this.files.setstat(path, { size: attrs.size });
    this.log.info({ 'activity-type': 'SETSTAT', path: this.files.realpath(path) }, 'setstat');
    this.sftp.status(id, STATUS_CODE.OK);
  }

  private async opendir(id: number, path: string): Promise<void> {
    const handle = await this.files.openDirectory(path);
    this.sftp.handle(id, this.addHandle(handle));
  }

  private async readdir(id: number, buf: Buffer): Promise<void> {
    const handle = this.handleOf(buf);
    if (!(handle instanceof DirectoryHandle)) throw invalidArgument('READDIR needs a folder handle');
    const entries = await handle.next();
    if (!entries) return this.sftp.status(id, STATUS_CODE.EOF);
    const names: FileEntry[] = entries.map((e) => {
      const attrs = attrsOf(e);
      return { filename: e.name, longname: longname(e.name, attrs, this.files.principal.username), attrs };
    });
    this.sftp.name(id, names);
  }

  private realpath(id: number, path: string): void {
    const resolved = this.files.realpath(path);
    this.sftp.name(id, [{ filename: resolved, longname: resolved, attrs: {} as Attributes }]);
  }

  /** Runs a change and logs it with its paths resolved in the jail, as OPEN and CLOSE log them. */
  private async mutate(id: number, activity: string, fields: Record<string, string>, fn: () => Promise<void>): Promise<void> {
    await fn();
    const resolved = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, this.files.realpath(v)]));
    this.log.info({ 'activity-type': activity, ...resolved }, activity.toLowerCase());
    this.sftp.status(id, STATUS_CODE.OK);
  }

  private rename(id: number, from: string, to: string, overwrite: boolean): Promise<void> {
    return this.mutate(id, 'RENAME', { path: from, 'new-path': to }, () => this.files.rename(from, to, overwrite));
  }

  private async extended(id: number, name: string, data: Buffer | undefined): Promise<void> {
    switch (name) {
      case EXT.posixRename: {
        const args = readStrings(data, 2);
        if (!args) throw invalidArgument(`malformed ${name} request`);
        return this.rename(id, args[0]!.toString('utf8'), args[1]!.toString('utf8'), true);
      }
      case EXT.statvfs: {
        const args = readStrings(data, 1);
        if (!args) throw invalidArgument(`malformed ${name} request`);
        return this.sftp.extendedReply(id, statvfsReply(await this.files.statfs(args[0]!.toString('utf8'))));
      }
      case EXT.fstatvfs: {
        const args = readStrings(data, 1);
        if (!args) throw invalidArgument(`malformed ${name} request`);
        this.handleOf(args[0]!);
        return this.sftp.extendedReply(id, statvfsReply(await this.files.statfs('/')));
      }
      case EXT.fsync: {
        const args = readStrings(data, 1);
        if (!args) throw invalidArgument(`malformed ${name} request`);
        const handle = this.handleOf(args[0]!);
        if (handle instanceof WriteHandle) await handle.sync();
        return this.sftp.status(id, STATUS_CODE.OK);
      }
      case EXT.limits:
        return this.sftp.extendedReply(id, limitsReply(this.options.maxOpenHandles, this.options.maxReadLength, this.options.maxWriteLength));
      default:
        this.sftp.status(id, STATUS_CODE.OP_UNSUPPORTED, `${name.slice(0, 64)} is not supported`);
    }
  }

  /** The channel closed: uploads without CLOSE are aborted (temp names keep their bytes). */
  private async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.nextRead();
    for (const handle of this.handles.values()) {
      if (handle instanceof WriteHandle) {
        this.log.info({ 'activity-type': 'PARTIAL_CLOSE', path: handle.path, 'bytes-in': handle.bytes, kept: handle.resumable }, 'upload ended without close');
      }
    }
    this.handles.clear();
    await this.files.end();
  }
}
