// The pipeline's job queue on AWS: the SQS queue that S3 also notifies. SQS delays are
// at most 900 s; a job due later arrives early and the pipeline puts it back with the
// remaining delay (see PostUploadPipeline.deliver).
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EnqueueOptions, Job, JobQueue } from '../../core/ports/queue.js';

export const MAX_SQS_DELAY_SECONDS = 900;

export class SqsJobQueue implements JobQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(job: Job, options: EnqueueOptions = {}): Promise<void> {
    const delay = Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.ceil(options.delaySeconds ?? 0)));
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(job), DelaySeconds: delay }));
  }
}
