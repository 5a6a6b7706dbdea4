// A seeded fuzz run of SFTP requests through a real ssh2 client: hostile names (NUL,
// "..", "\", "%2e", NFC and NFD forms, 1000-byte components), random pflags, offsets and
// lengths, forged and reused handles. Whatever is sent: every request gets an answer, the
// connection and the server live on, nothing is read from outside the user's folder and
// nothing is created outside it on disk. (Two layers stand in the way: the core's path
// jail and the storage's key check; with both disabled this test finds escapes.)
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { SFTPWrapper } from 'ssh2';
import { STAGING_POOL_SIZE } from '../../src/adapters/local/fs-storage.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { connectSftp, type Connected } from '../support/ssh2-client.js';

const SEED = 20_261_125;
const RUNS = 60;
/** Requests per run: 30 to 60, about 2,500 in all. */
const MAX_REQUESTS = 60;
const ANSWER_TIMEOUT_MS = 10_000;

const MARK = 'fz';
const NEIGHBOUR_SECRET = `NEIGHBOUR-SECRET-${randomBytes(6).toString('hex')}`;
const OUTSIDE_SECRET = `OUTSIDE-SECRET-${randomBytes(6).toString('hex')}`;

/** Path components: hostile ones, and names that all carry MARK so that anything created can be found. */
const TRAVERSAL = ['..', '.', '', '...', '%2e%2e', '%2e', '..%2f..', '%2f', '~', '*', '/'];
/** Refused by the jail with BAD_MESSAGE. */
const INVALID = ['\\', '..\\..', 'a\0b', '\0', `${MARK}${'x'.repeat(998)}`, `${MARK}${'€'.repeat(333)}`];
const NAMES = [
  `${MARK}-a.txt`,
  `${MARK}-dir`,
  `${MARK}-up.filepart`,
  `${MARK}-é`, // NFC
  `${MARK}-e\u0301`, // NFD of the same
  `${MARK}-Ω\u2126`,
  `${MARK}${'y'.repeat(253)}`, // 255 bytes: the longest allowed
  'neighbour',
  'secret.txt',
  'outside-secret.txt',
];
const component = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRAVERSAL) },
  { weight: 6, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.constantFrom(...INVALID) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }).map((s) => `${MARK}${s}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 4 }).map((s) => `${MARK}${s}`) },
);
const path = fc
  .tuple(fc.boolean(), fc.array(component, { minLength: 1, maxLength: 6, size: 'small' }))
  .map(([abs, parts]) => (abs ? '/' : '') + parts.join('/'));
const offset = fc.oneof(fc.nat(70_000), fc.constantFrom(0, 1, 261_120, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER));
/** Writes stay below 16 MiB: holes past that are a file size question, not the jail's. */
const writeOffset = fc.oneof(fc.nat(70_000), fc.constantFrom(0, 2 ** 24));
const length = fc.oneof(fc.nat(4096), fc.constantFrom(0, 1, 261_120, 261_121, 1_000_000, 2 ** 32 - 1));
/** Mostly what clients send (read; write|create|truncate; write|create|append...), then any bits. */
const pflags = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0x01, 0x1a, 0x0a, 0x0e, 0x03, 0x0b, 0x2a, 0x3e) },
  { weight: 1, arbitrary: fc.nat(63) },
  { weight: 1, arbitrary: fc.nat(0xffff_ffff) },
);
/** Which handle: one the server gave (counted from the latest; open or closed since), or a forged one. */
const handleRef = fc.oneof(
  { weight: 4, arbitrary: fc.nat(3).map((i) => ({ known: i })) },
  { weight: 1, arbitrary: fc.nat().map((i) => ({ known: i })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 8 }).map((b) => ({ forged: Buffer.from(b) })) },
);
const attrs = fc.record(
  { size: fc.nat(100_000), mode: fc.nat(0o7777), uid: fc.nat(65535), gid: fc.nat(65535), atime: fc.nat(2 ** 31), mtime: fc.nat(2 ** 31) },
  { requiredKeys: [] },
);

const request = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('open' as const), path, flags: pflags }) },
  fc.record({ op: fc.constant('close' as const), handle: handleRef }),
  fc.record({ op: fc.constant('read' as const), handle: handleRef, offset, length }),
  fc.record({ op: fc.constant('write' as const), handle: handleRef, offset: writeOffset, size: fc.nat(4096) }),
  fc.record({ op: fc.constant('fstat' as const), handle: handleRef }),
  fc.record({ op: fc.constant('fsetstat' as const), handle: handleRef, attrs }),
  fc.record({ op: fc.constant('fsync' as const), handle: handleRef }),
  fc.record({ op: fc.constant('readdir' as const), handle: handleRef }),
  fc.record({ op: fc.constantFrom('stat' as const, 'lstat' as const, 'opendir' as const, 'mkdir' as const, 'rmdir' as const, 'unlink' as const, 'realpath' as const, 'readlink' as const, 'statvfs' as const), path }),
  fc.record({ op: fc.constant('setstat' as const), path, attrs }),
  fc.record({ op: fc.constantFrom('rename' as const, 'posixRename' as const, 'symlink' as const), path, to: path }),
);
type Request = typeof request extends fc.Arbitrary<infer R> ? R : never;

let server: TestServer;
let conn: Connected;
let home: string;
const handles: Buffer[] = [];
const answers = new Map<string, number>();

beforeAll(async () => {
  server = await startTestServer();
  await server.createUser({ username: 'fuzzer', password: 'fuzz-pass-1', homeDirectory: '/fuzz' });
  home = server.fileOnDisk('fuzz');
  // A neighbour's folder beside the home, and a file in the data directory itself.
  mkdirSync(server.fileOnDisk('neighbour'), { recursive: true });
  writeFileSync(server.fileOnDisk('neighbour/secret.txt'), NEIGHBOUR_SECRET);
  writeFileSync(join(server.dataDir, 'outside-secret.txt'), OUTSIDE_SECRET);
  conn = await connectSftp(server.port, { username: 'fuzzer', password: 'fuzz-pass-1' });
  // ssh2's client splits large READs to the announced limit: lift it, so that large READs reach the server.
  (conn.sftp as unknown as { _maxReadLen: number })._maxReadLen = 2 ** 32 - 1;
});
afterAll(async () => {
  conn?.end();
  await server?.stop();
});

/** Every file and folder under `dir`, relative to it. */
function tree(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) out.push(relative(dir, join(entry.parentPath, entry.name)));
  return out.sort();
}

/** One request; resolves with "ok" or the status code, rejects if no answer comes. */
function send(sftp: SFTPWrapper, r: Request, seen: Buffer[]): Promise<string> {
  const handle = (ref: { known: number } | { forged: Buffer }) =>
    'forged' in ref ? ref.forged : (handles[handles.length - 1 - (ref.known % Math.max(1, handles.length))] ?? Buffer.alloc(4));
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${JSON.stringify(r)}`)), ANSWER_TIMEOUT_MS);
    const done = (err: (Error & { code?: unknown }) | null | undefined, value?: unknown) => {
      clearTimeout(timer);
      if (Buffer.isBuffer(value) && (r.op === 'open' || r.op === 'opendir')) handles.push(value);
      resolve(err ? `status ${typeof err.code === 'number' ? err.code : err.message}` : 'ok');
    };
    try {
      switch (r.op) {
        case 'open':
          return sftp.open(r.path, r.flags, done);
        case 'close':
          return sftp.close(handle(r.handle), done);
        case 'read': {
          const buf = Buffer.alloc(Math.max(1, Math.min(r.length, 1_000_000)));
          return sftp.read(handle(r.handle), buf, 0, buf.length, r.offset, (err, n) => {
            if (!err) seen.push(Buffer.from(buf.subarray(0, n)));
            done(err);
          });
        }
        case 'write': {
          const data = randomBytes(Math.max(1, r.size));
          return sftp.write(handle(r.handle), data, 0, data.length, r.offset, done);
        }
        case 'fstat':
          return sftp.fstat(handle(r.handle), done);
        case 'fsetstat':
          return sftp.fsetstat(handle(r.handle), r.attrs, done);
        case 'fsync':
          return sftp.ext_openssh_fsync(handle(r.handle), done);
        case 'readdir':
          return sftp.readdir(handle(r.handle), (err, list) => {
            if (!err) seen.push(Buffer.from(JSON.stringify(list)));
            done(err);
          });
        case 'stat':
          return sftp.stat(r.path, done);
        case 'lstat':
          return sftp.lstat(r.path, done);
        case 'opendir':
          return sftp.opendir(r.path, done);
        case 'mkdir':
          return sftp.mkdir(r.path, done);
        case 'rmdir':
          return sftp.rmdir(r.path, done);
        case 'unlink':
          return sftp.unlink(r.path, done);
        case 'realpath':
          return sftp.realpath(r.path, (err, p) => {
            if (!err) seen.push(Buffer.from(p));
            done(err);
          });
        case 'readlink':
          return sftp.readlink(r.path, done);
        case 'statvfs':
          return sftp.ext_openssh_statvfs(r.path, done);
        case 'setstat':
          return sftp.setstat(r.path, r.attrs, done);
        case 'rename':
          return sftp.rename(r.path, r.to, done);
        case 'posixRename':
          return sftp.ext_openssh_rename(r.path, r.to, done);
        case 'symlink':
          return sftp.symlink(r.path, r.to, done);
      }
    } catch (err) {
      // ssh2's client refused to send it (a check of its own): nothing reached the server.
      clearTimeout(timer);
      resolve(`not sent: ${(err as Error).message}`);
    }
  });
}

