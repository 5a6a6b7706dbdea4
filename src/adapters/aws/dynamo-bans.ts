// The brute-force defence's stores on the directory table (items and access patterns in
// dynamo-keys.ts). Items carry the TTL attribute `expiresAt`; DynamoDB deletes them some
// time after it (dynalite never), so every read treats an item past it as absent.
import { invalidArgument } from '../../core/errors.js';
import type { Ban } from '../../core/model.js';
import type { BanStore, LoginFailureStore } from '../../core/ports/directory.js';
import { checkLimit, decodeCursor, encodeCursor } from '../paging.js';
import { GSI1, banKey, bansIndex, loginFailurePartition, loginFailureSortKey } from './dynamo-keys.js';
import type { DynamoTable, QuerySpec } from './dynamo-table.js';

type BanItem = {
  PK: string;
  SK: string;
  GSI1PK: string;
  GSI1SK: string;
  kind: 'ban';
  offences: number;
  expiresAt: number;
  data: Ban;
};

type FailureItem = {
  PK: string;
  SK: string;
  points: number;
  expiresAt: number;
};

const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);
const live = <I extends { expiresAt: number }>(item: I | undefined, now: Date) => (item && item.expiresAt > epochSeconds(now) ? item : undefined);

export class DynamoBans implements BanStore {
  constructor(private readonly table: DynamoTable) {}

  async get(ip: string, now: Date): Promise<Ban | undefined> {
    return live(await this.table.get<BanItem>(banKey(ip)), now)?.data;
  }

  put(ban: Ban, expectedOffences: number, now: Date): Promise<boolean> {
    const item: BanItem = {
      ...banKey(ban.ip),
      GSI1PK: bansIndex.partition,
      GSI1SK: `${bansIndex.prefix}${ban.until}#${ban.ip}`,
      kind: 'ban',
      offences: ban.offences,
      expiresAt: ban.expiresAt,
      data: ban,
    };
    // "No live record" covers an expired item that TTL has not deleted yet.
    const condition =
      expectedOffences === 0
        ? { expression: 'attribute_not_exists(#PK) OR #expiresAt <= :now', values: { ':now': epochSeconds(now) } }
        : { expression: '#offences = :expected AND #expiresAt > :now', values: { ':expected': expectedOffences, ':now': epochSeconds(now) } };
    return this.table.put(item, condition);
  }

  async listActive(now: Date, request: { limit: number; cursor?: string }) {
    checkLimit(request.limit);
    const query: QuerySpec = { index: GSI1, partition: bansIndex.partition, range: { op: '>', value: `${bansIndex.prefix}${now.toISOString()}` } };
    const items: BanItem[] = [];
    let startKey: Record<string, unknown> | undefined = request.cursor ? cursorKey(request.cursor) : undefined;
    // One item past the page tells whether another page follows.
    do {
      const page = await this.table.query<BanItem>(query, Math.min(request.limit + 1 - items.length, 1000), startKey);
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey && items.length <= request.limit);
    const bans = items.slice(0, request.limit).map((i) => i.data);
    if (items.length <= request.limit) return { items: bans };
    const last = items[request.limit - 1]!;
    return { items: bans, cursor: encodeCursor({ PK: last.PK, SK: last.SK, GSI1PK: last.GSI1PK, GSI1SK: last.GSI1SK }) };
  }

  async delete(ip: string, now: Date): Promise<boolean> {
    return live(await this.table.delete<BanItem>(banKey(ip)), now) !== undefined;
  }
}

/** The GSI1 key a cursor carries, refused unless it is a bans listing's. */
function cursorKey(cursor: string): Record<string, string> {
  const key = decodeCursor(cursor);
  if (typeof key === 'object' && key !== null && !Array.isArray(key)) {
    const k = key as Record<string, unknown>;
    const shaped = Object.keys(k).length === 4 && ['PK', 'SK', 'GSI1PK', 'GSI1SK'].every((a) => typeof k[a] === 'string' && k[a] !== '');
    if (shaped && k.GSI1PK === bansIndex.partition && (k.GSI1SK as string).startsWith(bansIndex.prefix)) return k as Record<string, string>;
  }
  throw invalidArgument('invalid cursor');
}

export class DynamoLoginFailures implements LoginFailureStore {
  constructor(private readonly table: DynamoTable) {}

  async add(ip: string, points: number, bucket: number, expiresAt: number, since: number, now: Date): Promise<number> {
    await this.table.update(
      { PK: loginFailurePartition(ip), SK: loginFailureSortKey(bucket) },
      { expression: 'SET #expiresAt = if_not_exists(#expiresAt, :expiresAt), #kind = :kind ADD #points :points', values: { ':expiresAt': expiresAt, ':kind': 'login-failure', ':points': points } },
    );
    const counters = await this.table.queryAll<FailureItem>({ partition: loginFailurePartition(ip), range: { op: '>=', value: loginFailureSortKey(since) } });
    const seconds = epochSeconds(now);
    return counters.reduce((sum, c) => (c.expiresAt > seconds ? sum + c.points : sum), 0);
  }

  async clear(ip: string): Promise<void> {
    const counters = await this.table.queryAll<FailureItem>({ partition: loginFailurePartition(ip) });
    await Promise.all(counters.map((c) => this.table.delete({ PK: c.PK, SK: c.SK })));
  }
}
