// The host key and the admin token are made once, on first start, and must survive a
// crash whole or not at all (src/adapters/local/fs-sync.ts writeFileDurably): a key
// lost to a crash would be replaced and every partner's client would refuse the new
// one. A crash cannot be staged here; the syncs are the real calls, recorded and held
// back as a slow disk would. And host keys made are always readable: ssh2's own
// generator sometimes writes an Ed25519 key it cannot parse (a public key one byte short).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import ssh2 from 'ssh2';
import { holdSyncs, resetSyncs, settledSoon, syncs } from '../support/held-syncs.js';

vi.mock('node:fs', async (importOriginal) => (await import('../support/held-syncs.js')).withRecordedSyncs(await importOriginal()));

const { generateHostKey, loadOrCreateHostKey, HOST_KEY_FILE } = await import('../../src/adapters/local/host-key.js');
const { loadOrCreateAdminToken } = await import('../../src/adapters/local/admin-token.js');
const { writeFileDurably } = await import('../../src/adapters/local/fs-sync.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'thru-hostkey-'));
  resetSyncs();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileDurably', () => {
  it('puts the file in place only once its data is synced, then syncs the folder', async () => {
    const path = join(dir, 'key');
    const release = holdSyncs();
    const written = writeFileDurably(path, 'secret', { mode: 0o600, exclusive: true });
    expect(await settledSoon(written)).toBe(false);
    expect(existsSync(path)).toBe(false); // the data is not on disk yet: nothing at the name
    release();
    expect(await written).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('secret');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(syncs.done).toHaveLength(1);
    expect(syncs.full).toEqual([dir]);
    expect(readdirSync(dir)).toEqual(['key']); // no temporary file left
  });

  it('exclusive: leaves a file already there as it is and says so', async () => {
    const path = join(dir, 'key');
    writeFileSync(path, 'first');
    expect(await writeFileDurably(path, 'second', { mode: 0o600, exclusive: true })).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('first');
    expect(readdirSync(dir)).toEqual(['key']);
  });

  it('not exclusive: replaces it', async () => {
    const path = join(dir, 'token');
    writeFileSync(path, 'short');
    expect(await writeFileDurably(path, 'replaced', { mode: 0o600, exclusive: false })).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('replaced');
    expect(syncs.full).toEqual([dir]);
  });
});

describe('loadOrCreateHostKey', () => {
  it('makes the key durably on first start and reads the same one after', async () => {
    const made = await loadOrCreateHostKey(dir);
    expect(made.created).toBe(true);
    expect(syncs.done).toHaveLength(2); // the key and its .pub
    expect(syncs.full).toEqual([dir, dir]);
    expect(statSync(join(dir, HOST_KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateHostKey(dir);
    expect(again).toMatchObject({ created: false, fingerprint: made.fingerprint });
  });

  it('refuses to start on a file with no usable key, saying what to do, rather than replace the key', async () => {
    writeFileSync(join(dir, HOST_KEY_FILE), ''); // what a crash could leave of an unsynced write
    await expect(loadOrCreateHostKey(dir)).rejects.toThrow(/holds no usable host key .*Restore it from a backup; or delete it/);
    expect(readFileSync(join(dir, HOST_KEY_FILE), 'utf8')).toBe('');
  });
});

describe('loadOrCreateAdminToken', () => {
  it('makes the token durably on first start and reads the same one after', async () => {
    const made = await loadOrCreateAdminToken(dir);
    expect(made.created).toBe(true);
    expect(syncs.full).toEqual([dir]);
    expect(await loadOrCreateAdminToken(dir)).toMatchObject({ created: false, token: made.token });
  });
});

describe('generateHostKey', () => {
  it('makes 2000 keys in a row that ssh2 can load', () => {
    for (let i = 0; i < 2000; i++) {
      const key = ssh2.utils.parseKey(generateHostKey().private);
      expect(key).not.toBeInstanceOf(Error);
    }
  });
});
