// The job queue contract on the AWS side: the simulated SQS queue of `npm run sim`
// (redelivery after a visibility timeout, a dead-letter log), consumed through the
// post-upload Lambda's own batch handler; and SqsJobQueue, the adapter the Lambdas and
// the Fargate tasks use, over SQS's wire protocol into that queue.
import { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsJobQueue } from '../../src/adapters/aws/sqs-queue.js';
import { createPostUploadBatchHandler } from '../../src/aws/post-upload-batch.js';
import type { Job, JobQueue } from '../../src/core/ports/queue.js';
import { createLogger } from '../../src/log.js';
import { SimSqsQueue } from '../../src/runtime/sim-queue.js';
import { startSqsWire } from '../support/sqs-wire.js';
import { queueContract, type QueueUnderTest } from './queue.js';

const log = createLogger('silent');

function simulated(sim: SimSqsQueue, queue: JobQueue, cleanup: () => Promise<void>): QueueUnderTest {
  return {
    queue,
    consume: (handle) => sim.consume(createPostUploadBatchHandler({ translate: async () => undefined, handle, log })),
    pending: () => sim.pending,
    cleanup,
  };
}

const simOptions = { visibilityTimeoutMs: 200, maxReceives: 5 };

queueContract('SQS (simulated)', async () => {
  const sim = new SimSqsQueue(log, simOptions);
  return simulated(sim, sim, () => sim.stop());
});

const sqsClient = (endpoint: string) =>
  new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });

queueContract('SQS (SqsJobQueue over the wire)', async () => {
  const sim = new SimSqsQueue(log, simOptions);
  const wire = await startSqsWire((body, delay) => sim.send(body, delay));
  const client = sqsClient(wire.endpoint);
  return simulated(sim, new SqsJobQueue(client, wire.queueUrl), async () => {
    client.destroy();
    await sim.stop();
    await wire.stop();
  });
});

describe('SqsJobQueue on the wire', () => {
  it('sends the job as JSON to its queue, with the delay rounded up and capped at SQS\'s 900 s', async () => {
    const wire = await startSqsWire(() => {});
    const client = sqsClient(wire.endpoint);
    try {
      const queue = new SqsJobQueue(client, wire.queueUrl);
      const job: Job = { kind: 'deliver', transferId: 'tr-1', deliveryId: 'dl-1' };
      await queue.enqueue(job);
      await queue.enqueue(job, { delaySeconds: 2.2 });
      await queue.enqueue(job, { delaySeconds: 3600 });
      expect(wire.sent.map((m) => [m.QueueUrl, JSON.parse(m.MessageBody) as unknown, m.DelaySeconds])).toEqual([
        [wire.queueUrl, job, 0],
        [wire.queueUrl, job, 3],
        [wire.queueUrl, job, 900],
      ]);
    } finally {
      client.destroy();
      await wire.stop();
    }
  });
});
