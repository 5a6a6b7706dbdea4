// Composition of the AWS runtime: files in S3, tenancy in DynamoDB, logins through the
// identity Lambda, the pipeline's jobs on SQS. The three Lambda handlers, the Fargate
// front end (aws-front-end.ts) and `npm run sim` build their pieces here and in
// aws-parts.ts (what the front end shares with the Lambdas) and nowhere else. Neither
// module imports ssh2, so the Lambdas' bundles stay small; the front end's process never
// loads this one.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { S3EventTranslator } from '../adapters/aws/s3-events.js';
import { S3Deliverer } from '../adapters/aws/s3-deliverer.js';
import { SqsJobQueue } from '../adapters/aws/sqs-queue.js';
import { WebhookDeliverer } from '../adapters/http/webhook-deliverer.js';
import type { ConsoleAssets } from '../admin/console.js';
import { createAdminHandler } from '../admin/lambda.js';
import { createPostUploadBatchHandler } from '../aws/post-upload-batch.js';
import { systemClock } from '../core/ports/clock.js';
import type { Deliverers } from '../core/ports/delivery.js';
import type { JobQueue } from '../core/ports/queue.js';
import { DEFAULT_PIPELINE_OPTIONS, PostUploadPipeline, type PipelineOptions } from '../core/pipeline/pipeline.js';
import { StorageDeliverer } from '../core/pipeline/storage-deliverer.js';
import { sftpUrl, type SftpAccess } from '../core/tenancy/index.js';
import { required, type AwsConfig } from './aws-config.js';
import { directoryOf, storageOf, type AwsParts } from './aws-parts.js';

export { awsClients, directoryOf, identityFunction, storageOf, type AwsClients, type AwsParts } from './aws-parts.js';

export function sftpAccessOf(config: AwsConfig): SftpAccess {
  return {
    publicUrl: sftpUrl(config.THRU_PUBLIC_HOST ?? 'localhost', config.THRU_PUBLIC_PORT),
    hostKeyFingerprints: (config.THRU_HOST_KEY_FINGERPRINTS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}

export interface PipelineParts extends AwsParts {
  queue: JobQueue;
  /** Beyond the AWS ones (sim adds local folders). */
  extraDeliverers?: Deliverers;
  options?: Partial<PipelineOptions>;
}

export function pipelineOf(p: PipelineParts, directory = directoryOf(p), storage = storageOf(p)): PostUploadPipeline {
  const sse = { serverSideEncryption: p.config.THRU_SSE, sseKmsKeyId: p.config.THRU_SSE_KMS_KEY_ID, logger: p.logger };
  return new PostUploadPipeline({
    directory,
    storage,
    queue: p.queue,
    deliverers: {
      'thru-sftp-server': new StorageDeliverer(storage),
      s3: new S3Deliverer(p.clients.s3, sse),
      webhook: new WebhookDeliverer(),
      ...p.extraDeliverers,
    },
    clock: p.clock ?? systemClock,
    log: p.logger,
    // Lambdas run side by side: a claim is dead only when its lease ran out.
    options: { ...DEFAULT_PIPELINE_OPTIONS, workerId: `aws-${randomBytes(6).toString('hex')}`, foreignClaimsAreDead: false, ...p.options },
  });
}

export function sqsQueueOf(p: AwsParts): SqsJobQueue {
  return new SqsJobQueue(p.clients.sqs, required(p.config, 'THRU_QUEUE_URL'));
}

// ---- Lambda handlers (the identity Lambda's is in aws-parts.ts) ---------------------

export function postUploadFunction(p: PipelineParts, options: { urlEncodedKeys?: boolean } = {}): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const pipeline = pipelineOf(p);
  const translator = new S3EventTranslator({
    client: p.clients.s3,
    bucket: p.config.THRU_BUCKET,
    prefix: p.config.THRU_BUCKET_PREFIX,
    urlEncodedKeys: options.urlEncodedKeys ?? true,
  });
  return createPostUploadBatchHandler({ translate: (r) => translator.translate(r), handle: (job) => pipeline.handle(job), log: p.logger });
}

/**
 * The admin API behind API Gateway's IAM authorization, and the web console (`console`,
 * the files bundled with the Lambda) whose page signs its calls with SigV4 for this region.
 */
export function adminFunction(p: PipelineParts, options: { console?: ConsoleAssets } = {}) {
  const directory = directoryOf(p);
  const pipeline = pipelineOf(p, directory);
  return createAdminHandler({
    directory,
    logger: p.logger,
    sftp: sftpAccessOf(p.config),
    retryTransfer: (id) => pipeline.retry(id),
    clock: p.clock,
    console: options.console,
    consoleSignIn: { auth: 'sigv4', region: required(p.config, 'AWS_REGION') },
  });
}
