// The local SQLite database: one file in the data directory holding the directory and
// the pipeline's job queue. Schema changes are numbered migrations tracked in
// PRAGMA user_version. WAL with synchronous=NORMAL: a commit survives a killed
// process, but an OS crash or power loss can roll back what was committed since the
// last checkpoint. Where someone is told a change is done, the WAL is synced first
// (wal-sync.ts): the job queue after a storage event's enqueue, the admin API after a
// change (SqliteDirectory.syncWrites).
import { closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

export const MIGRATIONS: string[] = [
  // 1: the directory
  `CREATE TABLE organizations (id TEXT PRIMARY KEY, data TEXT NOT NULL);
   CREATE TABLE endpoints (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX endpoints_by_org ON endpoints (org_id, id);
   CREATE TABLE flows (id TEXT PRIMARY KEY, org_id TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX flows_by_org ON flows (org_id, id);
   CREATE TABLE flow_endpoints (id TEXT PRIMARY KEY, flow_id TEXT NOT NULL, endpoint_id TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX flow_endpoints_by_flow ON flow_endpoints (flow_id);
   CREATE INDEX flow_endpoints_by_endpoint ON flow_endpoints (endpoint_id);
   CREATE TABLE users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, flow_endpoint_id TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX users_by_flow_endpoint ON users (flow_endpoint_id, id);
   CREATE TABLE transfers (id TEXT PRIMARY KEY, flow_id TEXT NOT NULL, received_at TEXT NOT NULL, data TEXT NOT NULL);
   CREATE INDEX transfers_by_flow ON transfers (flow_id, received_at DESC, id DESC);`,
  // 2: the post-upload pipeline's job queue
  `CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_at INTEGER NOT NULL, running INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, payload TEXT NOT NULL);
   CREATE INDEX jobs_due ON jobs (running, run_at);`,
  // 3: the brute-force defence: bans and failed-login scores (src/adapters/local/sqlite-bans.ts)
  `CREATE TABLE bans (ip TEXT PRIMARY KEY, until TEXT NOT NULL, offences INTEGER NOT NULL, expires_at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE INDEX bans_by_until ON bans (until, ip);
   CREATE INDEX bans_expiry ON bans (expires_at);
   CREATE TABLE login_failures (ip TEXT NOT NULL, bucket INTEGER NOT NULL, points INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (ip, bucket)) WITHOUT ROWID;
   CREATE INDEX login_failures_expiry ON login_failures (expires_at);`,
];

/** Open (creating or migrating) a SQLite database; ':memory:' for tests. */
export function openDatabase(file: string): Database.Database {
  // A new database is made 0600 (SQLite gives its WAL and shared-memory files the same
  // mode): it holds password hashes and webhook secrets, as the host key file does. Only
  // when missing: closing a descriptor of a database would drop the POSIX locks this
  // process's other connections to it hold.
  if (file !== ':memory:' && !existsSync(file)) createEmpty(file);
  const db = new Database(file);
  // Every transaction here writes: they begin IMMEDIATE, taking the write lock up front,
  // because a deferred one that read first cannot upgrade once another process (an SFTP
  // worker) has written meanwhile: SQLite answers SQLITE_BUSY at once, without waiting.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the database ${file} was written by a newer thru-sftp (schema ${current}); upgrade thru-sftp`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
  cachePreparedStatements(db);
  return db;
}

/**
 * Preparing a statement costs more than running it (a third of the directory's CPU on
 * small uploads, measured): reuse one statement per SQL text. The adapters only call
 * run/get/all, never iterate(), so a statement is never busy when it is reused.
 */
function cachePreparedStatements(db: Database.Database): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  }) as typeof db.prepare;
}

function createEmpty(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // made meanwhile by another process
  }
}