describe('SFTP fuzz', () => {
  it(`${RUNS} seeded runs of up to ${MAX_REQUESTS} requests: always an answer, never an escape`, async () => {
    const before = tree(server.dataDir).filter((p) => !p.startsWith('thru.db') && !p.startsWith(relative(server.dataDir, home)));
    const elsewhere = () => [tmpdir(), process.cwd()].flatMap((d) => readdirSync(d).filter((n) => n.includes(MARK) || [...NAMES, ...TRAVERSAL].includes(n)));
    const strayBefore = elsewhere();
    let sent = 0;

    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 30, maxLength: MAX_REQUESTS }), async (requests) => {
        const seen: Buffer[] = [];
        for (const r of requests) {
          const answer = await send(conn.sftp, r, seen);
          sent += 1;
          const kind = answer.startsWith('not sent') ? 'not sent' : answer;
          answers.set(kind, (answers.get(kind) ?? 0) + 1);
        }
        // Nothing from outside the home was read.
        const read = Buffer.concat(seen).toString('latin1');
        expect(read).not.toContain(NEIGHBOUR_SECRET);
        expect(read).not.toContain(OUTSIDE_SECRET);
        // The connection still serves requests.
        expect(await send(conn.sftp, { op: 'realpath', path: '.' }, [])).toBe('ok');
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );

    expect(sent).toBeGreaterThan(1000);
    // Enough of the requests got past the checks to do something.
    expect(answers.get('ok') ?? 0).toBeGreaterThan(200);

    conn.end();
    await conn.closed;
    await server.until('the session to end', () => server.logs.find((l) => l.user === 'fuzzer' && l['activity-type'] === 'SESSION_END'));
    // Nothing new outside the home on disk, and no temporary file left behind: the
    // staging folder holds only the few empty files made ahead for the next uploads.
    const staging = join('files', '.thru-staging');
    const ahead = readdirSync(join(server.dataDir, staging)).map((n) => join(staging, n));
    expect(ahead.length).toBeLessThanOrEqual(STAGING_POOL_SIZE);
    expect(ahead.every((p) => statSync(join(server.dataDir, p)).size === 0)).toBe(true);
    const after = tree(server.dataDir).filter((p) => !p.startsWith('thru.db') && !p.startsWith(relative(server.dataDir, home)) && !ahead.includes(p));
    expect(after).toEqual(before);
    expect(elsewhere()).toEqual(strayBefore);
    // The home did get files and folders, among them hostile names stored literally.
    expect(tree(home).length).toBeGreaterThan(0);
    // No request failed in a way the server did not expect (those are logged as errors).
    expect(server.logs.filter((l) => l.level === 50)).toEqual([]);
  });
});
