// `npm run sim`: the AWS runtime on this machine (SPEC §4). The same SSH front end with
// S3 storage (s3rver), the DynamoDB directory (dynalite), and the identity, post-upload
// and admin Lambda handlers in-process; s3rver's event records reach the post-upload
// handler through an in-process SQS. Same settings and ports as `npm start`; state lives
// in <data dir>/sim.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { directoryTableDefinition } from '../adapters/aws/dynamo-keys.js';
import type { DynamoDirectory } from '../adapters/aws/dynamo-directory.js';
import type { S3Storage } from '../adapters/aws/s3-storage.js';
import { loadOrCreateHostKey } from '../adapters/local/host-key.js';
import { loadOrCreateAdminToken } from '../adapters/local/admin-token.js';
import { FolderDeliverer } from '../adapters/local/folder-deliverer.js';
import { createAdminApp } from '../admin/app.js';
import { checkoutConsole } from './console-assets.js';
import { serveAdmin } from './admin-server.js';
import { bearerAuth } from '../admin/bearer-auth.js';
import { createTenancy, sftpUrl } from '../core/tenancy/index.js';
import { systemClock } from '../core/ports/clock.js';
import type { PostUploadPipeline } from '../core/pipeline/pipeline.js';
import type { SshFrontEnd } from '../sftp/ssh-server.js';
import { directoryOf, pipelineOf, postUploadFunction, storageOf, type PipelineParts } from './aws.js';
import { SIM_BUCKET, SIM_ENDPOINTS_ENV, SIM_TABLE, simAwsConfig, simClients, simFrontEnd, type SimEndpoints, type SimOptions } from './sim-front-end.js';
import { createDemo, isEmpty, type Demo } from './demo.js';
import { SimSqsQueue } from './sim-queue.js';
import { startSftpWorkers, type SftpWorkers } from './sftp-workers.js';
import { S3_FRONT_END_HEAP, execArgvFor } from './v8-heap.js';

export { SIM_BUCKET, SIM_TABLE, startSimWorker, type SimOptions } from './sim-front-end.js';

export interface SimRuntime {
  sftpPort: number;
  adminPort: number;
  hostKeyFingerprint: string;
  adminToken: { token: string; created: boolean; file?: string };
  demo?: Demo;
  directory: DynamoDirectory;
  storage: S3Storage;
  s3: S3Client;
  bucket: string;
  queue: SimSqsQueue;
  pipeline: PostUploadPipeline;
  /** The SSH front end, when this process serves SFTP itself (THRU_WORKERS=1). */
  sftp?: SshFrontEnd;
  /** The worker processes serving SFTP (THRU_WORKERS > 1), as Fargate tasks would. */
  workers?: SftpWorkers;
  stop(): Promise<void>;
}

