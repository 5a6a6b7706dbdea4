// The directory contract against the DynamoDB adapter, on dynalite: a fresh table per test.
import { afterAll, beforeAll } from 'vitest';
import { DynamoDirectory } from '../../src/adapters/aws/dynamo-directory.js';
import { startDynalite, type Dynalite } from '../support/dynalite.js';
import { directoryContract } from './directory.js';

let dynamo: Dynalite;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});

directoryContract('DynamoDB (dynalite)', async () => {
  const directory = new DynamoDirectory({ client: dynamo.client, tableName: await dynamo.createTable() });
  return { directory, cleanup: () => directory.close() };
});
