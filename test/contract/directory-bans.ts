// The directory contract for the brute-force defence's stores (bans, login failure
// scores): part of directoryContract, so every adapter runs it.
import { describe, expect, it } from 'vitest';
import { isCoreError } from '../../src/core/errors.js';
import type { Ban } from '../../src/core/model.js';
import type { Directory } from '../../src/core/ports/directory.js';
import { allPages } from './directory-fixtures.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const epoch = (seconds: number) => Math.floor(T0 / 1000) + seconds;

/** A ban set at `start` (seconds after T0) for `length` seconds, remembered a day after. */
function aBan(ip: string, start: number, length: number, fields: Partial<Ban> = {}): Ban {
  return {
    ip,
    bannedAt: at(start).toISOString(),
    until: at(start + length).toISOString(),
    offences: 1,
    score: 15,
    expiresAt: epoch(start + length + 86_400),
    ...fields,
  };
}

export function bansContract(directory: () => Directory): void {
  describe('bans', () => {
    it('puts on condition of the offences it expects, and gets what it put', async () => {
      const { bans } = directory();
      const first = aBan('192.0.2.1', 0, 1800);
      expect(await bans.get(first.ip, at(1))).toBeUndefined();
      expect(await bans.put(first, 0, at(0))).toBe(true);
      expect(await bans.get(first.ip, at(1))).toEqual(first);

      // Another writer that also saw no record loses; so does a wrong expectation.
      expect(await bans.put({ ...first, score: 99 }, 0, at(1))).toBe(false);
      const second = aBan(first.ip, 2000, 3600, { offences: 2 });
      expect(await bans.put(second, 2, at(2000))).toBe(false);
      expect(await bans.get(first.ip, at(2000))).toEqual(first);
      expect(await bans.put(second, 1, at(2000))).toBe(true);
      expect(await bans.get(first.ip, at(2000))).toEqual(second);
    });

    it('treats a record past expiresAt as absent, though not yet deleted', async () => {
      const { bans } = directory();
      const old = aBan('192.0.2.2', 0, 60, { expiresAt: epoch(120) });
      expect(await bans.put(old, 0, at(0))).toBe(true);
      expect(await bans.get(old.ip, at(119))).toEqual(old);
      expect(await bans.get(old.ip, at(120))).toBeUndefined();
      expect(await bans.delete(old.ip, at(500))).toBe(false);
      expect(await bans.put(old, 0, at(0))).toBe(true);
      // Expired: a new first offence may be written over it, and one expecting it may not.
      expect(await bans.put(aBan(old.ip, 500, 60, { offences: 2 }), 1, at(500))).toBe(false);
      const fresh = aBan(old.ip, 500, 60);
      expect(await bans.put(fresh, 0, at(500))).toBe(true);
      expect(await bans.get(old.ip, at(501))).toEqual(fresh);
    });

    it('keeps IPv6 /64 keys apart from addresses', async () => {
      const { bans } = directory();
      const v6 = aBan('2001:db8:1:2::/64', 0, 1800);
      const v4 = aBan('198.51.100.7', 0, 1800);
      expect(await bans.put(v6, 0, at(0))).toBe(true);
      expect(await bans.put(v4, 0, at(0))).toBe(true);
      expect(await bans.get('2001:db8:1:2::/64', at(1))).toEqual(v6);
      expect(await bans.get('2001:db8:1:3::/64', at(1))).toBeUndefined();
      expect(await bans.get('198.51.100.7', at(1))).toEqual(v4);
    });

    it('lists bans in force, soonest to end first, and pages through them', async () => {
      const { bans } = directory();
      const inForce = [
        aBan('192.0.2.30', 0, 3000),
        aBan('192.0.2.10', 0, 1000),
        aBan('192.0.2.20', 0, 1000), // same end as .10: by ip
        aBan('2001:db8::/64', 0, 2000),
        aBan('192.0.2.40', 0, 5000),
      ];
      const over = aBan('192.0.2.50', 0, 100); // ended, still remembered
      const forgotten = aBan('192.0.2.60', 0, 100, { expiresAt: epoch(200) });
      for (const b of [...inForce, over, forgotten]) expect(await bans.put(b, 0, at(0))).toBe(true);
      const expected = ['192.0.2.10', '192.0.2.20', '2001:db8::/64', '192.0.2.30', '192.0.2.40'];
      for (const limit of [1, 2, 5, 6, 100]) {
        const pages = await allPages((p) => bans.listActive(at(500), p), limit);
        expect(pages.flat().map((b) => b.ip), `limit ${limit}`).toEqual(expected);
        expect(pages.length, `limit ${limit}`).toBe(Math.max(1, Math.ceil(expected.length / limit)));
      }
      expect((await bans.listActive(at(2500), { limit: 10 })).items.map((b) => b.ip)).toEqual(['192.0.2.30', '192.0.2.40']);
      expect(await bans.listActive(at(9000), { limit: 10 })).toEqual({ items: [] });
    });

    it('refuses an invalid cursor or limit with invalid_argument', async () => {
      const { bans } = directory();
      for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) await bans.put(aBan(ip, 0, 1000), 0, at(0));
      const first = await bans.listActive(at(1), { limit: 1 });
      expect(first.cursor).toBeDefined();
      for (const cursor of ['not-a-cursor', Buffer.from('{}').toString('base64url'), Buffer.from('[1,2]').toString('base64url'), `${first.cursor!}x`]) {
        const outcome = await bans.listActive(at(1), { limit: 1, cursor }).then(() => 'listed', (err: unknown) => err);
        expect(isCoreError(outcome, 'invalid_argument'), `cursor ${cursor}`).toBe(true);
      }
      for (const limit of [0, -1, 1.5]) {
        const outcome = await bans.listActive(at(1), { limit }).then(() => 'listed', (err: unknown) => err);
        expect(isCoreError(outcome, 'invalid_argument'), `limit ${limit}`).toBe(true);
      }
    });

    it('deletes a live record and says whether there was one', async () => {
      const { bans } = directory();
      const ban = aBan('203.0.113.9', 0, 1800);
      await bans.put(ban, 0, at(0));
      expect(await bans.delete(ban.ip, at(1))).toBe(true);
      expect(await bans.get(ban.ip, at(1))).toBeUndefined();
      expect(await bans.delete(ban.ip, at(1))).toBe(false);
      expect((await bans.listActive(at(1), { limit: 10 })).items).toEqual([]);
      expect(await bans.put(ban, 0, at(2))).toBe(true);
    });
  });

  describe('login failures', () => {
    const window = 1800;
    const bucketOf = (s: number) => epoch(s) - (epoch(s) % 60);
    const add = (ip: string, points: number, s: number) =>
      directory().loginFailures.add(ip, points, bucketOf(s), bucketOf(s) + 60 + window, epoch(s) - window, at(s));

    it('adds points per bucket and sums the buckets of the window', async () => {
      expect(await add('192.0.2.1', 1, 0)).toBe(1);
      expect(await add('192.0.2.1', 2, 10)).toBe(3); // same bucket
      expect(await add('192.0.2.1', 3, 400)).toBe(6); // another bucket
      expect(await add('192.0.2.2', 2, 400)).toBe(2); // another address
      expect(await add('2001:db8::/64', 1, 400)).toBe(1);
      // 30 minutes later the first bucket has left the window; the second has not.
      expect(await add('192.0.2.1', 1, 1900)).toBe(4);
      // And later still only the new points count.
      expect(await add('192.0.2.1', 1, 10_000)).toBe(1);
    });

    it('ignores counters past expiresAt even when asked from an older `since`', async () => {
      const { loginFailures } = directory();
      expect(await loginFailures.add('192.0.2.3', 5, epoch(0), epoch(100), epoch(0), at(0))).toBe(5);
      expect(await loginFailures.add('192.0.2.3', 1, epoch(120), epoch(5000), epoch(0), at(120))).toBe(1);
    });

    it('loses no point under concurrent adds', async () => {
      const totals = await Promise.all(Array.from({ length: 12 }, () => add('198.51.100.1', 1, 5)));
      // Each sum counts at least its own points; the last one counts all of them.
      expect(Math.min(...totals)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...totals)).toBe(12);
      expect(await add('198.51.100.1', 1, 6)).toBe(13);
    });

    it('clears every counter of one address only', async () => {
      await add('192.0.2.9', 4, 0);
      await add('192.0.2.9', 4, 300);
      await add('192.0.2.8', 4, 300);
      await directory().loginFailures.clear('192.0.2.9');
      expect(await add('192.0.2.9', 1, 400)).toBe(1);
      expect(await add('192.0.2.8', 1, 400)).toBe(5);
      await directory().loginFailures.clear('192.0.2.77'); // nothing to clear: no error
    });
  });
}
