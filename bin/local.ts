// `npm start`: thru-sftp on this machine (SPEC §4): one process, or with THRU_WORKERS > 1
// this one plus SFTP worker processes (node:cluster runs this same file in each).
import cluster from 'node:cluster';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startLocal, startLocalWorker } from '../src/runtime/local.js';
import { runUntilSignal } from '../src/runtime/run.js';
import { runSftpWorker } from '../src/runtime/sftp-workers.js';
import { tuneHeapForTransfers } from '../src/runtime/v8-heap.js';

const config = loadConfig();
const base = createLogger(config.logLevel);
// Several processes write the same log: say which one.
const logger = (config.workers ?? 1) > 1 ? base.child({ pid: process.pid }) : base;
if (cluster.isWorker) {
  tuneHeapForTransfers();
  await runSftpWorker(() => startLocalWorker(config, logger), logger);
} else {
  await runUntilSignal(() => startLocal(config, logger), config, logger, 'thru-sftp is running');
}
