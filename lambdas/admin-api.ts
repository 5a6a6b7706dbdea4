// The admin API Lambda behind API Gateway's HTTP API (IAM authorization).
import { loadAwsConfig } from '../src/runtime/aws-config.js';
import { adminFunction, awsClients, sqsQueueOf } from '../src/runtime/aws.js';
import { createLogger } from '../src/log.js';

const config = loadAwsConfig();
const parts = { config, clients: awsClients(config), logger: createLogger(config.THRU_LOG_LEVEL) };
export const handler = adminFunction({ ...parts, queue: sqsQueueOf(parts) });
