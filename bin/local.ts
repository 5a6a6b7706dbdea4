// `npm start`: thru-sftp on this machine, in one process (SPEC §4).
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startLocal } from '../src/runtime/local.js';
import { runUntilSignal } from '../src/runtime/run.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);
await runUntilSignal(() => startLocal(config, logger), config, logger, 'thru-sftp is running');
