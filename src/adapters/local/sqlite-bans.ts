// The brute-force defence's stores on SQLite (tables of migration 3). Expired rows are
// treated as absent and swept as new ones are written, so the tables stay small.
import type Database from 'better-sqlite3';
import { invalidArgument } from '../../core/errors.js';
import type { Ban } from '../../core/model.js';
import type { BanStore, LoginFailureStore } from '../../core/ports/directory.js';
import { checkLimit, decodeCursor, encodeCursor } from '../paging.js';

const epochSeconds = (d: Date) => Math.floor(d.getTime() / 1000);

export function sqliteBans(db: Database.Database): BanStore {
  const select = db.prepare('SELECT offences, data FROM bans WHERE ip = ? AND expires_at > ?');
  const upsert = db.prepare(
    `INSERT INTO bans (ip, until, offences, expires_at, data) VALUES (@ip, @until, @offences, @expiresAt, @data)
     ON CONFLICT (ip) DO UPDATE SET until = excluded.until, offences = excluded.offences, expires_at = excluded.expires_at, data = excluded.data`,
  );
  const sweep = db.prepare('DELETE FROM bans WHERE expires_at <= ?');
  const remove = db.prepare('DELETE FROM bans WHERE ip = ?');

  return {
    get: async (ip, now) => {
      const row = select.get(ip, epochSeconds(now)) as { data: string } | undefined;
      return row ? (JSON.parse(row.data) as Ban) : undefined;
    },
    put: async (ban, expectedOffences, now) =>
      db.transaction(() => {
        const current = select.get(ban.ip, epochSeconds(now)) as { offences: number } | undefined;
        if ((current?.offences ?? 0) !== expectedOffences) return false;
        sweep.run(epochSeconds(now));
        upsert.run({ ip: ban.ip, until: ban.until, offences: ban.offences, expiresAt: ban.expiresAt, data: JSON.stringify(ban) });
        return true;
      }).immediate(),
    listActive: async (now, req) => {
      checkLimit(req.limit);
      const after = req.cursor ? cursorOf(req.cursor) : undefined;
      const from = now.toISOString();
      const rows = (
        after
          ? db
              .prepare('SELECT ip, until, data FROM bans WHERE until > ? AND (until > ? OR (until = ? AND ip > ?)) ORDER BY until, ip LIMIT ?')
              .all(from, after[0], after[0], after[1], req.limit + 1)
          : db.prepare('SELECT ip, until, data FROM bans WHERE until > ? ORDER BY until, ip LIMIT ?').all(from, req.limit + 1)
      ) as { ip: string; until: string; data: string }[];
      const items = rows.slice(0, req.limit).map((r) => JSON.parse(r.data) as Ban);
      const last = rows.length > req.limit ? rows[req.limit - 1] : undefined;
      return last ? { items, cursor: encodeCursor([last.until, last.ip]) } : { items };
    },
    delete: async (ip, now) =>
      db.transaction(() => {
        const live = select.get(ip, epochSeconds(now)) !== undefined;
        remove.run(ip);
        return live;
      }).immediate(),
  };
}

function cursorOf(cursor: string): [string, string] {
  const parts = decodeCursor(cursor);
  if (Array.isArray(parts) && parts.length === 2 && parts.every((p) => typeof p === 'string')) return parts as [string, string];
  throw invalidArgument('invalid cursor');
}

export function sqliteLoginFailures(db: Database.Database): LoginFailureStore {
  const add = db.prepare(
    `INSERT INTO login_failures (ip, bucket, points, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (ip, bucket) DO UPDATE SET points = points + excluded.points`,
  );
  const sum = db.prepare('SELECT COALESCE(SUM(points), 0) AS total FROM login_failures WHERE ip = ? AND bucket >= ? AND expires_at > ?');
  const sweep = db.prepare('DELETE FROM login_failures WHERE expires_at <= ?');
  const clear = db.prepare('DELETE FROM login_failures WHERE ip = ?');

  return {
    add: async (ip, points, bucket, expiresAt, since, now) =>
      db.transaction(() => {
        const seconds = epochSeconds(now);
        sweep.run(seconds);
        add.run(ip, bucket, points, expiresAt);
        return (sum.get(ip, since, seconds) as { total: number }).total;
      }).immediate(),
    clear: async (ip) => void clear.run(ip),
  };
}
