// The AWS runtime's pieces that the Fargate front end shares with the Lambdas: the SDK
// clients, S3 storage, the DynamoDB directory, the identity Lambda's handler. Apart from
// aws.ts (the pipeline, the post-upload and admin Lambdas) so that the front end's process
// never loads what it does not run: the admin API (Hono, its OpenAPI schemas), the
// pipeline and its deliverers. A sim SFTP worker at rest held 97 MiB with them loaded.
import type { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Logger } from 'pino';
import { createS3Client } from '../adapters/aws/s3-client.js';
import { S3Storage } from '../adapters/aws/s3-storage.js';
import { DynamoDirectory } from '../adapters/aws/dynamo-directory.js';
import { DirectoryIdentity } from '../core/identity.js';
import { systemClock, type Clock } from '../core/ports/clock.js';
import { createIdentityHandler } from '../identity/handler.js';
import type { AwsConfig } from './aws-config.js';

export interface AwsClients {
  s3: S3Client;
  dynamo: DynamoDBDocumentClient;
  lambda: LambdaClient;
  sqs: SQSClient;
  secrets: SecretsManagerClient;
}

/** SDK clients for the real AWS, from the environment's region and credentials. */
export function awsClients(config: AwsConfig): AwsClients {
  const region = config.AWS_REGION;
  return {
    s3: createS3Client({ region }),
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient({ region })),
    lambda: new LambdaClient({ region }),
    sqs: new SQSClient({ region }),
    secrets: new SecretsManagerClient({ region }),
  };
}

export interface AwsParts {
  config: AwsConfig;
  clients: AwsClients;
  logger: Logger;
  clock?: Clock;
}

export function directoryOf(p: AwsParts): DynamoDirectory {
  return new DynamoDirectory({
    client: p.clients.dynamo,
    tableName: p.config.THRU_TABLE,
    clock: p.clock,
    onCleanupError: (err, what) => p.logger.warn({ err, what }, 'directory clean-up step failed; what it left is invisible to readers'),
  });
}

export function storageOf(p: AwsParts): S3Storage {
  return new S3Storage({
    client: p.clients.s3,
    bucket: p.config.THRU_BUCKET,
    prefix: p.config.THRU_BUCKET_PREFIX,
    serverSideEncryption: p.config.THRU_SSE,
    sseKmsKeyId: p.config.THRU_SSE_KMS_KEY_ID,
    logger: p.logger,
  });
}

/** The identity Lambda's handler (the sim's SFTP front end calls it in-process). */
export function identityFunction(p: AwsParts) {
  return createIdentityHandler({
    identity: new DirectoryIdentity(directoryOf(p), p.clock ?? systemClock),
    bucket: p.config.THRU_BUCKET,
    prefix: p.config.THRU_BUCKET_PREFIX,
    roleArn: p.config.THRU_TRANSFER_ROLE_ARN,
    log: p.logger,
  });
}
