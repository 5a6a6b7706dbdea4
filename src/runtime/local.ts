// Composition of the local runtime (`npm start`): files on disk, SQLite, the identity
// core in-process, the admin API on Node's HTTP server. The only module that picks
// local adapters. With THRU_WORKERS > 1 the SSH front end runs in worker processes
// (startLocalWorker, see sftp-workers.ts) and this process keeps the rest.
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { systemClock } from '../core/ports/clock.js';
import { CoreError } from '../core/errors.js';
import type { StorageEventListener } from '../core/ports/storage.js';
import { DirectoryIdentity } from '../core/identity.js';
import { BruteForceGuard, type BruteForcePolicy } from '../core/brute-force.js';
import { FsStorage } from '../adapters/local/fs-storage.js';
import { mkdirDurably } from '../adapters/local/fs-sync.js';
import { SqliteDirectory } from '../adapters/local/sqlite-directory.js';
import { openDatabase } from '../adapters/local/sqlite.js';
import { loadOrCreateHostKey, type HostKey } from '../adapters/local/host-key.js';
import { loadOrCreateAdminToken } from '../adapters/local/admin-token.js';
import { SqliteJobQueue } from '../adapters/local/sqlite-queue.js';
import { FolderDeliverer } from '../adapters/local/folder-deliverer.js';
import { WebhookDeliverer } from '../adapters/http/webhook-deliverer.js';
import { DEFAULT_PIPELINE_OPTIONS, PostUploadPipeline, type PipelineOptions } from '../core/pipeline/pipeline.js';
import { StorageDeliverer } from '../core/pipeline/storage-deliverer.js';
import { SshFrontEnd, type SshLimits } from '../sftp/ssh-server.js';
import { createAdminApp } from '../admin/app.js';
import { serveAdmin } from './admin-server.js';
import { bearerAuth } from '../admin/bearer-auth.js';
import { createTenancy, sftpUrl, type RetryTransfer, type SftpAccess } from '../core/tenancy/index.js';
import { checkoutConsole } from './console-assets.js';
import { createDemo, isEmpty, type Demo } from './demo.js';
import { JOB_QUEUED, startSftpWorkers, type ProblemMessage, type SftpWorkers } from './sftp-workers.js';

export interface LocalRuntime {
  sftpPort: number;
  adminPort: number;
  hostKeyFingerprint: string;
  adminToken: { token: string; created: boolean; file?: string };
  demo?: Demo;
  directory: SqliteDirectory;
  storage: FsStorage;
  queue: SqliteJobQueue;
  pipeline: PostUploadPipeline;
  /** The SSH front end, when this process serves SFTP itself (THRU_WORKERS=1). */
  sftp?: SshFrontEnd;
  /** The worker processes serving SFTP (THRU_WORKERS > 1). */
  workers?: SftpWorkers;
  bruteForce: BruteForceGuard;
  stop(): Promise<void>;
}

export interface LocalOptions {
  /** Over the config's. */
  sshLimits?: Partial<SshLimits>;
  /** Over the config's. */
  bruteForce?: Partial<BruteForcePolicy>;
  proxyProtocol?: boolean;
  pipeline?: Partial<PipelineOptions>;
  /** Jobs the pipeline runs at once. */
  pipelineConcurrency?: number;
  webhookTimeoutMs?: number;
}

