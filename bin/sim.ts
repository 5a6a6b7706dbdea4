// `npm run sim`: the AWS runtime on this machine (S3 on s3rver, DynamoDB on dynalite,
// the Lambda handlers in-process), with the settings and ports of `npm start`. With
// THRU_WORKERS > 1 the SSH front end runs in worker processes, as Fargate tasks do
// (node:cluster runs this same file in each).
import cluster from 'node:cluster';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { runUntilSignal } from '../src/runtime/run.js';
import { runSftpWorker } from '../src/runtime/sftp-workers.js';
import { startSim, startSimWorker } from '../src/runtime/sim.js';
import { tuneHeapForTransfers } from '../src/runtime/v8-heap.js';

const config = loadConfig();
const base = createLogger(config.logLevel);
// Several processes write the same log: say which one.
const logger = (config.workers ?? 1) > 1 ? base.child({ pid: process.pid }) : base;
if (cluster.isWorker) {
  tuneHeapForTransfers();
  await runSftpWorker(() => startSimWorker(config, logger), logger);
} else {
  await runUntilSignal(() => startSim(config, logger), config, logger, 'thru-sftp (AWS runtime, simulated: s3rver + dynalite) is running');
}
