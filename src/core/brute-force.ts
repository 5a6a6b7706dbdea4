// Brute-force defence per client address. Failed logins score points (an existing user
// 1, an unknown user 2, a connection that used up its authentication attempts 3 more);
// an address whose points within the window reach the ban score is banned, for longer
// each time it comes back. Scores and bans live in the directory, so every front end
// (every Fargate task) sees the same. The front end asks `banOf` once per accepted
// connection and reports failures (a password or a key signature that is wrong; a
// public key query is no failed login); the rules are here.
import { clientKey, ipInCidrs, parseIp } from './ip.js';
import type { Ban } from './model.js';
import type { Clock } from './ports/clock.js';
import type { BanStore, LoginFailureStore, Page, PageRequest } from './ports/directory.js';
import { notFound } from './errors.js';

export interface BruteForcePolicy {
  /** Points within the window that ban an address. */
  banScore: number;
  windowSeconds: number;
  /** Length of a first ban; each further ban in a row doubles it, up to maxBanSeconds. */
  banSeconds: number;
  /** Longest ban; also how long past bans are remembered after the last one ends. */
  maxBanSeconds: number;
  /** CIDR blocks never scored nor banned (monitoring, partners' fixed gateways). */
  safeList: string[];
}

export const DEFAULT_BRUTE_FORCE_POLICY: BruteForcePolicy = {
  banScore: 15,
  windowSeconds: 1800,
  banSeconds: 1800,
  maxBanSeconds: 86_400,
  safeList: [],
};

/** What went wrong, as the front end reports it. */
export type LoginFailure = 'existing_user' | 'unknown_user' | 'too_many_attempts';

export const FAILURE_POINTS: Record<LoginFailure, number> = { existing_user: 1, unknown_user: 2, too_many_attempts: 3 };

/** Scores are counted per bucket of window/30 (a minute for 30 minutes): the window is exact to a bucket. */
const BUCKETS_PER_WINDOW = 30;

/**
 * How a refused login scores, from the refusal reason of the identity provider or the
 * front end. Failures on the server's side (a broken account, a storage outage) are not
 * the client's and score nothing.
 */
export function failureOf(reason: string): LoginFailure | undefined {
  if (reason === 'unknown_user') return 'unknown_user';
  if (reason === 'misconfigured' || reason === 'identity_error' || reason === 'home_unavailable') return undefined;
  return 'existing_user';
}

export class BruteForceGuard {
  private readonly policy: BruteForcePolicy;
  private readonly bucketSeconds: number;

  constructor(
    private readonly store: { bans: BanStore; loginFailures: LoginFailureStore },
    private readonly clock: Clock,
    policy: Partial<BruteForcePolicy> = {},
  ) {
    this.policy = { ...DEFAULT_BRUTE_FORCE_POLICY, ...policy };
    this.bucketSeconds = Math.max(1, Math.ceil(this.policy.windowSeconds / BUCKETS_PER_WINDOW));
  }

  /** Never scored nor banned. Unparsable addresses are not safe. */
  isSafe(ip: string): boolean {
    return ipInCidrs(this.policy.safeList, ip);
  }

  /** The ban in force on this client, if any: one directory read. */
  async banOf(ip: string): Promise<Ban | undefined> {
    if (this.isSafe(ip) || !parseIp(ip)) return undefined;
    const now = this.clock.now();
    const record = await this.store.bans.get(clientKey(ip), now);
    return record && Date.parse(record.until) > now.getTime() ? record : undefined;
  }

  /** Scores a failed login; returns the ban it set off, if it did. */
  async recordFailure(ip: string, failure: LoginFailure): Promise<Ban | undefined> {
    if (this.isSafe(ip) || !parseIp(ip)) return undefined;
    const key = clientKey(ip);
    const now = this.clock.now();
    const seconds = Math.floor(now.getTime() / 1000);
    const bucket = seconds - (seconds % this.bucketSeconds);
    const { windowSeconds, banScore } = this.policy;
    const score = await this.store.loginFailures.add(key, FAILURE_POINTS[failure], bucket, bucket + this.bucketSeconds + windowSeconds, seconds - windowSeconds, now);
    if (score < banScore) return undefined;

    const previous = await this.store.bans.get(key, now);
    // Already banned (by another front end, or by a connection that was in flight).
    if (previous && Date.parse(previous.until) > now.getTime()) return undefined;
    const offences = (previous?.offences ?? 0) + 1;
    const { banSeconds, maxBanSeconds } = this.policy;
    const length = Math.min(banSeconds * 2 ** Math.min(offences - 1, 30), Math.max(maxBanSeconds, banSeconds));
    const until = new Date(now.getTime() + length * 1000);
    const ban: Ban = {
      ip: key,
      bannedAt: now.toISOString(),
      until: until.toISOString(),
      offences,
      score,
      expiresAt: Math.ceil(until.getTime() / 1000) + Math.max(maxBanSeconds, banSeconds),
    };
    if (!(await this.store.bans.put(ban, previous?.offences ?? 0, now))) return undefined;
    // A fresh start once the ban ends.
    await this.store.loginFailures.clear(key);
    return ban;
  }

  /** Bans in force, soonest to end first. */
  list(page: PageRequest): Promise<Page<Ban>> {
    return this.store.bans.listActive(this.clock.now(), page);
  }

  /**
   * Lifts the ban on an address (or IPv6 /64) and forgets its offences and score;
   * not_found when it has no ban record.
   */
  async lift(ipOrPrefix: string): Promise<void> {
    const key = clientKey(ipOrPrefix);
    const existed = await this.store.bans.delete(key, this.clock.now());
    await this.store.loginFailures.clear(key);
    if (!existed) throw notFound(`ban of ${key}`);
  }
}
