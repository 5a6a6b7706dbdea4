// The job queue contract against SQLite (the local runtime's queue), and what only a
// durable local queue promises: jobs outlive the process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { SqliteJobQueue } from '../../src/adapters/local/sqlite-queue.js';
import { openDatabase } from '../../src/adapters/local/sqlite.js';
import type { Job } from '../../src/core/ports/queue.js';
import { createLogger } from '../../src/log.js';
import { JOBS, queueContract } from './queue.js';

const log = createLogger('silent');

queueContract('SQLite', async () => {
  const db = openDatabase(':memory:');
  const queue = new SqliteJobQueue(db, log);
  return {
    queue,
    consume: (handler) => queue.start(handler, { concurrency: 4 }),
    pending: () => queue.pending(),
    async cleanup() {
      await queue.stop();
      db.close();
    },
  };
});

describe('SQLite job queue across restarts', () => {
  it('runs at the next start the jobs a stopped or killed process left, including one it was running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'thru-queue-'));
    try {
      const file = join(dir, 'thru.db');
      const first = openDatabase(file);
      const before = new SqliteJobQueue(first, log);
      let started = false;
      before.start(async () => {
        started = true;
        await new Promise(() => {}); // the process "dies" while this job runs
      }, { concurrency: 1 });
      await before.enqueue(JOBS[0]!);
      await before.enqueue(JOBS[1]!, { delaySeconds: 3600 });
      await expect.poll(() => started).toBe(true);
      first.close(); // no stop(), no DELETE: as if the process had been killed

      const second = openDatabase(file);
      const after = new SqliteJobQueue(second, log);
      expect(after.pending()).toBe(2);
      const seen: Job[] = [];
      after.start(async (job) => void seen.push(job), { concurrency: 1 });
      await expect.poll(() => seen).toEqual([JOBS[0]]);
      expect(after.pending()).toBe(1); // the delayed one still waits its hour
      await after.stop();
      second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite job queue under a busy database', () => {
  it('waits and takes the job when another process held the write lock past the busy timeout, instead of throwing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'thru-queue-busy-'));
    const file = join(dir, 'thru.db');
    const db = openDatabase(file);
    const other = openDatabase(file); // another process: an SFTP worker
    const queue = new SqliteJobQueue(db, log);
    try {
      db.pragma('busy_timeout = 50');
      const seen: Job[] = [];
      queue.start(async (job) => void seen.push(job), { concurrency: 1 });
      // The worker queues a job, then holds the write lock while it tells us to look.
      await new SqliteJobQueue(other, log).enqueue(JOBS[1]!);
      other.exec('BEGIN IMMEDIATE');
      expect(() => queue.poke()).not.toThrow();
      other.exec('COMMIT');
      await expect.poll(() => seen, { timeout: 5_000 }).toEqual([JOBS[1]]);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      await queue.stop();
      other.close();
      db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite job queue claims', () => {
  it('never hands a job over again while its handler is still running, however often the queue is woken', async () => {
    const db = openDatabase(':memory:');
    const queue = new SqliteJobQueue(db, log);
    const calls = new Map<string, number>();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    try {
      queue.start(async (job) => {
        const id = job.kind === 'deliver' ? job.transferId : job.kind;
        calls.set(id, (calls.get(id) ?? 0) + 1);
        if (id === 'tr-slow') await held;
      }, { concurrency: 4 });
      await queue.enqueue({ kind: 'deliver', transferId: 'tr-slow', deliveryId: 'dl-slow' });
      await expect.poll(() => calls.get('tr-slow')).toBe(1);
      for (let i = 0; i < 20; i++) {
        await queue.enqueue({ kind: 'deliver', transferId: `tr-${i}`, deliveryId: `dl-${i}` });
        queue.poke();
        await new Promise((r) => setImmediate(r));
      }
      await expect.poll(() => calls.size).toBe(21);
      expect(calls.get('tr-slow')).toBe(1);
      expect(queue.pending()).toBe(1);
      release();
      await expect.poll(() => queue.pending()).toBe(0);
      expect([...calls.values()].every((n) => n === 1)).toBe(true);
    } finally {
      release();
      await queue.stop();
      db.close();
    }
  });
});

describe('SQLite job queue costs', () => {
  it('hands a job it added to its handler without reading the table, and deletes its row with the next enqueue', async () => {
    const db = openDatabase(':memory:');
    const queue = new SqliteJobQueue(db, log);
    const prepared = vi.spyOn(db, 'prepare');
    const rows = () => (db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n;
    const seen: Job[] = [];
    try {
      queue.start(async (job) => void seen.push(job), { concurrency: 4 });
      await new Promise((r) => setImmediate(r)); // the start's look at the table
      prepared.mockClear();
      for (let i = 0; i < 20; i++) {
        await queue.enqueue({ kind: 'deliver', transferId: `tr-${i}`, deliveryId: `dl-${i}` });
        await expect.poll(() => seen.length).toBe(i + 1);
        // The finished job's row waits for the next enqueue: the one just done, no more.
        expect(rows()).toBe(1);
      }
      const sql = prepared.mock.calls.map(([text]) => text);
      expect(sql.filter((s) => s.startsWith('SELECT id, payload'))).toEqual([]);
      expect(sql.filter((s) => s.startsWith('INSERT INTO jobs'))).toHaveLength(20);
      // With no enqueue to go with, the last row goes by itself shortly.
      await expect.poll(rows).toBe(0);
    } finally {
      await queue.stop();
      db.close();
    }
  });

  it('runs a finished job once more when the process is killed before its row is deleted (at least once)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'thru-queue-kill-'));
    try {
      const file = join(dir, 'thru.db');
      const first = openDatabase(file);
      const before = new SqliteJobQueue(first, log);
      const seen: Job[] = [];
      before.start(async (job) => void seen.push(job), { concurrency: 1 });
      await before.enqueue(JOBS[1]!);
      await expect.poll(() => seen.length).toBe(1);
      first.close(); // killed: no stop(), and the row's deletion had not come yet

      const second = openDatabase(file);
      const after = new SqliteJobQueue(second, log);
      after.start(async (job) => void seen.push(job), { concurrency: 1 });
      await expect.poll(() => seen).toEqual([JOBS[1], JOBS[1]]);
      await after.stop();
      expect(after.pending()).toBe(0);
      second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never runs a finished job again when the enqueue that was to delete its row fails', async () => {
    const db = openDatabase(':memory:');
    const queue = new SqliteJobQueue(db, log);
    const seen: string[] = [];
    let firstDone!: () => void;
    const first = new Promise<void>((r) => (firstDone = r));
    try {
      queue.start(async (job) => {
        seen.push(job.kind === 'deliver' ? job.transferId : job.kind);
        firstDone();
      }, { concurrency: 1 });
      await queue.enqueue({ kind: 'deliver', transferId: 'first', deliveryId: 'dl-1' });
      await first;
      await new Promise((r) => setImmediate(r)); // finished; its row waits for the next enqueue
      // A full disk, as SQLite sees one: the next job's row needs pages there are none of.
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
      await expect(queue.enqueue({ kind: 'deliver', transferId: 'x'.repeat(50_000), deliveryId: 'dl-2' })).rejects.toMatchObject({ code: 'SQLITE_FULL' });
      db.pragma('max_page_count = 1073741823');
      queue.poke(); // the table is read again: the first job's row is still there
      await new Promise((r) => setTimeout(r, 200));
      expect(seen).toEqual(['first']);
      expect(queue.pending()).toBe(0);
    } finally {
      await queue.stop();
      db.close();
    }
  });

  it('still takes a job another process added while its own keep coming', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'thru-queue-mixed-'));
    const file = join(dir, 'thru.db');
    const db = openDatabase(file);
    const other = openDatabase(file); // an SFTP worker
    const queue = new SqliteJobQueue(db, log);
    const seen: string[] = [];
    try {
      queue.start(async (job) => void seen.push(job.kind === 'deliver' ? job.transferId : job.kind), { concurrency: 1 });
      await queue.enqueue({ kind: 'deliver', transferId: 'own-0', deliveryId: 'dl-0' });
      await new SqliteJobQueue(other, log).enqueue({ kind: 'deliver', transferId: 'worker', deliveryId: 'dl-w' });
      queue.poke();
      for (let i = 1; i < 5; i++) await queue.enqueue({ kind: 'deliver', transferId: `own-${i}`, deliveryId: `dl-${i}` });
      await expect.poll(() => seen.length).toBe(6);
      expect(seen.sort()).toEqual(['own-0', 'own-1', 'own-2', 'own-3', 'own-4', 'worker']);
      expect(queue.pending()).toBe(0);
    } finally {
      await queue.stop();
      other.close();
      db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
