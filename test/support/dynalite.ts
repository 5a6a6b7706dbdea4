// dynalite (DynamoDB's wire protocol, in memory) on an ephemeral port, with the directory
// table created and document clients configured for it. The AWS runtime tests and
// `npm run sim` reuse it.
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { directoryTableDefinition } from '../../src/adapters/aws/dynamo-keys.js';

export interface Dynalite {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** The directory table created at start. */
  tableName: string;
  client: DynamoDBDocumentClient;
  /** Another client of its own (e.g. to add fault-injecting middleware); stop() destroys it. */
  newClient(config?: DynamoDBClientConfig): DynamoDBDocumentClient;
  /** Creates another, empty directory table and returns its name. */
  createTable(name?: string): Promise<string>;
  stop(): Promise<void>;
}

let tables = 0;

export async function startDynalite(options: { tableName?: string } = {}): Promise<Dynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bases: DynamoDBClient[] = [];

  const newClient = (config: DynamoDBClientConfig = {}) => {
    const base = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'dynalite', secretAccessKey: 'dynalite' },
      ...config,
    });
    bases.push(base);
    return DynamoDBDocumentClient.from(base);
  };
  const client = newClient();

  const createTable = async (name = `directory-${process.pid}-${++tables}`) => {
    await client.send(new CreateTableCommand(directoryTableDefinition(name)));
    await waitUntilTableExists({ client: bases[0]!, maxWaitTime: 10, minDelay: 0.01, maxDelay: 0.05 }, { TableName: name });
    return name;
  };
  const tableName = await createTable(options.tableName);

  return {
    endpoint,
    tableName,
    client,
    newClient,
    createTable,
    stop: async () => {
      for (const base of bases) base.destroy();
      server.closeAllConnections();
      await new Promise<void>((ok, fail) => server.close((err) => (err ? fail(err) : ok())));
    },
  };
}
