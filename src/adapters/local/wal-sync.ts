// Makes SQLite's commits so far survive a power loss, off the event loop.
//
// The database runs WAL with synchronous=NORMAL: a commit is written to the WAL file but
// synced only at the next checkpoint, so an OS crash can roll back what was committed
// since (up to the kernel's writeback delay, ~30 s). For most rows that is acceptable;
// not for a storage event whose upload's CLOSE was answered: the file would be there and
// never delivered; nor for an admin's change the API answered. synchronous=FULL would
// fsync inside better-sqlite3's synchronous commit, holding the event loop for every
// session. Instead, an fdatasync of the WAL file runs in the thread pool after the
// commit (a descriptor of our own flushes the same file's pages), while the upload's
// folder fsync runs too. Calls that arrive while one runs share the next: one fdatasync
// covers every commit before it started, whoever made it: hence one per connection.
import { closeSync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { dataSync } from './fs-sync.js';

const ofConnection = new WeakMap<Database.Database, WalSync>();

/**
 * The WalSync of a connection's database, one per connection; none for an in-memory
 * database or one not in WAL mode (SQLite then syncs its rollback journal at commit).
 */
export function walSyncOf(db: Database.Database): WalSync | undefined {
  let sync = ofConnection.get(db);
  if (!sync && !db.memory && db.pragma('journal_mode', { simple: true }) === 'wal') ofConnection.set(db, (sync = new WalSync(db.name)));
  return sync;
}

export class WalSync {
  private fd: number | undefined;
  private current: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** Set when an fdatasync failed: Linux reports a writeback error to one call only. */
  private broken: Error | undefined;

  /** `databaseFile`: the SQLite database in WAL mode; its WAL is `<file>-wal`. */
  constructor(private readonly databaseFile: string) {}

  /** Why syncs are refused, once one failed. */
  get failure(): Error | undefined {
    return this.broken;
  }

  /** Resolves once every commit made before the call is on disk. */
  sync(): Promise<void> {
    if (!this.current) return this.start();
    // The sync under way may have started before the caller's commit: wait for the next.
    this.queued ??= this.current
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.start();
      });
    return this.queued;
  }

  /** Close the WAL's descriptor once no sync uses it (a later sync opens it again). */
  async close(): Promise<void> {
    while (this.current || this.queued) await (this.queued ?? this.current)!.catch(() => undefined);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private start(): Promise<void> {
    const p = this.flush().finally(() => {
      if (this.current === p) this.current = undefined;
    });
    this.current = p;
    return p;
  }

  private async flush(): Promise<void> {
    if (this.broken) throw this.broken;
    // Opened at the first sync: the WAL exists once something was committed. SQLite keeps
    // the file (it rewrites it from the start after a checkpoint) while a connection is open.
    this.fd ??= openSync(`${this.databaseFile}-wal`, 'r');
    try {
      await dataSync(this.fd);
    } catch (err) {
      this.broken = new Error(
        `syncing ${this.databaseFile}-wal failed (${(err as NodeJS.ErrnoException).code ?? String(err)}), so commits since the last sync may be lost; a later sync could succeed over the lost pages, so none is trusted until thru-sftp restarts: check the disk`,
        { cause: err },
      );
      throw this.broken;
    }
  }
}
