// The directory port on one DynamoDB table (key schema and access patterns in
// dynamo-keys.ts). Organizations, endpoints and transfers are one item each; users and
// flows keep extra items, written without transactions (dynamo-users.ts, dynamo-flows.ts);
// bans and login failure scores are TTL'd items (dynamo-bans.ts).
// The caller owns the client: close() leaves it open.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { alreadyExists } from '../../core/errors.js';
import type { Endpoint, Flow, Organization, Transfer, User } from '../../core/model.js';
import { systemClock, type Clock } from '../../core/ports/clock.js';
import type { BanStore, Directory, EndpointStore, FlowStore, LoginFailureStore, OrganizationStore, TransferStore, UserStore } from '../../core/ports/directory.js';
import { DynamoBans, DynamoLoginFailures } from './dynamo-bans.js';
import { DynamoFlows, flowType } from './dynamo-flows.js';
import { children, recordKey } from './dynamo-keys.js';
import { Records } from './dynamo-records.js';
import { DynamoTable } from './dynamo-table.js';
import { DynamoUsers, userType } from './dynamo-users.js';

export interface DynamoDirectoryOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock?: Clock;
  /** Attempts of an update's transform before it fails with `conflict` (default 16). */
  maxUpdateAttempts?: number;
  /** Age past which a username claim with no user is taken over (default 60 s). */
  usernameLeaseMs?: number;
  /** Told about a failed clean-up step; what it leaves behind is invisible to readers. */
  onCleanupError?: (err: unknown, what: string) => void;
}

const organizationType = {
  kind: 'organization',
  what: 'organization',
  key: recordKey.organization,
  index: (o: Organization) => ({ GSI1PK: children.organizations.partition(), GSI1SK: `${children.organizations.prefix}${o.id}` }),
};
const endpointType = {
  kind: 'endpoint',
  what: 'endpoint',
  key: recordKey.endpoint,
  index: (e: Endpoint) => ({ GSI1PK: children.endpointsOfOrg.partition(e.orgId), GSI1SK: `${children.endpointsOfOrg.prefix}${e.id}` }),
};
const transferType = {
  kind: 'transfer',
  what: 'transfer',
  key: recordKey.transfer,
  index: (t: Transfer) => ({ GSI1PK: children.transfersOfFlow.partition(t.flowId), GSI1SK: `${children.transfersOfFlow.prefix}${t.receivedAt}#${t.id}` }),
};

export class DynamoDirectory implements Directory {
  readonly organizations: OrganizationStore;
  readonly endpoints: EndpointStore;
  readonly flows: FlowStore;
  readonly users: UserStore;
  readonly transfers: TransferStore;
  readonly bans: BanStore;
  readonly loginFailures: LoginFailureStore;

  constructor(options: DynamoDirectoryOptions) {
    const table = new DynamoTable(options.client, options.tableName);
    const attempts = options.maxUpdateAttempts ?? 16;
    const onCleanupError = options.onCleanupError ?? (() => {});
    const created = async (done: Promise<boolean>, what: string) => {
      if (!(await done)) throw alreadyExists(what);
    };

    const orgs = new Records<Organization>(table, organizationType, attempts);
    this.organizations = {
      create: (o) => created(orgs.create(o), 'organization'),
      get: (id) => orgs.get(id),
      list: (page) => orgs.page({ partition: children.organizations.partition(), prefix: children.organizations.prefix }, page),
      update: (id, t) => orgs.update(id, t),
      delete: async (id) => void (await orgs.delete(id)),
    };

    const endpoints = new Records<Endpoint>(table, endpointType, attempts);
    this.endpoints = {
      create: (e) => created(endpoints.create(e), 'endpoint'),
      get: (id) => endpoints.get(id),
      listByOrg: (orgId, page) => endpoints.page({ partition: children.endpointsOfOrg.partition(orgId), prefix: children.endpointsOfOrg.prefix }, page),
      update: (id, t) => endpoints.update(id, t),
      delete: async (id) => void (await endpoints.delete(id)),
    };

    this.flows = new DynamoFlows(table, new Records<Flow>(table, flowType, attempts), onCleanupError);
    this.users = new DynamoUsers(table, new Records<User>(table, userType, attempts), {
      clock: options.clock ?? systemClock,
      usernameLeaseMs: options.usernameLeaseMs ?? 60_000,
      onCleanupError,
    });

    const transfers = new Records<Transfer>(table, transferType, attempts);
    this.transfers = {
      createIfAbsent: (t) => transfers.create(t),
      get: (id) => transfers.get(id),
      listByFlow: (flowId, page) =>
        transfers.page({ partition: children.transfersOfFlow.partition(flowId), prefix: children.transfersOfFlow.prefix, descending: true }, page),
      update: (id, t) => transfers.update(id, t, { fix: (current, next) => ({ ...next, version: current.version + 1 }) }),
      delete: async (id) => void (await transfers.delete(id)),
    };

    this.bans = new DynamoBans(table);
    this.loginFailures = new DynamoLoginFailures(table);
  }

  async close(): Promise<void> {}
}
