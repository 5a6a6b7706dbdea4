// The single-table layout, taken from the DynamoDB directory adapter's own definition
// (src/adapters/aws/dynamo-keys.ts) so the table CDK creates is the one the adapter
// and its dynalite tests use: one source of truth for key and index names.
import { LOGIN_DEFENCE_PARTITION_PREFIXES, directoryTableDefinition } from '../../src/adapters/aws/dynamo-keys.js';

const definition = directoryTableDefinition('unused');
const keyOf = (schema: { AttributeName?: string; KeyType?: string }[] | undefined, type: 'HASH' | 'RANGE') => {
  const name = schema?.find((k) => k.KeyType === type)?.AttributeName;
  if (!name) throw new Error(`the directory table definition has no ${type} key`);
  return name;
};

export const DIRECTORY_TABLE_SCHEMA = {
  partitionKey: keyOf(definition.KeySchema, 'HASH'),
  sortKey: keyOf(definition.KeySchema, 'RANGE'),
  globalSecondaryIndexes: (definition.GlobalSecondaryIndexes ?? []).map((g) => ({
    indexName: g.IndexName!,
    partitionKey: keyOf(g.KeySchema, 'HASH'),
    sortKey: keyOf(g.KeySchema, 'RANGE'),
  })),
  /** Numeric epoch seconds; DynamoDB deletes the item some time after (ban and login failure items). */
  ttlAttribute: 'expiresAt',
  /** Partition key prefixes of the items the SFTP front end writes (bans, login failure scores). */
  loginDefencePartitionPrefixes: [...LOGIN_DEFENCE_PARTITION_PREFIXES],
};
