// The admin API Lambda behind API Gateway's HTTP API (IAM authorization). It also serves
// the web console, which the CDK bundling builds into console/ next to this bundle.
import { fileURLToPath } from 'node:url';
import { consoleFiles } from '../src/admin/console.js';
import { loadAwsConfig } from '../src/runtime/aws-config.js';
import { adminFunction, awsClients, sqsQueueOf } from '../src/runtime/aws.js';
import { createLogger } from '../src/log.js';

const config = loadAwsConfig();
const parts = { config, clients: awsClients(config), logger: createLogger(config.THRU_LOG_LEVEL) };
export const handler = adminFunction({ ...parts, queue: sqsQueueOf(parts) }, { console: consoleFiles(fileURLToPath(new URL('console/', import.meta.url))) });
