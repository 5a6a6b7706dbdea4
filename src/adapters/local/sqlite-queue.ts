// The pipeline's job queue in SQLite: durable, at-least-once, with delays. A job is
// deleted only after its handler succeeded; jobs a killed process was running are
// picked up again at the next start. A job that keeps failing (a bug, not a delivery
// error: the pipeline records those itself) is set aside after MAX_ATTEMPTS.
//
// One process works the queue (SFTP workers only add to it), so which jobs are running
// is kept in memory: claiming writes nothing, and a killed process's jobs are simply
// due again. New jobs are taken up on the next turn of the event loop, not inside
// enqueue: the storage event of a small upload is queued while its CLOSE is being
// answered, and the pipeline's work must not hold that answer back.
//
// A small upload costs the queue one write transaction, not three (measured with 2000
// small files: ~60 µs each on the event loop): a job this process adds and works is
// handed to its handler from memory, without a SELECT to find it again, and a finished
// job's row is deleted in the next enqueue's transaction (or within DELETE_DELAY_MS).
// A process killed in between runs that job once more, which at-least-once allows.
//
// A commit survives a killed process; an OS crash or power loss can roll back the last
// ones (synchronous=NORMAL, see sqlite.ts). enqueueDurably also waits for the WAL to be
// on disk (wal-sync.ts): for a job someone outside was told about, a storage event
// whose CLOSE is answered next. Jobs that jobs add need not wait: their parent's row is
// deleted by a later commit to the same WAL, which a crash rolls back first, so the
// parent runs again.
import type Database from 'better-sqlite3';
import type { EnqueueOptions, Job, JobQueue } from '../../core/ports/queue.js';
import type { Log } from '../../core/ports/logger.js';
import { walSyncOf, type WalSync } from './wal-sync.js';

const MAX_ATTEMPTS = 20;
const SET_ASIDE = 2;
/** How long a finished job's row may wait for an enqueue to delete it with. */
const DELETE_DELAY_MS = 100;
/** Jobs kept in memory for the handler; past that they wait in the table alone. */
const MAX_HANDED = 1000;

export type JobHandler = (job: Job) => Promise<void>;

interface Row {
  id: number;
  payload: string;
  attempts: number;
}

export class SqliteJobQueue implements JobQueue {
  private handler: JobHandler | undefined;
  private concurrency = 1;
  private readonly inflight = new Set<Promise<void>>();
  /** Ids of the jobs in `inflight`. */
  private readonly running = new Set<number>();
  /** Due jobs this process added, for its handler, not running yet (oldest first). */
  private readonly handed = new Map<number, Row>();
  /** Ids of jobs that succeeded whose rows are still to be deleted. */
  private finished: number[] = [];
  private deleteTimer: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: NodeJS.Immediate | undefined;
  /** Due jobs may exist in the table that no claim has seen: saves an empty look after every job. */
  private unseen = true;

