// `npm run sim`: the AWS runtime on this machine (S3 on s3rver, DynamoDB on dynalite,
// the Lambda handlers in-process), with the settings and ports of `npm start`.
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { runUntilSignal } from '../src/runtime/run.js';
import { startSim } from '../src/runtime/sim.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
await runUntilSignal(() => startSim(config, logger), config, logger, 'thru-sftp (AWS runtime, simulated: s3rver + dynalite) is running');
