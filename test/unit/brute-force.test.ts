// The brute-force rules (src/core/brute-force.ts) on a real SQLite directory with a clock
// the test drives: scores, the window, bans growing for repeat offenders, the safe list,
// IPv6 by /64, lifting.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteDirectory } from '../../src/adapters/local/sqlite-directory.js';
import { openDatabase } from '../../src/adapters/local/sqlite.js';
import { BruteForceGuard, failureOf, type BruteForcePolicy, type LoginFailure } from '../../src/core/brute-force.js';
import { isCoreError } from '../../src/core/errors.js';
import { clientKey } from '../../src/core/ip.js';

let dir: SqliteDirectory;
let now: number;
const clock = { now: () => new Date(now) };
const advance = (seconds: number) => void (now += seconds * 1000);

beforeEach(() => {
  dir = new SqliteDirectory(openDatabase(':memory:'));
  now = Date.parse('2030-06-01T12:00:00.000Z');
});
afterEach(async () => {
  await dir.close();
});

const guardWith = (policy: Partial<BruteForcePolicy> = {}) => new BruteForceGuard(dir, clock, policy);

async function fail(guard: BruteForceGuard, ip: string, failure: LoginFailure, times: number) {
  const bans = [];
  for (let i = 0; i < times; i++) {
    const ban = await guard.recordFailure(ip, failure);
    if (ban) bans.push(ban);
  }
  return bans;
}

describe('scores', () => {
  it('an existing user scores 1: the 15th failure bans', async () => {
    const guard = guardWith();
    expect(await fail(guard, '192.0.2.1', 'existing_user', 14)).toEqual([]);
    expect(await guard.banOf('192.0.2.1')).toBeUndefined();
    const [ban] = await fail(guard, '192.0.2.1', 'existing_user', 1);
    expect(ban).toMatchObject({ ip: '192.0.2.1', offences: 1, score: 15, until: new Date(now + 1800_000).toISOString() });
    expect(await guard.banOf('192.0.2.1')).toEqual(ban);
    expect(await guard.banOf('192.0.2.2')).toBeUndefined();
  });

  it('an unknown user scores 2 and a used-up connection 3', async () => {
    const guard = guardWith();
    expect(await fail(guard, '192.0.2.1', 'unknown_user', 6)).toEqual([]); // 12
    expect(await fail(guard, '192.0.2.1', 'too_many_attempts', 1)).toHaveLength(1); // 15
    expect(await fail(guard, '192.0.2.2', 'unknown_user', 7)).toHaveLength(0); // 14
    expect(await fail(guard, '192.0.2.2', 'unknown_user', 1)).toHaveLength(1); // 16
  });

  it('only failures within the window count', async () => {
    const guard = guardWith();
    await fail(guard, '192.0.2.1', 'existing_user', 10);
    advance(1900);
    expect(await fail(guard, '192.0.2.1', 'existing_user', 14)).toEqual([]);
    advance(600);
    expect(await fail(guard, '192.0.2.1', 'existing_user', 1)).toHaveLength(1);
  });

  it('reasons map to failures; the server\'s own failures score nothing', () => {
    expect(failureOf('unknown_user')).toBe('unknown_user');
    for (const r of ['bad_password', 'bad_signature', 'unknown_key', 'disabled', 'expired', 'source_ip_not_allowed', 'sha1_signature']) expect(failureOf(r)).toBe('existing_user');
    for (const r of ['misconfigured', 'identity_error', 'home_unavailable']) expect(failureOf(r)).toBeUndefined();
  });
});

