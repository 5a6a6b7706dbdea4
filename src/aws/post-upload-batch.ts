// An SQS batch for the post-upload Lambda: each message is either S3's event
// notification (one or more records) or one of the pipeline's own jobs (deliveries,
// retries). Failures are reported per message (ReportBatchItemFailures), so one bad
// record does not send the whole batch back; SQS's redrive policy moves a message that
// keeps failing to the dead-letter queue.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import type { Log } from '../core/ports/logger.js';
import type { Job } from '../core/ports/queue.js';
import type { StorageEvent } from '../core/ports/storage.js';

const S3Record = z.object({
  eventName: z.string(),
  eventTime: z.string().optional(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string(), size: z.number().optional(), eTag: z.string().optional(), versionId: z.string().optional(), sequencer: z.string().optional() }),
  }),
});
export type S3Record = z.infer<typeof S3Record>;

const S3Notification = z.object({ Records: z.array(S3Record) });
const S3TestEvent = z.object({ Event: z.literal('s3:TestEvent') });

const StorageEventSchema = z.object({
  name: z.enum(['ObjectCreated:Put', 'ObjectCreated:Copy', 'ObjectCreated:CompleteMultipartUpload', 'ObjectRemoved:Delete']),
  key: z.string(),
  size: z.number(),
  version: z.string(),
  at: z.string(),
  renamedFrom: z.string().optional(),
  meta: z.object({ user: z.string().optional(), sourceIp: z.string().optional() }).optional(),
});
const JobSchema: z.ZodType<Job> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('storage-event'), event: StorageEventSchema }),
  z.object({ kind: z.literal('deliver'), transferId: z.string(), deliveryId: z.string() }),
  z.object({ kind: z.literal('trigger-recheck'), event: StorageEventSchema, flowEndpointId: z.string(), transferId: z.string(), attempt: z.number().int() }),
]);

export interface PostUploadBatchDeps {
  /** An S3 record as the core's event (metadata read from the object), or undefined to skip it. */
  translate(record: S3Record): Promise<StorageEvent | undefined>;
  handle(job: Job): Promise<void>;
  log: Log;
}

export function createPostUploadBatchHandler(deps: PostUploadBatchDeps): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const processMessage = async (body: string): Promise<void> => {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      deps.log.error({ body: body.slice(0, 200) }, 'a message that is not JSON was dropped');
      return;
    }
    if (S3TestEvent.safeParse(json).success) return;
    const notification = S3Notification.safeParse(json);
    if (notification.success) {
      for (const record of notification.data.Records) {
        const event = await deps.translate(record);
        if (event) await deps.handle({ kind: 'storage-event', event });
      }
      return;
    }
    const job = JobSchema.safeParse(json);
    if (!job.success) {
      // Retrying cannot fix it: drop it loudly instead of feeding the dead-letter queue.
      deps.log.error({ body: body.slice(0, 200) }, 'an unknown message was dropped');
      return;
    }
    await deps.handle(job.data);
  };

  return async (event) => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      try {
        await processMessage(message.body);
      } catch (err) {
        deps.log.error({ err, messageId: message.messageId }, 'message failed; SQS will deliver it again');
        batchItemFailures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures };
  };
}
