// The connections this process holds, counted by client key (for the per-address limit
// and to end a freshly banned client's other connections) and by user (for the per-user
// limit). In-process: each Fargate task counts its own.
export interface LiveConnection {
  /** Client key (src/core/ip.ts): IPv4 address or IPv6 /64. */
  key: string;
  /** Set once logged in. */
  user?: string;
}

export class LiveConnections<C extends LiveConnection> {
  private readonly all = new Set<C>();
  private readonly byKey = new Map<string, Set<C>>();
  private readonly byUser = new Map<string, Set<C>>();

  get size(): number {
    return this.all.size;
  }

  [Symbol.iterator](): IterableIterator<C> {
    return this.all.values();
  }

  add(c: C): void {
    this.all.add(c);
    insert(this.byKey, c.key, c);
  }

  setUser(c: C, user: string): void {
    c.user = user;
    insert(this.byUser, user, c);
  }

  remove(c: C): void {
    if (!this.all.delete(c)) return;
    drop(this.byKey, c.key, c);
    if (c.user !== undefined) drop(this.byUser, c.user, c);
  }

  countFrom(key: string): number {
    return this.byKey.get(key)?.size ?? 0;
  }

  countOf(user: string): number {
    return this.byUser.get(user)?.size ?? 0;
  }

  from(key: string): C[] {
    return [...(this.byKey.get(key) ?? [])];
  }
}

function insert<C>(map: Map<string, Set<C>>, k: string, c: C): void {
  let set = map.get(k);
  if (!set) map.set(k, (set = new Set()));
  set.add(c);
}

function drop<C>(map: Map<string, Set<C>>, k: string, c: C): void {
  const set = map.get(k);
  if (!set) return;
  set.delete(c);
  if (set.size === 0) map.delete(k);
}
