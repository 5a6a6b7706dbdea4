// The few DynamoDB calls the directory makes, on the document client: consistent reads,
// conditional writes that answer true/false instead of throwing, queries page by page,
// and batch reads that finish their unprocessed keys. Every other failure leaves here
// as a CoreError.
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unavailable } from '../../core/errors.js';
import { fromDynamo } from './dynamo-errors.js';
import type { GSI1, Key } from './dynamo-keys.js';

export type Item = Record<string, unknown>;

/** A condition expression; `#name` stands for the attribute `name`, `:value` for a value. */
export interface Condition {
  expression: string;
  values?: Record<string, unknown>;
}

export const ifAbsent: Condition = { expression: 'attribute_not_exists(#PK)' };
export const ifPresent: Condition = { expression: 'attribute_exists(#PK)' };

export interface QuerySpec {
  /** GSI1, or the table itself (then reads are consistent). */
  index?: typeof GSI1;
  partition: string;
  /** Sort key prefix (begins_with). */
  prefix?: string;
  /** Instead of a prefix: sort keys after (`>`) or from (`>=`) a value. */
  range?: { op: '>' | '>='; value: string };
  descending?: boolean;
}

const BATCH_GET_MAX = 100;
const BATCH_GET_ROUNDS = 8;

const namesOf = (expression: string) => Object.fromEntries([...expression.matchAll(/#(\w+)/g)].map((m) => [m[0], m[1]!]));

const isConditionFailure = (err: unknown) => (err as { name?: string }).name === 'ConditionalCheckFailedException';

export class DynamoTable {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  async get<I extends Item>(key: Key): Promise<I | undefined> {
    try {
      const out = await this.client.send(new GetCommand({ TableName: this.name, Key: key, ConsistentRead: true }));
      return out.Item as I | undefined;
    } catch (err) {
      throw fromDynamo(err, 'GetItem');
    }
  }

  /** False when the condition did not hold. */
  async put(item: Item, condition?: Condition): Promise<boolean> {
    try {
      await this.client.send(new PutCommand({ TableName: this.name, Item: item, ...expression(condition) }));
      return true;
    } catch (err) {
      if (condition && isConditionFailure(err)) return false;
      throw fromDynamo(err, 'PutItem');
    }
  }

  /** The deleted item, or undefined when the condition did not hold (or nothing was there). */
  async delete<I extends Item>(key: Key, condition?: Condition): Promise<I | undefined> {
    try {
      const out = await this.client.send(new DeleteCommand({ TableName: this.name, Key: key, ReturnValues: 'ALL_OLD', ...expression(condition) }));
      return out.Attributes as I | undefined;
    } catch (err) {
      if (condition && isConditionFailure(err)) return undefined;
      throw fromDynamo(err, 'DeleteItem');
    }
  }

  /** UpdateItem (`#name` for attributes, `:value` for values); the item as it is after. */
  async update<I extends Item>(key: Key, update: Condition): Promise<I> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.name,
          Key: key,
          UpdateExpression: update.expression,
          ExpressionAttributeNames: namesOf(update.expression),
          ExpressionAttributeValues: update.values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes as I;
    } catch (err) {
      throw fromDynamo(err, 'UpdateItem');
    }
  }

  /** One Query call: up to `limit` items from `startKey` on. */
  async query<I extends Item>(spec: QuerySpec, limit: number, startKey?: Item): Promise<{ items: I[]; lastKey?: Item }> {
    const [pk, sk] = spec.index ? ['GSI1PK', 'GSI1SK'] : ['PK', 'SK'];
    const values: Record<string, unknown> = { ':pk': spec.partition };
    let keyCondition = `#${pk} = :pk`;
    if (spec.prefix !== undefined) {
      keyCondition += ` AND begins_with(#${sk}, :prefix)`;
      values[':prefix'] = spec.prefix;
    } else if (spec.range) {
      keyCondition += ` AND #${sk} ${spec.range.op} :from`;
      values[':from'] = spec.range.value;
    }
    try {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.name,
          IndexName: spec.index,
          KeyConditionExpression: keyCondition,
          ExpressionAttributeNames: namesOf(keyCondition),
          ExpressionAttributeValues: values,
          ScanIndexForward: !spec.descending,
          ConsistentRead: spec.index ? undefined : true,
          Limit: limit,
          ExclusiveStartKey: startKey,
        }),
      );
      return { items: (out.Items ?? []) as I[], lastKey: out.LastEvaluatedKey };
    } catch (err) {
      throw fromDynamo(err, 'Query');
    }
  }

  async queryAll<I extends Item>(spec: QuerySpec): Promise<I[]> {
    const items: I[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.query<I>(spec, 1000, startKey);
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey);
    return items;
  }

  /** Consistent reads of many keys; missing items are left out. */
  async batchGet<I extends Item>(keys: Key[]): Promise<I[]> {
    const found: I[] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
      let pending: Key[] = keys.slice(i, i + BATCH_GET_MAX);
      for (let round = 0; pending.length > 0; round++) {
        // DynamoDB may hand back part of a batch under load: ask again for the rest, with backoff.
        if (round === BATCH_GET_ROUNDS) throw unavailable(`DynamoDB BatchGetItem left ${pending.length} keys unprocessed`);
        if (round > 0) await sleep(Math.random() * Math.min(1000, 25 * 2 ** round));
        try {
          const out = await this.client.send(new BatchGetCommand({ RequestItems: { [this.name]: { Keys: pending, ConsistentRead: true } } }));
          found.push(...((out.Responses?.[this.name] ?? []) as I[]));
          pending = (out.UnprocessedKeys?.[this.name]?.Keys ?? []) as Key[];
        } catch (err) {
          throw fromDynamo(err, 'BatchGetItem');
        }
      }
    }
    return found;
  }
}

function expression(condition: Condition | undefined) {
  if (!condition) return {};
  return {
    ConditionExpression: condition.expression,
    ExpressionAttributeNames: namesOf(condition.expression),
    ...(condition.values ? { ExpressionAttributeValues: condition.values } : {}),
  };
}