  /** For enqueueDurably; none for an in-memory database or one not in WAL mode. */
  private readonly walSync: WalSync | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly log: Log,
  ) {
    this.walSync = walSyncOf(db);
  }

  async enqueue(job: Job, options: EnqueueOptions = {}): Promise<void> {
    const runAt = Date.now() + Math.max(0, options.delaySeconds ?? 0) * 1000;
    const payload = JSON.stringify(job);
    const id = this.db.transaction(() => {
      this.deleteRows(this.finished);
      return Number(this.db.prepare('INSERT INTO jobs (run_at, payload) VALUES (?, ?)').run(runAt, payload).lastInsertRowid);
    }).immediate();
    this.forgetFinished();
    if (options.delaySeconds) this.schedule();
    else {
      if (this.handler && this.handed.size < MAX_HANDED) this.handed.set(id, { id, payload, attempts: 0 });
      else this.unseen = true;
      this.pumpSoon();
    }
  }

  /** enqueue, resolving once the job is on disk, power loss included. */
  async enqueueDurably(job: Job): Promise<void> {
    await this.enqueue(job);
    await this.walSync?.sync();
  }

  /** Start working; jobs a previous process left running are taken up again. */
  start(handler: JobHandler, options: { concurrency: number }): void {
    // Running = 1 was how earlier versions marked a claim in the database.
    this.db.prepare('UPDATE jobs SET running = 0 WHERE running = 1').run();
    this.handler = handler;
    this.concurrency = options.concurrency;
    this.pumpAndSchedule();
  }

  /** Stop taking jobs and wait for the running ones. */
  async stop(): Promise<void> {
    this.handler = undefined;
    this.handed.clear();
    clearTimeout(this.timer);
    clearImmediate(this.wake);
    this.wake = undefined;
    await Promise.allSettled([...this.inflight]);
    this.flushFinished();
    await this.walSync?.close();
  }

  /** Look for jobs again: another process (an SFTP worker) has added some. */
  poke(): void {
    this.unseen = true;
    this.pumpSoon();
  }

  /** Jobs waiting or running (tests and health). */
  pending(): number {
    this.flushFinished();
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE running < ${SET_ASIDE}`).get() as { n: number }).n;
  }

  /**
   * Due jobs not running yet, oldest first, at most `n`. The table is read only when it
   * may hold due jobs this process was not handed (at start, after a poke, when one comes
   * due); otherwise the handed ones are all there is.
   */
  private claim(n: number): Row[] {
    let rows: Row[];
    if (this.unseen) {
      const skip = new Set([...this.running, ...this.finished]);
      const found = this.db
        .prepare('SELECT id, payload, attempts FROM jobs WHERE running = 0 AND run_at <= ? ORDER BY run_at, id LIMIT ?')
        .all(Date.now(), n + skip.size) as Row[];
      rows = found.filter((r) => !skip.has(r.id)).slice(0, n);
      // Fewer than asked for: every due job is running now (handed ones included: they
      // are in the table), until one is added or comes due.
      this.unseen = rows.length === n;
    } else {
      rows = [];
      for (const row of this.handed.values()) {
        if (rows.length === n) break;
        rows.push(row);
      }
    }
    for (const r of rows) this.handed.delete(r.id);
    return rows;
  }

  private deleteRows(ids: readonly number[]): void {
    const del = this.db.prepare('DELETE FROM jobs WHERE id = ?');
    for (const id of ids) del.run(id);
  }

  /** The finished jobs' rows are deleted (committed): they need no more excluding. */
  private forgetFinished(): void {
    this.finished = [];
    clearTimeout(this.deleteTimer);
    this.deleteTimer = undefined;
  }

  private flushFinished(): void {
    if (this.finished.length === 0) return;
    try {
      this.db.transaction(() => this.deleteRows(this.finished)).immediate();
      this.forgetFinished();
    } catch (err) {
      // Busy past its timeout: the jobs stay finished in memory (never handed over again)
      // and their rows go with the next enqueue or the next try.
      this.log.error({ err }, 'cannot delete finished jobs; trying again shortly');
      clearTimeout(this.deleteTimer);
      this.deleteTimer = setTimeout(() => this.flushFinished(), DELETE_DELAY_MS).unref();
    }
  }

  private pumpSoon(): void {
    this.wake ??= setImmediate(() => {
      this.wake = undefined;
      this.pump();
    });
  }

  private pump(): void {
    const free = this.concurrency - this.inflight.size;
    if (!this.handler || free <= 0 || (!this.unseen && this.handed.size === 0)) return;
    let rows: Row[];
    try {
      rows = this.claim(free);
    } catch (err) {
      // The database is busy past its timeout (or worse): try again shortly, stay up.
      this.log.error({ err }, 'cannot take a job from the queue; trying again in a second');
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.pumpAndSchedule(), 1000);
      this.timer.unref();
      return;
    }
    for (const row of rows) {
      this.running.add(row.id);
      const p = this.run(this.handler, row).finally(() => {
        this.inflight.delete(p);
        this.running.delete(row.id);
        this.pump();
      });
      this.inflight.add(p);
    }
  }

  private pumpAndSchedule(): void {
    this.unseen = true;
    this.pump();
    this.schedule();
  }

  /**
   * Wake up when the next delayed job is due. Due ones are taken when a running job ends;
   * only this process adds delayed jobs, so this runs when it does, not on every pump.
   */
  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.handler) return;
    const next = this.db.prepare('SELECT MIN(run_at) AS at FROM jobs WHERE running = 0 AND run_at > ?').get(Date.now()) as { at: number | null };
    if (next.at === null) return;
    this.timer = setTimeout(() => this.pumpAndSchedule(), Math.max(0, next.at - Date.now()) + 5);
    this.timer.unref();
  }

  private async run(handler: JobHandler, row: Row): Promise<void> {
    try {
      await handler(JSON.parse(row.payload) as Job);
      this.finished.push(row.id);
      this.deleteTimer ??= setTimeout(() => this.flushFinished(), DELETE_DELAY_MS).unref();
      return;
    } catch (err) {
      const attempts = row.attempts + 1;
      if (attempts >= MAX_ATTEMPTS) {
        this.db.prepare(`UPDATE jobs SET running = ${SET_ASIDE}, attempts = ? WHERE id = ?`).run(attempts, row.id);
        this.log.error({ err, jobId: row.id, attempts }, 'job keeps failing; set aside');
        return;
      }
      const delayMs = Math.min(60_000, 1000 * 2 ** attempts);
      this.db.prepare('UPDATE jobs SET running = 0, attempts = ?, run_at = ? WHERE id = ?').run(attempts, Date.now() + delayMs, row.id);
      this.schedule();
      this.log.error({ err, jobId: row.id, attempts, retryInMs: delayMs }, 'job failed; will run again');
    }
  }
}
