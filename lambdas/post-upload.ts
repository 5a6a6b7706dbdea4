// The post-upload Lambda: S3 event notifications and the pipeline's own jobs, from one
// SQS queue, with partial batch failures.
import { loadAwsConfig } from '../src/runtime/aws-config.js';
import { awsClients, postUploadFunction, sqsQueueOf } from '../src/runtime/aws.js';
import { createLogger } from '../src/log.js';

const config = loadAwsConfig();
const parts = { config, clients: awsClients(config), logger: createLogger(config.THRU_LOG_LEVEL) };
export const handler = postUploadFunction({ ...parts, queue: sqsQueueOf(parts) });
