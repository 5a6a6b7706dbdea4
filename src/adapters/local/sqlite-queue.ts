// The pipeline's job queue in SQLite: durable, at-least-once, with delays. A job is
// deleted only after its handler succeeded; jobs a killed process was running are
// picked up again at the next start. A job that keeps failing (a bug, not a delivery
// error: the pipeline records those itself) is set aside after MAX_ATTEMPTS.
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
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly log: Log,
  ) {}

  async enqueue(job: Job, options: EnqueueOptions = {}): Promise<void> {
    const runAt = Date.now() + Math.max(0, options.delaySeconds ?? 0) * 1000;
    this.db.prepare('INSERT INTO jobs (run_at, payload) VALUES (?, ?)').run(runAt, JSON.stringify(job));
    if (!options.delaySeconds) this.pump();
    else this.schedule();
  }

  /** Start working; jobs a previous process left running are taken up again. */
  start(handler: JobHandler, options: { concurrency: number }): void {
    this.db.prepare('UPDATE jobs SET running = 0 WHERE running = 1').run();
    this.handler = handler;
    this.concurrency = options.concurrency;
    this.pump();
  }

  /** Stop taking jobs and wait for the running ones. */
  async stop(): Promise<void> {
    this.handler = undefined;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inflight]);
  }

  /** Look for jobs again: another process (an SFTP worker) has added some. */
  poke(): void {
    this.pump();
  }

  /** Jobs waiting or running (tests and health). */
  pending(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE running < ${SET_ASIDE}`).get() as { n: number }).n;
  }

  private claim(): Row | undefined {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT id, payload, attempts FROM jobs WHERE running = 0 AND run_at <= ? ORDER BY run_at, id LIMIT 1').get(Date.now()) as Row | undefined;
      if (row) this.db.prepare('UPDATE jobs SET running = 1 WHERE id = ?').run(row.id);
      return row;
    }).immediate();
  }

  private pump(): void {
    while (this.handler && this.inflight.size < this.concurrency) {
      let row: Row | undefined;
      try {
        row = this.claim();
      } catch (err) {
        // The database is busy past its timeout (or worse): try again shortly, stay up.
        this.log.error({ err }, 'cannot take a job from the queue; trying again in a second');
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.pump(), 1000);
        this.timer.unref();
        return;
      }
      if (!row) break;
      const p = this.run(this.handler, row).finally(() => {
        this.inflight.delete(p);
        this.pump();
      });
      this.inflight.add(p);
    }
    this.schedule();
  }

  /** Wake up when the next delayed job is due. */
  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.handler) return;
    const next = this.db.prepare('SELECT MIN(run_at) AS at FROM jobs WHERE running = 0').get() as { at: number | null };
    if (next.at === null) return;
    this.timer = setTimeout(() => this.pump(), Math.max(0, next.at - Date.now()) + 5);
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
      this.log.error({ err, jobId: row.id, attempts, retryInMs: delayMs }, 'job failed; will run again');
    }
  }
}
