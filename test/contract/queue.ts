// The job queue contract (the pipeline's queue port): what every adapter promises the
// post-upload pipeline. At least once, never lost before a consumer is there, delays
// honoured, a failed job handed over again until it succeeds, and then no more.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, JobQueue } from '../../src/core/ports/queue.js';

export interface QueueUnderTest {
  queue: JobQueue;
  /** Hand jobs to this handler from now on; a throw means "not done: give it again". */
  consume(handler: (job: Job) => Promise<void>): void;
  /** Jobs waiting or being handled. */
  pending(): number;
  cleanup(): Promise<void>;
}

const event = (key: string) =>
  ({ name: 'ObjectCreated:Copy', key, size: 4, version: 'v1', at: '2026-11-26T00:00:00.000Z', renamedFrom: `${key}.filepart`, meta: { user: 'acme-ops' } }) as const;

export const JOBS: Job[] = [
  { kind: 'storage-event', event: event('fe-1/in/a.csv') },
  { kind: 'deliver', transferId: 'tr-1', deliveryId: 'dl-1' },
  { kind: 'trigger-recheck', event: event('fe-1/in/b.csv.trg'), flowEndpointId: 'fe-1', transferId: 'tr-2', attempt: 3 },
];

const deliver = (n: number): Job => ({ kind: 'deliver', transferId: `tr-${n}`, deliveryId: `dl-${n}` });

/** Resolves when `check` holds; fails the test with `what` when it never does. */
async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function queueContract(name: string, make: () => Promise<QueueUnderTest>): void {
  describe(`job queue contract: ${name}`, () => {
    let q: QueueUnderTest;
    beforeEach(async () => {
      q = await make();
    });
    afterEach(async () => {
      await q.cleanup();
    });

    it('hands every kind of job over as it was enqueued', async () => {
      const seen: Job[] = [];
      q.consume(async (job) => void seen.push(job));
      for (const job of JOBS) await q.queue.enqueue(job);
      await until(() => seen.length === JOBS.length, 'three jobs');
      expect(seen).toEqual(expect.arrayContaining(JOBS));
      await until(() => q.pending() === 0, 'an empty queue');
    });

    it('keeps jobs enqueued before any consumer is there', async () => {
      for (const job of JOBS) await q.queue.enqueue(job);
      await new Promise((r) => setTimeout(r, 100));
      expect(q.pending()).toBe(JOBS.length);
      const seen: Job[] = [];
      q.consume(async (job) => void seen.push(job));
      await until(() => seen.length === JOBS.length, 'the jobs enqueued earlier');
      expect(seen).toEqual(expect.arrayContaining(JOBS));
    });

    it('holds a delayed job for at least its delay, without holding the others back', async () => {
      const arrivals: { job: Job; at: number }[] = [];
      q.consume(async (job) => void arrivals.push({ job, at: Date.now() }));
      const enqueuedAt = Date.now();
      await q.queue.enqueue(deliver(1), { delaySeconds: 1 });
      await q.queue.enqueue(deliver(2));
      await until(() => arrivals.length === 2, 'both jobs');
      expect(arrivals.map((a) => a.job)).toEqual([deliver(2), deliver(1)]);
      // Timers may fire a millisecond early; the bound is the delay, not a speed.
      expect(arrivals[1]!.at - enqueuedAt).toBeGreaterThanOrEqual(990);
    });

    it('hands a failed job over again, and no more once it succeeded', async () => {
      const attempts: Job[] = [];
      q.consume(async (job) => {
        attempts.push(job);
        if (attempts.length === 1) throw new Error('the target is down');
      });
      await q.queue.enqueue(deliver(7));
      await until(() => attempts.length === 2, 'a second attempt');
      await until(() => q.pending() === 0, 'the job to leave the queue');
      expect(attempts).toEqual([deliver(7), deliver(7)]);
    });

    it('loses none of fifty jobs enqueued at once', async () => {
      const seen = new Set<string>();
      q.consume(async (job) => {
        if (job.kind === 'deliver') seen.add(job.deliveryId);
      });
      await Promise.all(Array.from({ length: 50 }, (_, i) => q.queue.enqueue(deliver(i))));
      await until(() => seen.size === 50, 'fifty jobs');
      await until(() => q.pending() === 0, 'an empty queue');
    });
  });
}
