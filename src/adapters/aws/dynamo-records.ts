// One record type stored one item per record (dynamo-keys.ts): create-if-absent, consistent
// reads, updates as a conditional write on `rev` with a bounded retry of the transform,
// deletes, and GSI1 pages behind opaque cursors.
import { setTimeout as sleep } from 'node:timers/promises';
import { conflict, invalidArgument, notFound } from '../../core/errors.js';
import type { Page, PageRequest, Transform } from '../../core/ports/directory.js';
import { checkLimit, decodeCursor, encodeCursor } from '../paging.js';
import { GSI1, type Key } from './dynamo-keys.js';
import { ifAbsent, ifPresent, type DynamoTable, type QuerySpec } from './dynamo-table.js';

export interface RecordType<T extends { id: string }> {
  kind: string;
  /** For error messages: "user". */
  what: string;
  key(id: string): Key;
  /** Where the record sits in GSI1, if it is listed. */
  index?(record: T): { GSI1PK: string; GSI1SK: string };
}

export interface RecordItem<T> extends Key {
  GSI1PK?: string;
  GSI1SK?: string;
  kind: string;
  rev: number;
  data: T;
  [attribute: string]: unknown;
}

export interface UpdateHooks<T> {
  /** Corrects the transform's result, for fields a transform may not change. */
  fix?(current: T, next: T): T;
  /** Runs before `next` is written as revision `rev`; throwing refuses the update. */
  beforeWrite?(current: T, next: T, rev: number): Promise<void>;
  /** Runs once `next` is stored as revision `rev`. */
  afterWrite?(current: T, next: T, rev: number): Promise<void>;
}

export interface GsiPage {
  partition: string;
  prefix: string;
  descending?: boolean;
}

/** Records are plain JSON data: store exactly what JSON keeps (undefined fields vanish, as in SQLite). */
const asStored = <T>(record: T): T => JSON.parse(JSON.stringify(record)) as T;

/** Jittered exponential backoff between optimistic-concurrency attempts. */
const backoff = (attempt: number) => sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));

export class Records<T extends { id: string }> {
  constructor(
    private readonly table: DynamoTable,
    private readonly type: RecordType<T>,
    private readonly maxAttempts: number,
  ) {}

  item(record: T, rev: number): RecordItem<T> {
    return { ...this.type.key(record.id), ...this.type.index?.(record), kind: this.type.kind, rev, data: asStored(record) };
  }

  /** False when a record with this id exists. */
  create(record: T): Promise<boolean> {
    return this.table.put(this.item(record, 1), ifAbsent);
  }

  read(id: string): Promise<RecordItem<T> | undefined> {
    return this.table.get<RecordItem<T>>(this.type.key(id));
  }

  async get(id: string): Promise<T | undefined> {
    return (await this.read(id))?.data;
  }

  /**
   * Reads, transforms and writes on condition that nobody wrote in between; otherwise
   * reads again and reruns the transform. With at most N concurrent writers every update
   * succeeds within N attempts (each lost race is another writer's success); past
   * maxAttempts it fails with `conflict` and nothing written.
   */
  async update(id: string, transform: Transform<T>, hooks: UpdateHooks<T> = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.read(id);
      if (!current) throw notFound(this.type.what);
      // The id is the record's key: a transform cannot change it.
      let next: T = { ...transform(current.data), id };
      if (hooks.fix) next = hooks.fix(current.data, next);
      const rev = current.rev + 1;
      await hooks.beforeWrite?.(current.data, next, rev);
      if (await this.table.put(this.item(next, rev), { expression: '#rev = :rev', values: { ':rev': current.rev } })) {
        await hooks.afterWrite?.(current.data, next, rev);
        return next;
      }
      if (attempt >= this.maxAttempts) throw conflict(`the ${this.type.what} kept changing under ${attempt} concurrent updates; try again`);
      await backoff(attempt);
    }
  }

  /** Deletes and returns the stored item; not_found when absent. */
  async delete(id: string): Promise<RecordItem<T>> {
    const old = await this.table.delete<RecordItem<T>>(this.type.key(id), ifPresent);
    if (!old) throw notFound(this.type.what);
    return old;
  }

  /** A page of GSI1 children, in sort key order; the cursor is the last item's key. */
  async page(spec: GsiPage, request: PageRequest): Promise<Page<T>> {
    checkLimit(request.limit);
    const query: QuerySpec = { index: GSI1, partition: spec.partition, prefix: spec.prefix, descending: spec.descending };
    // One item past the page tells whether another page follows, so the last page has no cursor.
    const items: RecordItem<T>[] = [];
    // An empty cursor is no cursor, as in the SQLite adapter.
    let startKey: Record<string, unknown> | undefined = request.cursor ? cursorKey(request.cursor, spec) : undefined;
    do {
      const page = await this.table.query<RecordItem<T>>(query, Math.min(request.limit + 1 - items.length, 1000), startKey);
      items.push(...page.items);
      startKey = page.lastKey;
    } while (startKey && items.length <= request.limit);
    if (items.length <= request.limit) return { items: items.map((i) => i.data) };
    const last = items[request.limit - 1]!;
    return {
      items: items.slice(0, request.limit).map((i) => i.data),
      cursor: encodeCursor({ PK: last.PK, SK: last.SK, GSI1PK: last.GSI1PK, GSI1SK: last.GSI1SK }),
    };
  }
}

/** The GSI1 key a cursor carries, refused unless it belongs to this very listing. */
function cursorKey(cursor: string, spec: GsiPage): Record<string, string> {
  const key = decodeCursor(cursor);
  if (typeof key === 'object' && key !== null && !Array.isArray(key)) {
    const k = key as Record<string, unknown>;
    const shaped = Object.keys(k).length === 4 && ['PK', 'SK', 'GSI1PK', 'GSI1SK'].every((a) => typeof k[a] === 'string' && k[a] !== '');
    if (shaped && k.GSI1PK === spec.partition && (k.GSI1SK as string).startsWith(spec.prefix)) return k as Record<string, string>;
  }
  throw invalidArgument('invalid cursor');
}
