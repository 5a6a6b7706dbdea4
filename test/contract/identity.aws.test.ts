// The identity contract on AWS: the Fargate front end's LambdaIdentity invokes the
// identity function (its request and answer through JSON, as the Invoke API carries
// them), which decides on the DynamoDB directory (dynalite).
import { afterAll, beforeAll } from 'vitest';
import { DynamoDirectory } from '../../src/adapters/aws/dynamo-directory.js';
import { LambdaIdentity } from '../../src/adapters/aws/lambda-identity.js';
import { DirectoryIdentity } from '../../src/core/identity.js';
import { createIdentityHandler } from '../../src/identity/handler.js';
import { startDynalite, type Dynalite } from '../support/dynalite.js';
import { identityContract } from './identity.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
let db: Dynalite;
let tables = 0;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.stop();
});

identityContract('LambdaIdentity → identity function → DynamoDB (Fargate)', async (clock) => {
  const tableName = await db.createTable(`identity-contract-${tables++}`);
  const directory = new DynamoDirectory({ client: db.client, tableName });
  const handler = createIdentityHandler({ identity: new DirectoryIdentity(directory, clock), bucket: 'files', log: silent });
  const identity = new LambdaIdentity({
    invoke: async (payload) => ({ payload: JSON.stringify(await handler(JSON.parse(payload))) }),
    timeoutMs: 5_000,
    serverId: 'thru-sftp-fargate',
    log: silent,
  });
  return { identity, directory, cleanup: async () => {} };
});
