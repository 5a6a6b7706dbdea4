// `npm run sim`'s SSH front end: the Fargate composition on s3rver and dynalite, with the
// identity Lambda called in-process. Its own module so that a sim SFTP worker
// (THRU_WORKERS > 1) loads only what the front end runs, as a Fargate task does, not
// s3rver, dynalite, the admin API or the pipeline of the sim's main process (sim.ts).
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createS3Client } from '../adapters/aws/s3-client.js';
import { useS3rverCopySourceEncoding } from '../adapters/aws/s3rver-compat.js';
import { loadOrCreateHostKey, type HostKey } from '../adapters/local/host-key.js';
import type { PipelineOptions } from '../core/pipeline/pipeline.js';
import type { SshLimits } from '../sftp/ssh-server.js';
import type { AwsConfig } from './aws-config.js';
import { identityFunction, type AwsClients, type AwsParts } from './aws-parts.js';
import { startFrontEnd } from './aws-front-end.js';

export const SIM_BUCKET = 'thru-sim';
export const SIM_TABLE = 'thru-sim-directory';

export interface SimOptions {
  sshLimits?: Partial<SshLimits>;
  pipeline?: Partial<PipelineOptions>;
  /** Keep the simulated S3 and DynamoDB state in the data directory (default true). */
  persist?: boolean;
}

/** Where a sim worker finds the main process's s3rver and dynalite. */
export const SIM_ENDPOINTS_ENV = 'THRU_SIM_ENDPOINTS';

export interface SimEndpoints {
  s3: string;
  dynamodb: string;
}

const FAKE_CREDENTIALS = { accessKeyId: 'SIM', secretAccessKey: 'SIM' };

export function simClients(endpoints: SimEndpoints) {
  const s3 = createS3Client({ endpoint: endpoints.s3, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, checksums: false });
  useS3rverCopySourceEncoding(s3);
  const dynamoBase = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: 'us-east-1', credentials: FAKE_CREDENTIALS });
  // Clients the sim never sends with (the Lambdas are called in-process).
  const clients: AwsClients = {
    s3,
    dynamo: DynamoDBDocumentClient.from(dynamoBase),
    lambda: new LambdaClient({ region: 'us-east-1', credentials: FAKE_CREDENTIALS }),
    sqs: new SQSClient({ region: 'us-east-1', credentials: FAKE_CREDENTIALS }),
    secrets: new SecretsManagerClient({ region: 'us-east-1', credentials: FAKE_CREDENTIALS }),
  };
  return { s3, dynamoBase, clients };
}

export function simAwsConfig(config: Config, hostKeyFingerprint: string): AwsConfig {
  return {
    THRU_BUCKET: SIM_BUCKET,
    THRU_TABLE: SIM_TABLE,
    THRU_PUBLIC_HOST: config.publicHost ?? config.bind,
    THRU_PUBLIC_PORT: config.sftpPort,
    THRU_HOST_KEY_FINGERPRINTS: hostKeyFingerprint,
    THRU_SSE: 'AES256',
    THRU_IDENTITY_TIMEOUT_MS: 5_000,
    THRU_LOG_LEVEL: 'info',
  };
}

/** The Fargate front end's composition, with the identity Lambda invoked in-process (the JSON the Invoke API would carry). */
export function simFrontEnd(config: Config, parts: AwsParts, hostKey: HostKey, options: SimOptions) {
  const identity = identityFunction(parts);
  const invokeIdentity = async (payload: string) => ({ payload: JSON.stringify(await identity(JSON.parse(payload))) });
  return startFrontEnd({
    ...parts,
    invokeIdentity,
    hostKey,
    port: config.sftpPort,
    bind: config.bind,
    sshLimits: { ...config.sshLimits, ...options.sshLimits },
    bruteForce: config.bruteForce,
    proxyProtocol: config.proxyProtocol,
  });
}

/** A sim SFTP worker (THRU_WORKERS > 1): the front end alone, on the main process's s3rver and dynalite. */
export async function startSimWorker(config: Config, logger: Logger, options: SimOptions = {}): Promise<{ stop(): Promise<void> }> {
  const endpoints = JSON.parse(process.env[SIM_ENDPOINTS_ENV] ?? 'null') as SimEndpoints | null;
  if (!endpoints) throw new Error(`${SIM_ENDPOINTS_ENV} is not set: a sim worker is started by \`npm run sim\` itself`);
  const hostKey = await loadOrCreateHostKey(resolve(config.dataDir));
  const { s3, dynamoBase, clients } = simClients(endpoints);
  const front = await simFrontEnd(config, { config: simAwsConfig(config, hostKey.fingerprint), clients, logger }, hostKey, options);
  return {
    async stop() {
      await front.sftp.close();
      s3.destroy();
      dynamoBase.destroy();
    },
  };
}
