// The single-table layout the DynamoDB directory adapter relies on. The adapter and
// this CDK app must agree on these names; change them here and nowhere else in lib/.
export const DIRECTORY_TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  globalSecondaryIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
  /** Numeric epoch seconds; DynamoDB deletes the item some time after. */
  ttlAttribute: 'expiresAt',
} as const;
