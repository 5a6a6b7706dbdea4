// `npm start`: thru-sftp on this machine, in one process (SPEC §4).
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startLocal } from '../src/runtime/local.js';
import { printBanner } from '../src/runtime/banner.js';
import { tuneHeapForTransfers } from '../src/runtime/v8-heap.js';

tuneHeapForTransfers();

const config = loadConfig();
const logger = createLogger(config.logLevel);
try {
  const runtime = await startLocal(config, logger);
  printBanner(runtime, config);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    runtime.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  logger.fatal({ err }, 'thru-sftp could not start');
  process.stderr.write(`thru-sftp could not start: ${(err as Error).message}\n`);
  process.exit(1);
}
