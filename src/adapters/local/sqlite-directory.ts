// The directory port on SQLite (better-sqlite3). Each record is stored whole as JSON
// beside the columns it is found by; updates run their transform inside a transaction.
import type Database from 'better-sqlite3';
import { alreadyExists, invalidArgument, notFound } from '../../core/errors.js';
import { checkLimit, decodeCursor as decodeJson, encodeCursor } from '../paging.js';
import type { Endpoint, Flow, FlowEndpoint, Organization, Transfer, User } from '../../core/model.js';
import { sqliteBans, sqliteLoginFailures } from './sqlite-bans.js';
import { walSyncOf } from './wal-sync.js';
import type {
  BanStore,
  Directory,
  EndpointStore,
  FlowStore,
  LoginFailureStore,
  OrganizationStore,
  Page,
  PageRequest,
  TransferStore,
  Transform,
  UserStore,
} from '../../core/ports/directory.js';

/** A cursor is the sort key of the last row of the previous page. */
function decodeCursor(cursor: string, length: number): string[] {
  const parts = decodeJson(cursor);
  if (Array.isArray(parts) && parts.length === length && parts.every((p) => typeof p === 'string')) return parts;
  throw invalidArgument('invalid cursor');
}

const isUniqueViolation = (err: unknown) =>
  (err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || (err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';

type Row = { data: string };
const parse = <T>(row: Row | undefined): T | undefined => (row ? (JSON.parse(row.data) as T) : undefined);

/** Keyset pagination by id within a parent. */
function pageById<T>(db: Database.Database, table: string, parentColumn: string | undefined, parent: string | undefined, req: PageRequest): Page<T> {
  checkLimit(req.limit);
  const after = req.cursor ? decodeCursor(req.cursor, 1)[0]! : '';
  const where = parentColumn ? `${parentColumn} = ? AND id > ?` : 'id > ?';
  const args = parentColumn ? [parent, after, req.limit + 1] : [after, req.limit + 1];
  const rows = db.prepare(`SELECT id, data FROM ${table} WHERE ${where} ORDER BY id LIMIT ?`).all(...args) as (Row & { id: string })[];
  const items = rows.slice(0, req.limit).map((r) => JSON.parse(r.data) as T);
  const last = rows.length > req.limit ? rows[req.limit - 1] : undefined;
  return last ? { items, cursor: encodeCursor([last.id]) } : { items };
}

function updateRow<T extends { id: string }>(
  db: Database.Database,
  table: string,
  what: string,
  id: string,
  transform: Transform<T>,
  columns: (next: T) => Record<string, string>,
): T {
  return db.transaction(() => {
    const current = parse<T>(db.prepare(`SELECT data FROM ${table} WHERE id = ?`).get(id) as Row | undefined);
    if (!current) throw notFound(what);
    // The id is the record's key: a transform cannot change it.
    const next = { ...transform(current), id };
    const extra = columns(next);
    const sets = ['data = @data', ...Object.keys(extra).map((c) => `${c} = @${c}`)].join(', ');
    db.prepare(`UPDATE ${table} SET ${sets} WHERE id = @id`).run({ id, data: JSON.stringify(next), ...extra });
    return next;
  }).immediate();
}

function deleteRow(db: Database.Database, table: string, what: string, id: string): void {
  if (db.prepare(`DELETE FROM ${table} WHERE id = ?`).run(id).changes === 0) throw notFound(what);
}

function insert(db: Database.Database, sql: string, params: Record<string, unknown>, what: string): void {
  try {
    db.prepare(sql).run(params);
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyExists(what);
    throw err;
  }
}

export class SqliteDirectory implements Directory {
  readonly organizations: OrganizationStore;
  readonly endpoints: EndpointStore;
  readonly flows: FlowStore;
  readonly users: UserStore;
  readonly transfers: TransferStore;
  readonly bans: BanStore;
  readonly loginFailures: LoginFailureStore;

  constructor(readonly db: Database.Database) {
    this.bans = sqliteBans(db);
    this.loginFailures = sqliteLoginFailures(db);
    this.organizations = {
      create: async (o: Organization) => insert(db, 'INSERT INTO organizations (id, data) VALUES (@id, @data)', { id: o.id, data: JSON.stringify(o) }, 'organization'),
      get: async (id) => parse<Organization>(db.prepare('SELECT data FROM organizations WHERE id = ?').get(id) as Row | undefined),
      list: async (req) => pageById<Organization>(db, 'organizations', undefined, undefined, req),
      update: async (id, t) => updateRow(db, 'organizations', 'organization', id, t, () => ({})),
      delete: async (id) => deleteRow(db, 'organizations', 'organization', id),
    };
    this.endpoints = {
      create: async (e: Endpoint) =>
        insert(db, 'INSERT INTO endpoints (id, org_id, data) VALUES (@id, @org, @data)', { id: e.id, org: e.orgId, data: JSON.stringify(e) }, 'endpoint'),
      get: async (id) => parse<Endpoint>(db.prepare('SELECT data FROM endpoints WHERE id = ?').get(id) as Row | undefined),
      listByOrg: async (orgId, req) => pageById<Endpoint>(db, 'endpoints', 'org_id', orgId, req),
      update: async (id, t) => updateRow(db, 'endpoints', 'endpoint', id, t, () => ({})),
      delete: async (id) => deleteRow(db, 'endpoints', 'endpoint', id),
    };
    const writeFlowEndpoints = (flow: Flow) => {
      db.prepare('DELETE FROM flow_endpoints WHERE flow_id = ?').run(flow.id);
      const put = db.prepare('INSERT INTO flow_endpoints (id, flow_id, endpoint_id, data) VALUES (@id, @flow, @endpoint, @data)');
      for (const fe of [...flow.sources, ...flow.targets]) put.run({ id: fe.id, flow: flow.id, endpoint: fe.endpointId, data: JSON.stringify(fe) });
    };
    this.flows = {
      create: async (f: Flow) => {
        try {
          db.transaction(() => {
            db.prepare('INSERT INTO flows (id, org_id, data) VALUES (@id, @org, @data)').run({ id: f.id, org: f.orgId, data: JSON.stringify(f) });
            writeFlowEndpoints(f);
          }).immediate();
        } catch (err) {
          if (isUniqueViolation(err)) throw alreadyExists('flow');
          throw err;
        }
      },
      get: async (id) => parse<Flow>(db.prepare('SELECT data FROM flows WHERE id = ?').get(id) as Row | undefined),
      listByOrg: async (orgId, req) => pageById<Flow>(db, 'flows', 'org_id', orgId, req),
      update: async (id, t) => {
        try {
          return db.transaction(() => {
            const next = updateRow(db, 'flows', 'flow', id, t, () => ({}));
            writeFlowEndpoints(next);
            return next;
          }).immediate();
        } catch (err) {
          // Only flow_endpoints can collide: a flow endpoint id another flow uses.
          if (isUniqueViolation(err)) throw alreadyExists('flow endpoint');
          throw err;
        }
      },
      delete: async (id) =>
        db.transaction(() => {
          deleteRow(db, 'flows', 'flow', id);
          db.prepare('DELETE FROM flow_endpoints WHERE flow_id = ?').run(id);
        }).immediate(),
      getFlowEndpoint: async (id) => parse<FlowEndpoint>(db.prepare('SELECT data FROM flow_endpoints WHERE id = ?').get(id) as Row | undefined),
      listFlowEndpointsByEndpoint: async (endpointId) =>
        (db.prepare('SELECT data FROM flow_endpoints WHERE endpoint_id = ? ORDER BY id').all(endpointId) as Row[]).map((r) => JSON.parse(r.data) as FlowEndpoint),
    };
    this.users = {
      create: async (u: User) =>
        insert(
          db,
          'INSERT INTO users (id, username, flow_endpoint_id, data) VALUES (@id, @username, @fe, @data)',
          { id: u.id, username: u.username, fe: u.flowEndpointId, data: JSON.stringify(u) },
          'user',
        ),
      get: async (id) => parse<User>(db.prepare('SELECT data FROM users WHERE id = ?').get(id) as Row | undefined),
      getByUsername: async (username) => parse<User>(db.prepare('SELECT data FROM users WHERE username = ?').get(username) as Row | undefined),
      listByFlowEndpoint: async (feId, req) => pageById<User>(db, 'users', 'flow_endpoint_id', feId, req),
      update: async (id, t) =>
        updateRow<User>(db, 'users', 'user', id, (current) => ({ ...t(current), username: current.username }), (next) => ({ flow_endpoint_id: next.flowEndpointId })),
      delete: async (id) => deleteRow(db, 'users', 'user', id),
    };
    this.transfers = {
      createIfAbsent: async (t: Transfer) =>
        db.prepare('INSERT OR IGNORE INTO transfers (id, flow_id, received_at, data) VALUES (@id, @flow, @at, @data)').run({
          id: t.id,
          flow: t.flowId,
          at: t.receivedAt,
          data: JSON.stringify(t),
        }).changes === 1,
      get: async (id) => parse<Transfer>(db.prepare('SELECT data FROM transfers WHERE id = ?').get(id) as Row | undefined),
      listByFlow: async (flowId, req) => {
        checkLimit(req.limit);
        const [at, id] = req.cursor ? decodeCursor(req.cursor, 2) : [undefined, undefined];
        const rows = (
          at === undefined
            ? db.prepare('SELECT id, received_at, data FROM transfers WHERE flow_id = ? ORDER BY received_at DESC, id DESC LIMIT ?').all(flowId, req.limit + 1)
            : db
                .prepare(
                  'SELECT id, received_at, data FROM transfers WHERE flow_id = ? AND (received_at < ? OR (received_at = ? AND id < ?)) ORDER BY received_at DESC, id DESC LIMIT ?',
                )
                .all(flowId, at, at, id, req.limit + 1)
        ) as (Row & { id: string; received_at: string })[];
        const items = rows.slice(0, req.limit).map((r) => JSON.parse(r.data) as Transfer);
        const last = rows.length > req.limit ? rows[req.limit - 1] : undefined;
        return last ? { items, cursor: encodeCursor([last.received_at, last.id]) } : { items };
      },
      update: async (id, t) =>
        updateRow<Transfer>(db, 'transfers', 'transfer', id, (current) => ({ ...t(current), version: current.version + 1 }), (next) => ({ received_at: next.receivedAt })),
      delete: async (id) => deleteRow(db, 'transfers', 'transfer', id),
    };
  }

  /**
   * Resolves once every write so far survives a power loss (commits are synced lazily,
   * see sqlite.ts): for changes someone is about to be told about.
   */
  async syncWrites(): Promise<void> {
    await walSyncOf(this.db)?.sync();
  }

  /** Why writes can no longer be made durable (a failed WAL sync), if they cannot. */
  syncProblem(): string | undefined {
    return this.db.open ? walSyncOf(this.db)?.failure?.message : undefined;
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    await walSyncOf(this.db)?.close();
    this.db.close();
  }
}
