// The process around a runtime (`npm start`, `npm run sim`): start it, print the
// banner, stop cleanly on SIGINT/SIGTERM, and say why when it cannot start.
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { warnWithoutNativeCrypto } from '../sftp/native-crypto.js';
import { printBanner, type BannerFacts } from './banner.js';
import { tuneHeapForTransfers } from './v8-heap.js';

export async function runUntilSignal(start: () => Promise<BannerFacts & { stop(): Promise<void> }>, config: Config, logger: Logger, title: string): Promise<void> {
  tuneHeapForTransfers();
  try {
    warnWithoutNativeCrypto(logger);
    const runtime = await start();
    printBanner(runtime, config, title);
    stopOnSignal(runtime, logger);
  } catch (err) {
    logger.fatal({ err }, 'thru-sftp could not start');
    process.stderr.write(`thru-sftp could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

/**
 * Stop `runtime` once, on SIGINT or SIGTERM or whatever `also` reports, then exit: 0, or
 * 1 when stopping failed.
 */
export function stopOnSignal(runtime: { stop(): Promise<void> }, logger: Logger, also?: (stop: (why: string) => void) => void): void {
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ why }, 'stopping');
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
  also?.(stop);
}
