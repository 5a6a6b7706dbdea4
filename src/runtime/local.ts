// Composition of the local runtime (`npm start`): files on disk, SQLite, the identity
// core in-process, the admin API on Node's HTTP server. The only module that picks
// local adapters.
import { promises as fsp } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { systemClock } from '../core/ports/clock.js';
import { DirectoryIdentity } from '../core/identity.js';
import { BruteForceGuard, type BruteForcePolicy } from '../core/brute-force.js';
import { FsStorage } from '../adapters/local/fs-storage.js';
import { SqliteDirectory } from '../adapters/local/sqlite-directory.js';
import { openDatabase } from '../adapters/local/sqlite.js';
import { loadOrCreateHostKey } from '../adapters/local/host-key.js';
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
  sftp: SshFrontEnd;
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
  await fsp.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const hostKey = await loadOrCreateHostKey(dataDir);
  const adminToken = await loadOrCreateAdminToken(dataDir, config.adminToken);
  const db = openDatabase(join(dataDir, 'thru.db'));
  const directory = new SqliteDirectory(db);
  const queue = new SqliteJobQueue(db, logger);
  // Storage events go to the durable queue first; the pipeline works from there.
  const storage = await new FsStorage({
    root: join(dataDir, 'files'),
    onEvent: (event) => {
      queue.enqueue({ kind: 'storage-event', event }).catch((err: unknown) => logger.error({ err, key: event.key }, 'cannot queue a storage event'));
    },
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

  const identity = new DirectoryIdentity(directory, systemClock);
  const bruteForce = new BruteForceGuard(directory, systemClock, { ...config.bruteForce, ...options.bruteForce });
  const sftp = new SshFrontEnd({
    hostKeys: [hostKey.privateKey],
    identity,
    storage,
    logger,
    limits: { ...config.sshLimits, ...options.sshLimits },
    bruteForce,
    proxyProtocol: options.proxyProtocol ?? config.proxyProtocol ?? false,
  });
  const sftpAddress = await sftp.listen(config.sftpPort, config.bind);
  // What endpoints show partners: the address to connect to and the host key to expect.
  const access: SftpAccess = { publicUrl: sftpUrl(config.publicHost ?? config.bind, sftpAddress.port), hostKeyFingerprints: [hostKey.fingerprint] };

  const retryTransfer: RetryTransfer = (transferId) => pipeline.retry(transferId);

  let demo: Demo | undefined;
  if (config.demo && (await isEmpty(directory))) {
    demo = await createDemo(createTenancy({ directory, clock: systemClock, sftp: access, retryTransfer }), join(dataDir, 'delivered'));
  }

  const app = createAdminApp({ directory, logger, sftp: access, retryTransfer, auth: bearerAuth(adminToken.token), bruteForce, console: checkoutConsole() });
  const http = await serveAdmin(app, config.adminPort, config.bind);
  const adminPort = http.port;
  logger.info({ sftpPort: sftpAddress.port, adminPort, hostKey: hostKey.fingerprint, dataDir }, 'thru-sftp started');

  return {
    sftpPort: sftpAddress.port,
    adminPort,
    hostKeyFingerprint: hostKey.fingerprint,
    adminToken,
    demo,
    directory,
    storage,
    queue,
    pipeline,
    sftp,
    bruteForce,
    async stop() {
      await Promise.allSettled([sftp.close(), http.close()]);
      await queue.stop();
      await storage.close();
      await directory.close();
    },
  };
}
