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
import type Database from 'better-sqlite3';
import type { EnqueueOptions, Job, JobQueue } from '../../core/ports/queue.js';
import type { Log } from '../../core/ports/logger.js';

const MAX_ATTEMPTS = 20;
const SET_ASIDE = 2;

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
  private timer: NodeJS.Timeout | undefined;
  private wake: NodeJS.Immediate | undefined;
  /** Due jobs may exist that no claim has seen: saves an empty look after every job. */
  private unseen = true;

  constructor(
    private readonly db: Database.Database,
    private readonly log: Log,
  ) {}

  async enqueue(job: Job, options: EnqueueOptions = {}): Promise<void> {
    const runAt = Date.now() + Math.max(0, options.delaySeconds ?? 0) * 1000;
    this.db.prepare('INSERT INTO jobs (run_at, payload) VALUES (?, ?)').run(runAt, JSON.stringify(job));
    if (!options.delaySeconds) this.pumpSoon();
    else this.schedule();
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
    clearTimeout(this.timer);
    clearImmediate(this.wake);
    this.wake = undefined;
    await Promise.allSettled([...this.inflight]);
  }

  /** Look for jobs again: another process (an SFTP worker) has added some. */
  poke(): void {
    this.pumpSoon();
  }

  /** Jobs waiting or running (tests and health). */
  pending(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE running < ${SET_ASIDE}`).get() as { n: number }).n;
  }

  /** Due jobs not running yet, oldest first, at most `n`. */
  private claim(n: number): Row[] {
    const rows = this.db
      .prepare('SELECT id, payload, attempts FROM jobs WHERE running = 0 AND run_at <= ? ORDER BY run_at, id LIMIT ?')
      .all(Date.now(), n + this.running.size) as Row[];
    return rows.filter((r) => !this.running.has(r.id)).slice(0, n);
  }

  private pumpSoon(): void {
    this.unseen = true;
    this.wake ??= setImmediate(() => {
      this.wake = undefined;
      this.pump();
    });
  }

  private pump(): void {
    const free = this.concurrency - this.inflight.size;
    if (!this.handler || free <= 0 || !this.unseen) return;
    let rows: Row[];
    try {
      rows = this.claim(free);
      // Fewer than asked for: every due job is running now, until one is added or comes due.
      this.unseen = rows.length === free;
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
      this.db.prepare('DELETE FROM jobs WHERE id = ?').run(row.id);
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
