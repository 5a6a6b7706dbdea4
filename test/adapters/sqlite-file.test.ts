// The local database file: made 0600 with its WAL and shared-memory files, since it
// holds password hashes and webhook secrets; an existing one is opened as it is.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/local/sqlite.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'thru-sqlite-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

describe('openDatabase', () => {
  it('makes a new database and its WAL and shared-memory files readable by the owner alone', () => {
    const file = join(dir, 'thru.db');
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    expect([mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
    db.close();
  });

  it('opens an existing database with the mode it has', () => {
    const file = join(dir, 'thru.db');
    openDatabase(file).close();
    chmodSync(file, 0o640);
    openDatabase(file).close();
    expect(mode(file)).toBe(0o640);
  });

  it('takes an empty file for a new database', () => {
    const file = join(dir, 'empty.db');
    writeFileSync(file, '');
    const db = openDatabase(file);
    expect(db.pragma('user_version', { simple: true })).toBeGreaterThan(0);
    db.close();
  });
});
