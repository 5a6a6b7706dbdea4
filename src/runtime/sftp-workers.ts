// THRU_WORKERS > 1: the SSH front end in node:cluster worker processes that share one
// port, so that transfers use every core (a Node process encrypts on one). The main
// process keeps what must be single: the post-upload pipeline and its queue, the admin
// API, the demo. Workers use the same SQLite file (WAL, busy timeout) for users, bans
// and queued storage events, and tell the main process when they queued one (and why,
// should they no longer be able to: /v1/health reports it). A worker that dies after
// it served is replaced; its connections drop as with any network cut (an upload under
// a normal name leaves nothing behind once `onWorkerExit` has cleared its staging
// files, a temp-named one can resume).
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Log } from '../core/ports/logger.js';

/** Worker → main process: "I queued a job in SQLite, look". */
export const JOB_QUEUED = 'thru:job-queued';

/** Worker → main process: what keeps it from working (a failed WAL sync), for /v1/health. */
export interface ProblemMessage {
  type: 'thru:problem';
  problem: string;
}

export interface SftpWorkers {
  port: number;
  pids(): number[];
  /** Drain and stop every worker (each closes its listener and waits for its transfers). */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

export interface WorkerHooks {
  /** A worker queued a job. */
  onJobQueued?: () => void;
  /** A worker can no longer do its work, and says why. */
  onProblem?: (problem: string, pid: number | undefined) => void;
  /** A worker that had started is gone (crashed, killed or stopped). */
  onWorkerExit?: (pid: number) => void;
}

export interface WorkerOptions {
  /** Environment of the worker processes, over this one's. */
  env?: Record<string, string>;
  /** Node flags of the worker processes (default: this process's). */
  execArgv?: string[];
}

export async function startSftpWorkers(count: number, log: Log, hooks: WorkerHooks, options: WorkerOptions = {}): Promise<SftpWorkers> {
  const env = options.env ?? {};
  let stopping = false;
  const workers = new Set<Worker>();

  if (options.execArgv) cluster.setupPrimary({ execArgv: options.execArgv });
  const fork = (): Promise<number> => {
    const worker = cluster.fork(env);
    workers.add(worker);
    let listened = false;
    worker.on('message', (message: unknown) => {
      if (message === JOB_QUEUED) hooks.onJobQueued?.();
      else if (isProblem(message)) hooks.onProblem?.(message.problem, worker.process.pid);
    });
    const listening = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`an SFTP worker did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      worker.once('listening', (address: { port: number }) => {
        clearTimeout(timer);
        listened = true;
        resolve(address.port);
      });
      worker.once('exit', (code, signal) => {
        clearTimeout(timer);
        workers.delete(worker);
        if (!listened) return reject(new Error(`an SFTP worker exited before it listened (code ${code}, signal ${signal ?? 'none'}); see its log above`));
        if (worker.process.pid !== undefined) hooks.onWorkerExit?.(worker.process.pid);
        if (stopping) return;
        log.error({ workerPid: worker.process.pid, code, signal }, 'an SFTP worker stopped; starting another');
        fork().catch((err: unknown) => log.error({ err }, 'cannot replace an SFTP worker'));
      });
    });
    return listening;
  };

  const stop = async () => {
    stopping = true;
    await Promise.all(
      [...workers].map(async (w) => {
        if (w.isDead()) return;
        const exited = once(w, 'exit');
        w.process.kill('SIGTERM');
        await exited;
      }),
    );
  };

  try {
    const ports = await Promise.all(Array.from({ length: count }, fork));
    log.info({ workers: count, port: ports[0] }, 'SFTP workers listening');
    return { port: ports[0]!, pids: () => [...workers].map((w) => w.process.pid ?? 0), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

const isProblem = (m: unknown): m is ProblemMessage =>
  typeof m === 'object' && m !== null && (m as ProblemMessage).type === 'thru:problem' && typeof (m as ProblemMessage).problem === 'string';
