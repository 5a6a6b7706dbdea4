// The process around a runtime (`npm start`, `npm run sim`): start it, print the
// banner, stop cleanly on SIGINT/SIGTERM, and say why when it cannot start. Under
// node:cluster (THRU_WORKERS > 1) the same entry runs as an SFTP worker instead.
import cluster from 'node:cluster';
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { warnWithoutNativeCrypto } from '../sftp/native-crypto.js';
import { printBanner, type BannerFacts } from './banner.js';
import { tuneHeap, type HeapProfile } from './v8-heap.js';

export interface RuntimeProcess {
  /** What the banner says is running. */
  title: string;
  main(config: Config, logger: Logger): Promise<BannerFacts & { stop(): Promise<void> }>;
  /** An SFTP worker of the main process (THRU_WORKERS > 1). */
  worker(config: Config, logger: Logger): Promise<{ stop(): Promise<void> }>;
  /** Heap tuning of the worker processes (default: that of local transfers). */
  workerHeap?: HeapProfile;
}

/** Run this process as the runtime's main process or, under node:cluster, as one of its SFTP workers. */
export async function runProcess(p: RuntimeProcess): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`thru-sftp could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const base = createLogger(config.logLevel);
  // Several processes write the same log: say which one.
  const logger = (config.workers ?? 1) > 1 ? base.child({ pid: process.pid }) : base;
  if (cluster.isWorker) await runSftpWorker(() => p.worker(config, logger), logger, p.workerHeap);
  else await runUntilSignal(() => p.main(config, logger), config, logger, p.title);
}

async function runUntilSignal(start: () => Promise<BannerFacts & { stop(): Promise<void> }>, config: Config, logger: Logger, title: string): Promise<void> {
  tuneHeap();
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

/** In a worker: start, then stop cleanly on SIGTERM/SIGINT or when the main process is gone. */
async function runSftpWorker(start: () => Promise<{ stop(): Promise<void> }>, logger: Logger, heap?: HeapProfile): Promise<void> {
  tuneHeap(heap);
  try {
    const worker = await start();
    logger.info({}, 'SFTP worker started');
    stopOnSignal(worker, logger, (stop) => process.on('disconnect', () => stop('the main process is gone')));
  } catch (err) {
    logger.error({ err }, 'SFTP worker could not start');
    process.exit(1);
  }
}