export async function startSim(config: Config, logger: Logger, options: SimOptions = {}): Promise<SimRuntime> {
  const dataDir = resolve(config.dataDir);
  const simDir = join(dataDir, 'sim');
  await mkdir(join(simDir, 's3'), { recursive: true, mode: 0o700 });
  const persist = options.persist ?? true;
  const hostKey = await loadOrCreateHostKey(dataDir);
  const adminToken = await loadOrCreateAdminToken(dataDir, config.adminToken);

  // S3 and DynamoDB, speaking their wire protocols on loopback.
  // Loaded here, not at the top: a sim worker (the front end alone) never needs them.
  const [{ default: S3rver }, { default: dynalite }] = await Promise.all([import('s3rver'), import('dynalite')]);
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(simDir, 's3'), configureBuckets: [{ name: SIM_BUCKET }] });
  const s3Port = (await s3rver.run()).port;
  const dynamoServer: Server = dynalite({ createTableMs: 0, ...(persist ? { path: join(simDir, 'dynamodb') } : {}) });
  await new Promise<void>((ok, fail) => {
    dynamoServer.once('error', fail);
    dynamoServer.listen(0, '127.0.0.1', () => ok());
  });
  const dynamoEndpoint = `http://127.0.0.1:${(dynamoServer.address() as AddressInfo).port}`;

  const endpoints: SimEndpoints = { s3: `http://127.0.0.1:${s3Port}`, dynamodb: dynamoEndpoint };
  const { s3, dynamoBase, clients } = simClients(endpoints);
  if (!(await dynamoBase.send(new ListTablesCommand({}))).TableNames?.includes(SIM_TABLE)) {
    await dynamoBase.send(new CreateTableCommand(directoryTableDefinition(SIM_TABLE)));
  }

  const awsConfig = simAwsConfig(config, hostKey.fingerprint);
  const queue = new SimSqsQueue(logger);
  // On one machine the sim can also deliver to local folders (the demo's target).
  const parts: PipelineParts = { config: awsConfig, clients, logger, queue, extraDeliverers: { directory: new FolderDeliverer() }, options: options.pipeline };
  const directory = directoryOf(parts);
  const storage = storageOf(parts);
  const pipeline = pipelineOf(parts, directory, storage);

  // The post-upload Lambda, fed S3's events through the queue.
  queue.consume(postUploadFunction(parts, { urlEncodedKeys: false }));
  s3rver.on('event', (notification) => queue.send(JSON.stringify(notification)));

  // The SSH front end here, or in worker processes as Fargate tasks are (THRU_WORKERS > 1).
  let front: { sftp: SshFrontEnd; port: number } | undefined;
  let workers: SftpWorkers | undefined;
  if ((config.workers ?? 1) > 1) {
    // Tuned as the Fargate front end is (its growing factor is set in the worker: bin/sim.ts).
    const env = { [SIM_ENDPOINTS_ENV]: JSON.stringify(endpoints) };
    workers = await startSftpWorkers(config.workers!, logger, {}, { env, execArgv: execArgvFor(process.execArgv, S3_FRONT_END_HEAP) });
  } else front = await simFrontEnd(config, parts, hostKey, options);
  const sftpPort = front?.port ?? workers!.port;

  // The admin Lambda's router, on Node's HTTP server with the local bearer token (API
  // Gateway's IAM authorization has no local equivalent).
  const access = { publicUrl: sftpUrl(config.publicHost ?? config.bind, sftpPort), hostKeyFingerprints: [hostKey.fingerprint] };
  let demo: Demo | undefined;
  if (config.demo && (await isEmpty(directory))) {
    demo = await createDemo(createTenancy({ directory, clock: systemClock, sftp: access, retryTransfer: (id) => pipeline.retry(id) }), join(dataDir, 'delivered'));
  }
  const app = createAdminApp({ directory, logger, sftp: access, retryTransfer: (id) => pipeline.retry(id), auth: bearerAuth(adminToken.token), console: checkoutConsole() });
  const http = await serveAdmin(app, config.adminPort, config.bind);
  const adminPort = http.port;
  logger.info({ sftpPort, sftpWorkers: workers?.pids().length ?? 0, adminPort, hostKey: hostKey.fingerprint, s3: `http://127.0.0.1:${s3Port}`, dynamodb: dynamoEndpoint }, 'thru-sftp sim started');

  return {
    sftpPort,
    adminPort,
    hostKeyFingerprint: hostKey.fingerprint,
    adminToken,
    demo,
    directory,
    storage,
    s3,
    bucket: SIM_BUCKET,
    queue,
    pipeline,
    sftp: front?.sftp,
    workers,
    async stop() {
      await Promise.allSettled([front?.sftp.close(), workers?.stop(), http.close()]);
      await queue.stop();
      s3.destroy();
      dynamoBase.destroy();
      s3rver.httpServer?.closeAllConnections();
      await s3rver.close();
      dynamoServer.closeAllConnections();
      await new Promise<void>((ok) => dynamoServer.close(() => ok()));
    },
  };
}
