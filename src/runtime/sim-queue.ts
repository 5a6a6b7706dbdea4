// SQS in one process, for `npm run sim`: messages (S3's notifications and the
// pipeline's jobs) go to the post-upload Lambda handler as SQS batches of one, with
// delays, redelivery of failed messages after a visibility timeout, and a dead-letter
// log after the last receive, as the CDK app configures the real queue.
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { EnqueueOptions, Job, JobQueue } from '../core/ports/queue.js';
import type { Log } from '../core/ports/logger.js';
import { MAX_SQS_DELAY_SECONDS } from '../adapters/aws/sqs-queue.js';

export interface SimQueueOptions {
  visibilityTimeoutMs: number;
  maxReceives: number;
}

interface Message {
  id: string;
  body: string;
  receives: number;
}

export class SimSqsQueue implements JobQueue {
  private handler: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<Promise<void>>();
  private waiting = 0;
  /** Messages due before any consumer was there: SQS keeps them until one polls. */
  private parked: Message[] = [];

  constructor(
    private readonly log: Log,
    private readonly options: SimQueueOptions = { visibilityTimeoutMs: 5_000, maxReceives: 5 },
  ) {}

  /** The consumer: the post-upload Lambda handler. */
  consume(handler: (event: SQSEvent) => Promise<SQSBatchResponse>): void {
    this.handler = handler;
    const parked = this.parked;
    this.parked = [];
    this.waiting -= parked.length;
    for (const message of parked) this.schedule(message, 0);
  }

  async enqueue(job: Job, options: EnqueueOptions = {}): Promise<void> {
    this.send(JSON.stringify(job), Math.min(MAX_SQS_DELAY_SECONDS, Math.ceil(options.delaySeconds ?? 0)));
  }

  /** A raw message body (S3's notifications). */
  send(body: string, delaySeconds = 0): void {
    this.schedule({ id: randomUUID(), body, receives: 0 }, delaySeconds * 1000);
  }

  /** Messages waiting or being handled. */
  get pending(): number {
    return this.waiting + this.inflight.size;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiting = 0;
    this.parked = [];
    this.handler = undefined;
    await Promise.allSettled([...this.inflight]);
  }

  private schedule(message: Message, delayMs: number): void {
    this.waiting += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.waiting -= 1;
      const p = this.deliver(message).finally(() => this.inflight.delete(p));
      this.inflight.add(p);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private async deliver(message: Message): Promise<void> {
    if (!this.handler) {
      this.parked.push(message);
      this.waiting += 1;
      return;
    }
    const receives = message.receives + 1;
    const record = {
      messageId: message.id,
      receiptHandle: message.id,
      body: message.body,
      attributes: { ApproximateReceiveCount: String(receives) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:sim:000000000000:thru-sim',
      awsRegion: 'sim',
    } as unknown as SQSRecord;
    let failed: boolean;
    try {
      failed = (await this.handler({ Records: [record] })).batchItemFailures.length > 0;
    } catch (err) {
      this.log.error({ err }, 'the post-upload handler threw');
      failed = true;
    }
    if (!failed) return;
    if (receives >= this.options.maxReceives) {
      this.log.error({ messageId: message.id, body: message.body.slice(0, 300), receives }, 'message moved to the dead-letter queue');
      return;
    }
    this.schedule({ ...message, receives }, this.options.visibilityTimeoutMs);
  }
}
