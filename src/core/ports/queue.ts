// The job queue port of the post-upload pipeline: durable, at-least-once, with delays.
// Locally a table in SQLite; on AWS the SQS queue that also carries S3's events.
import type { StorageEvent } from './storage.js';

export type Job =
  /** Something happened in storage: find out whether a file is complete. */
  | { kind: 'storage-event'; event: StorageEvent }
  /** Deliver one transfer to one target. */
  | { kind: 'deliver'; transferId: string; deliveryId: string }
  /** A per-file trigger is waiting for its data file: look again. */
  | { kind: 'trigger-recheck'; event: StorageEvent; flowEndpointId: string; transferId: string; attempt: number };

export interface EnqueueOptions {
  /** Not before this many seconds (at most 900 on SQS). */
  delaySeconds?: number;
}

export interface JobQueue {
  enqueue(job: Job, options?: EnqueueOptions): Promise<void>;
}