export async function startLocal(config: Config, logger: Logger, options: LocalOptions = {}): Promise<LocalRuntime> {
  const dataDir = resolve(config.dataDir);
  await mkdirDurably(dataDir, { recursive: true, mode: 0o700 });
  const hostKey = await loadOrCreateHostKey(dataDir);
  const adminToken = await loadOrCreateAdminToken(dataDir, config.adminToken);
  const db = openDatabase(join(dataDir, 'thru.db'));
  const directory = new SqliteDirectory(db);
  const queue = new SqliteJobQueue(db, logger);
  // Storage events go to the durable queue first; the pipeline works from there.
  const storage = await new FsStorage({
    root: join(dataDir, 'files'),
    log: logger,
    onEvent: queueEvents(queue, logger),
  }).init();
  const pipeline = new PostUploadPipeline({
    directory,
    storage,
    queue,
    deliverers: { 'thru-sftp-server': new StorageDeliverer(storage), directory: new FolderDeliverer(), webhook: new WebhookDeliverer({ timeoutMs: options.webhookTimeoutMs ?? 10_000 }) },
    clock: systemClock,
    log: logger,
    options: { ...DEFAULT_PIPELINE_OPTIONS, workerId: `local-${process.pid}-${Date.now()}`, foreignClaimsAreDead: true, ...options.pipeline },
  });
  queue.start((job) => pipeline.handle(job), { concurrency: options.pipelineConcurrency ?? 4 });

  const bruteForce = new BruteForceGuard(directory, systemClock, { ...config.bruteForce, ...options.bruteForce });
  let sftp: SshFrontEnd | undefined;
  let workers: SftpWorkers | undefined;
  let sftpPort: number;
  let poll: NodeJS.Timeout | undefined;
  /** The first problem a worker reported; like the main process's own, it lasts until restart. */
  let workerProblem: string | undefined;
  if ((config.workers ?? 1) > 1) {
    // Jobs the workers queue are in SQLite already; the nudge only saves waiting for the poll.
    poll = setInterval(() => queue.poke(), WORKER_JOB_POLL_MS);
    poll.unref();
    try {
      workers = await startSftpWorkers(config.workers!, logger, {
        onJobQueued: () => queue.poke(),
        onProblem: (problem, pid) => (workerProblem ??= `SFTP worker ${pid ?? '?'}: ${problem}`),
        onWorkerExit: (pid) => void storage.removeStagingOf(pid).catch((err: unknown) => logger.warn({ err, workerPid: pid }, 'cannot clear the staging files of a stopped SFTP worker')),
      });
    } catch (err) {
      clearInterval(poll);
      await queue.stop();
      throw err;
    }
    sftpPort = workers.port;
  } else {
    sftp = frontEnd(config, logger, options, { hostKey, directory, storage, bruteForce });
    sftpPort = (await sftp.listen(config.sftpPort, config.bind)).port;
  }
  // What endpoints show partners: the address to connect to and the host key to expect.
  const access: SftpAccess = { publicUrl: sftpUrl(config.publicHost ?? config.bind, sftpPort), hostKeyFingerprints: [hostKey.fingerprint] };

  const retryTransfer: RetryTransfer = (transferId) => pipeline.retry(transferId);

  let demo: Demo | undefined;
  if (config.demo && (await isEmpty(directory))) {
    demo = await createDemo(createTenancy({ directory, clock: systemClock, sftp: access, retryTransfer }), join(dataDir, 'delivered'));
  }

  const app = createAdminApp({
    directory,
    logger,
    sftp: access,
    retryTransfer,
    auth: bearerAuth(adminToken.token),
    bruteForce,
    console: checkoutConsole(),
    syncWrites: () => directory.syncWrites(),
    problem: () => directory.syncProblem() ?? workerProblem,
  });
  const http = await serveAdmin(app, config.adminPort, config.bind);
  const adminPort = http.port;
  logger.info({ sftpPort, adminPort, hostKey: hostKey.fingerprint, dataDir, sftpWorkers: workers?.pids().length ?? 0 }, 'thru-sftp started');

  return {
    sftpPort,
    adminPort,
    hostKeyFingerprint: hostKey.fingerprint,
    adminToken,
    demo,
    directory,
    storage,
    queue,
    pipeline,
    sftp,
    workers,
    bruteForce,
    async stop() {
      await Promise.allSettled([sftp?.close(), workers?.stop(), http.close()]);
      clearInterval(poll);
      await queue.stop();
      await storage.close();
      await directory.close();
    },
  };
}

/**
 * The storage's listener: each event is queued durably before its change is answered
 * (see wal-sync.ts). If it cannot be, the answer fails, so that the partner uploads again
 * rather than leave a file no flow will ever deliver.
 */
function queueEvents(queue: SqliteJobQueue, logger: Logger, hooks: { queued?: () => void; failed?: () => void } = {}): StorageEventListener {
  return (event) =>
    queue.enqueueDurably({ kind: 'storage-event', event }).then(hooks.queued, (err: unknown) => {
      logger.error({ err, key: event.key, event: event.name }, 'cannot queue a storage event');
      hooks.failed?.();
      throw new CoreError('failure', 'the change is made, but it could not be queued for post-upload processing (the server log says why); upload the file again');
    });
}

/** How often the main process looks for jobs the SFTP workers queued, besides their nudges. */
const WORKER_JOB_POLL_MS = 2_000;

interface FrontEndParts {
  hostKey: HostKey;
  directory: SqliteDirectory;
  storage: FsStorage;
  bruteForce: BruteForceGuard;
}

function frontEnd(config: Config, logger: Logger, options: LocalOptions, p: FrontEndParts): SshFrontEnd {
  return new SshFrontEnd({
    hostKeys: [p.hostKey.privateKey],
    identity: new DirectoryIdentity(p.directory, systemClock),
    storage: p.storage,
    logger,
    limits: { ...config.sshLimits, ...options.sshLimits },
    bruteForce: p.bruteForce,
    proxyProtocol: options.proxyProtocol ?? config.proxyProtocol ?? false,
  });
}

/**
 * An SFTP worker (THRU_WORKERS > 1): the SSH front end on the data directory the main
 * process opened (host key, SQLite, files), its storage events queued in SQLite for the
 * main process's pipeline.
 */
export async function startLocalWorker(config: Config, logger: Logger, options: LocalOptions = {}): Promise<{ stop(): Promise<void> }> {
  const dataDir = resolve(config.dataDir);
  const hostKey = await loadOrCreateHostKey(dataDir);
  const db = openDatabase(join(dataDir, 'thru.db'));
  const directory = new SqliteDirectory(db);
  const queue = new SqliteJobQueue(db, logger);
  let toldProblem = false;
  const storage = await new FsStorage({
    root: join(dataDir, 'files'),
    keepStaging: true,
    log: logger,
    onEvent: queueEvents(queue, logger, {
      queued: () => void process.send?.(JOB_QUEUED),
      // The main process answers /v1/health: tell it once why this worker refuses uploads.
      failed: () => {
        const problem = directory.syncProblem();
        if (problem === undefined || toldProblem) return;
        toldProblem = true;
        process.send?.({ type: 'thru:problem', problem } satisfies ProblemMessage);
      },
    }),
  }).init();
  const bruteForce = new BruteForceGuard(directory, systemClock, { ...config.bruteForce, ...options.bruteForce });
  const sftp = frontEnd(config, logger, options, { hostKey, directory, storage, bruteForce });
  await sftp.listen(config.sftpPort, config.bind);
  return {
    async stop() {
      await sftp.close();
      await storage.close();
      await directory.close();
    },
  };
}
