// Users, with usernames unique across the deployment and no transactions.
//
// A username is held by a claim item (USERNAME#<name> -> userId) written with
// attribute_not_exists before the user item, and removed after it. Readers go through the
// claim and keep the user only if it carries that username, so a claim whose user is
// missing (a create that died between the two writes, or a delete that died after the
// first) hides nothing and shows nothing. Such an orphan claim is taken over once it is
// older than the lease: younger, it may belong to a create still under way. A create
// checks after writing its user that it still holds the claim, so even a create stalled
// past the lease cannot leave two users with one name.
import { alreadyExists } from '../../core/errors.js';
import type { User } from '../../core/model.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Page, PageRequest, Transform, UserStore } from '../../core/ports/directory.js';
import { children, recordKey, usernameKey } from './dynamo-keys.js';
import type { Records } from './dynamo-records.js';
import { ifAbsent, type DynamoTable } from './dynamo-table.js';

interface ClaimItem {
  PK: string;
  SK: string;
  kind: 'username';
  userId: string;
  claimedAt: string;
  [attribute: string]: unknown;
}

export const userType = {
  kind: 'user',
  what: 'user',
  key: recordKey.user,
  index: (u: User) => ({ GSI1PK: children.usersOfFlowEndpoint.partition(u.flowEndpointId), GSI1SK: `${children.usersOfFlowEndpoint.prefix}${u.id}` }),
};

export interface DynamoUsersOptions {
  clock: Clock;
  usernameLeaseMs: number;
  onCleanupError(err: unknown, what: string): void;
}

export class DynamoUsers implements UserStore {
  constructor(
    private readonly table: DynamoTable,
    private readonly users: Records<User>,
    private readonly options: DynamoUsersOptions,
  ) {}

  async create(user: User): Promise<void> {
    await this.claim(user);
    let created: boolean;
    try {
      created = await this.users.create(user);
    } catch (err) {
      await this.release(user);
      throw err;
    }
    if (!created) {
      await this.release(user);
      throw alreadyExists('user');
    }
    const claim = await this.table.get<ClaimItem>(usernameKey(user.username));
    if (claim?.userId !== user.id) {
      // Our claim was taken over while this create stalled: the other create wins.
      await this.cleanup(() => this.table.delete(recordKey.user(user.id), { expression: '#rev = :rev', values: { ':rev': 1 } }), 'user of a lost username claim');
      throw alreadyExists('username');
    }
  }

  get(id: string): Promise<User | undefined> {
    return this.users.get(id);
  }

  async getByUsername(username: string): Promise<User | undefined> {
    const claim = await this.table.get<ClaimItem>(usernameKey(username));
    if (!claim) return undefined;
    const user = await this.users.get(claim.userId);
    return user?.username === username ? user : undefined;
  }

  listByFlowEndpoint(flowEndpointId: string, page: PageRequest): Promise<Page<User>> {
    const c = children.usersOfFlowEndpoint;
    return this.users.page({ partition: c.partition(flowEndpointId), prefix: c.prefix }, page);
  }

  update(id: string, transform: Transform<User>): Promise<User> {
    return this.users.update(id, transform, { fix: (current, next) => ({ ...next, username: current.username }) });
  }

  async delete(id: string): Promise<void> {
    const old = await this.users.delete(id);
    await this.cleanup(
      () => this.table.delete(usernameKey(old.data.username), { expression: '#userId = :id', values: { ':id': id } }),
      'username claim of a deleted user',
    );
  }

  /** Takes the username for `user`, or throws already_exists. */
  private async claim(user: User): Promise<void> {
    const now = this.options.clock.now();
    const item: ClaimItem = { ...usernameKey(user.username), kind: 'username', userId: user.id, claimedAt: now.toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.table.put(item, ifAbsent)) return;
      const held = await this.table.get<ClaimItem>(usernameKey(user.username));
      if (!held) continue; // released meanwhile
      if (held.userId === user.id) return; // this same create, tried again
      const owner = await this.users.get(held.userId);
      if (owner?.username === user.username) break;
      if (now.getTime() - Date.parse(held.claimedAt) < this.options.usernameLeaseMs) break;
      const takeover = { expression: '#userId = :userId AND #claimedAt = :claimedAt', values: { ':userId': held.userId, ':claimedAt': held.claimedAt } };
      if (await this.table.put(item, takeover)) return;
    }
    throw alreadyExists('username');
  }

  /** Gives the username back after a failed create, unless a user with this id holds it (a repeated create). */
  private async release(user: User): Promise<void> {
    await this.cleanup(async () => {
      if ((await this.users.get(user.id))?.username === user.username) return;
      await this.table.delete(usernameKey(user.username), { expression: '#userId = :id', values: { ':id': user.id } });
    }, 'username claim of a failed create');
  }

  /** Tidying after the outcome is decided: a failure here leaves only what readers ignore. */
  private async cleanup(step: () => Promise<unknown>, what: string): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.options.onCleanupError(err, what);
    }
  }
}
