// The directory port: organizations, endpoints, flows, users and transfers (SPEC §2),
// and the brute-force defence's shared state (bans, login failure scores).
// SQLite backs it locally, one DynamoDB table on AWS; test/contract/directory.ts is the
// contract both pass.
//
// Updates take a pure transform and the adapter supplies the isolation (a SQLite
// transaction, a DynamoDB conditional write on `updatedAt`/`version`): a concurrent
// writer makes update() retry the transform or fail with `conflict`, never lose a write.
import type { Ban, Endpoint, Flow, FlowEndpoint, Organization, Transfer, User } from '../model.js';

export interface PageRequest {
  limit: number;
  /** Opaque, from the previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Absent on the last page. */
  cursor?: string;
}

export type Transform<T> = (current: T) => T;

export interface OrganizationStore {
  /** already_exists when the id is taken. */
  create(org: Organization): Promise<void>;
  get(id: string): Promise<Organization | undefined>;
  list(page: PageRequest): Promise<Page<Organization>>;
  /** not_found when absent; returns the stored result. */
  update(id: string, transform: Transform<Organization>): Promise<Organization>;
  /** not_found when absent. Children are the caller's business. */
  delete(id: string): Promise<void>;
}

export interface EndpointStore {
  create(endpoint: Endpoint): Promise<void>;
  get(id: string): Promise<Endpoint | undefined>;
  listByOrg(orgId: string, page: PageRequest): Promise<Page<Endpoint>>;
  update(id: string, transform: Transform<Endpoint>): Promise<Endpoint>;
  delete(id: string): Promise<void>;
}

export interface FlowStore {
  /** Stores the flow with its flow endpoints (sources and targets). */
  create(flow: Flow): Promise<void>;
  get(id: string): Promise<Flow | undefined>;
  listByOrg(orgId: string, page: PageRequest): Promise<Page<Flow>>;
  /** The transform may add, change or drop flow endpoints; their ids stay stable. */
  update(id: string, transform: Transform<Flow>): Promise<Flow>;
  delete(id: string): Promise<void>;
  getFlowEndpoint(id: string): Promise<FlowEndpoint | undefined>;
  /** Every flow endpoint (source or target) on an endpoint. */
  listFlowEndpointsByEndpoint(endpointId: string): Promise<FlowEndpoint[]>;
}

export interface UserStore {
  /** already_exists when the id or the username is taken (usernames are deployment-wide). */
  create(user: User): Promise<void>;
  get(id: string): Promise<User | undefined>;
  getByUsername(username: string): Promise<User | undefined>;
  listByFlowEndpoint(flowEndpointId: string, page: PageRequest): Promise<Page<User>>;
  /** The username cannot change through update. */
  update(id: string, transform: Transform<User>): Promise<User>;
  delete(id: string): Promise<void>;
}

export interface TransferStore {
  /** Creates the transfer unless one with its id exists; true when this call created it. */
  createIfAbsent(transfer: Transfer): Promise<boolean>;
  get(id: string): Promise<Transfer | undefined>;
  /** Newest first. */
  listByFlow(flowId: string, page: PageRequest): Promise<Page<Transfer>>;
  /** Bumps `version`; the transform sees the stored record. */
  update(id: string, transform: Transform<Transfer>): Promise<Transfer>;
  /** not_found when absent (records of files awaiting a trigger go when the file does). */
  delete(id: string): Promise<void>;
}

/**
 * Bans, one record per client key (src/core/ip.ts). A record whose `expiresAt` has passed
 * is absent to every method, whether or not the store has deleted it yet (DynamoDB's TTL
 * deletes late, dynalite never).
 */
export interface BanStore {
  get(ip: string, now: Date): Promise<Ban | undefined>;
  /**
   * Writes `ban` over the stored record, on condition that the record still has
   * `expectedOffences` offences (0: no live record). False, with nothing written, when
   * another writer got there first.
   */
  put(ban: Ban, expectedOffences: number, now: Date): Promise<boolean>;
  /** Bans in force (`until` after `now`), soonest to end first, then by ip. */
  listActive(now: Date, page: PageRequest): Promise<Page<Ban>>;
  /** Forgets the record; false when there was no live one. */
  delete(ip: string, now: Date): Promise<boolean>;
}

/**
 * Failed-login scores per client key, as counters per time bucket so that concurrent
 * front ends add atomically (SQLite: an upsert; DynamoDB: UpdateItem ADD).
 */
export interface LoginFailureStore {
  /**
   * Adds `points` to the counter of `ip` for the bucket starting at `bucket` (epoch
   * seconds), which is forgotten at `expiresAt`; returns the sum of the live counters of
   * `ip` whose bucket starts at or after `since`, this addition included.
   */
  add(ip: string, points: number, bucket: number, expiresAt: number, since: number, now: Date): Promise<number>;
  /** Forgets every counter of `ip`. */
  clear(ip: string): Promise<void>;
}

export interface Directory {
  readonly organizations: OrganizationStore;
  readonly endpoints: EndpointStore;
  readonly flows: FlowStore;
  readonly users: UserStore;
  readonly transfers: TransferStore;
  readonly bans: BanStore;
  readonly loginFailures: LoginFailureStore;
  close(): Promise<void>;
}