describe('bans', () => {
  it('end after their time, and grow for repeat offenders up to the maximum', async () => {
    const guard = guardWith({ banSeconds: 1800, maxBanSeconds: 4 * 3600 });
    const lengths: number[] = [];
    for (let round = 0; round < 5; round++) {
      const [ban] = await fail(guard, '192.0.2.1', 'unknown_user', 8);
      expect(ban?.offences).toBe(round + 1);
      lengths.push((Date.parse(ban!.until) - now) / 1000);
      advance(lengths.at(-1)! - 1);
      expect(await guard.banOf('192.0.2.1')).toBeDefined();
      advance(1);
      expect(await guard.banOf('192.0.2.1')).toBeUndefined();
    }
    expect(lengths).toEqual([1800, 3600, 7200, 14_400, 14_400]);
  });

  it('an offender forgotten after the memory period starts over', async () => {
    const guard = guardWith({ banSeconds: 1800, maxBanSeconds: 7200 });
    await fail(guard, '192.0.2.1', 'unknown_user', 8);
    advance(1800 + 7200);
    const [ban] = await fail(guard, '192.0.2.1', 'unknown_user', 8);
    expect(ban?.offences).toBe(1);
  });

  it('failures during a ban do not extend it', async () => {
    const guard = guardWith();
    const [ban] = await fail(guard, '192.0.2.1', 'unknown_user', 8);
    // Connections already in flight when the ban fell still report.
    expect(await fail(guard, '192.0.2.1', 'unknown_user', 20)).toEqual([]);
    expect(await guard.banOf('192.0.2.1')).toEqual(ban);
  });

  it('IPv6 clients are banned by /64; IPv4-mapped addresses are IPv4', async () => {
    const guard = guardWith();
    await fail(guard, '2001:db8:1:2::1', 'unknown_user', 4);
    await fail(guard, '2001:db8:1:2:ffff::9', 'unknown_user', 4);
    expect(await guard.banOf('2001:db8:1:2:abcd::77')).toMatchObject({ ip: '2001:db8:1:2::/64' });
    expect(await guard.banOf('2001:db8:1:3::1')).toBeUndefined();

    await fail(guard, '::ffff:198.51.100.4', 'unknown_user', 8);
    expect(await guard.banOf('198.51.100.4')).toMatchObject({ ip: '198.51.100.4' });
    expect(clientKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
  });

  it('the safe list is never scored nor banned, even with a ban recorded earlier', async () => {
    await fail(guardWith(), '10.1.2.3', 'unknown_user', 8);
    const guard = guardWith({ safeList: ['10.0.0.0/8', '2001:db8:ffff::/48'] });
    expect(await guard.banOf('10.1.2.3')).toBeUndefined();
    expect(await fail(guard, '10.9.9.9', 'unknown_user', 50)).toEqual([]);
    expect(await fail(guard, '2001:db8:ffff:1::5', 'unknown_user', 50)).toEqual([]);
    expect(await fail(guard, '11.0.0.1', 'unknown_user', 8)).toHaveLength(1);
  });

  it('lists bans in force and lifts them, forgetting the score too', async () => {
    const guard = guardWith();
    await fail(guard, '192.0.2.1', 'unknown_user', 8);
    advance(60);
    await fail(guard, '2001:db8::5', 'unknown_user', 8);
    expect((await guard.list({ limit: 10 })).items.map((b) => b.ip)).toEqual(['192.0.2.1', '2001:db8::/64']);

    await guard.lift('2001:db8::/64');
    await guard.lift('192.0.2.1');
    expect((await guard.list({ limit: 10 })).items).toEqual([]);
    expect(await guard.banOf('192.0.2.1')).toBeUndefined();
    // A fresh start: one more failure does not ban again.
    expect(await fail(guard, '192.0.2.1', 'unknown_user', 1)).toEqual([]);

    const missing = await guard.lift('192.0.2.99').then(() => 'lifted', (err: unknown) => err);
    expect(isCoreError(missing, 'not_found')).toBe(true);
    for (const bad of ['not-an-ip', '10.0.0.0/8', '2001:db8::/48']) {
      const outcome = await guard.lift(bad).then(() => 'lifted', (err: unknown) => err);
      expect(isCoreError(outcome, 'invalid_argument'), bad).toBe(true);
    }
  });
});
