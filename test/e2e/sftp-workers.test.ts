// THRU_WORKERS=2: `npm start` serves SFTP from two node:cluster worker processes on one
// port while the main process runs the pipeline and the admin API. Connections spread
// over both workers; an upload either worker takes is delivered exactly once by the
// main process's pipeline; a ban earned on one worker holds on the other; a worker
// that dies is replaced and its staging files cleared; SIGTERM stops everything with exit code 0.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, sftpBatch } from '../support/openssh.js';
import { connect } from '../support/ssh2-client.js';
import { spawnServer, until, uploadThroughDemo, type SpawnedServer } from '../support/spawned-server.js';

let s: SpawnedServer;
const lines = () => s.lines;
const authSuccesses = () => lines().filter((l) => l['activity-type'] === 'AUTH_SUCCESS');
const login = (localAddress = '127.0.0.1') => connect(s.port, { username: 'demo', password: s.password, localAddress });

beforeAll(async () => {
  s = await spawnServer('bin/local.ts', { THRU_WORKERS: '2', THRU_BAN_SCORE: '4' });
}, 90_000);
afterAll(() => s?.cleanup());

describe('SFTP in two worker processes (THRU_WORKERS=2)', () => {
  it('spreads connections over both workers, neither of them the main process', async () => {
    const clients = [];
    for (let i = 0; i < 6; i++) clients.push(await login());
    await until('six logins', () => authSuccesses().length >= 6);
    for (const c of clients) c.end();
    const pids = new Set(authSuccesses().map((l) => l.pid));
    expect(pids.size).toBe(2);
    expect(pids.has(s.child.pid)).toBe(false);
  });

  it('delivers what either worker received, each file exactly once, from the main process', async () => {
    const names = ['w1.csv', 'w2.csv', 'w3.csv', 'w4.csv'];
    await uploadThroughDemo(s, names, 50_000);
    const renames = lines().filter((l) => l['activity-type'] === 'RENAME');
    expect(new Set(renames.map((l) => l.pid)).size).toBe(2);
    // The pipeline runs in the main process only, once per file.
    const completed = lines().filter((l) => l.msg === 'upload complete' && names.some((n) => String(l.path).endsWith(n)));
    expect(completed).toHaveLength(names.length);
    expect(completed.every((l) => l.pid === s.child.pid)).toBe(true);
    expect(readdirSync(s.delivered).filter((n) => names.includes(n)).sort()).toEqual(names);
  });

  it('a ban earned through one worker holds on the other', async () => {
    const ip = '127.0.0.77';
    // Unknown users score 2 each: two refusals reach the test's ban score of 4.
    for (let i = 0; i < 2; i++) await expect(connect(s.port, { username: `nobody-${i}`, password: 'wrong-password', localAddress: ip })).rejects.toThrow();
    const refusedBy = new Set<unknown>();
    for (let i = 0; i < 6; i++) {
      await expect(login(ip)).rejects.toThrow();
    }
    await until('six refusals', () => lines().filter((l) => l.reason === 'banned' && l['client-ip'] === ip).length >= 6);
    for (const l of lines()) if (l['activity-type'] === 'CONNECTION_REFUSED' && l.reason === 'banned' && l['client-ip'] === ip) refusedBy.add(l.pid);
    expect(refusedBy.size).toBe(2);
  });

  it('replaces a worker that dies, and clears the staging files it left', async () => {
    const victim = authSuccesses().at(-1)!.pid as number;
    // Uploads under normal names go through staging files, and a worker that took one
    // keeps a few made ahead, named after its pid.
    const staging = join(s.dataDir, 'files', '.thru-staging');
    const local = join(s.dataDir, 'plain.csv');
    writeFileSync(local, 'a,b\n');
    const stagingOf = (pid: number) => readdirSync(staging).filter((n) => n.startsWith(`${pid}-`));
    for (let i = 0; i < 8 && stagingOf(victim).length === 0; i++) {
      const r = await sftpBatch(s.port, { user: 'demo', password: s.password }, [`put ${local} plain-${i}.csv`]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(stagingOf(victim).length).toBeGreaterThan(0);
    const before = authSuccesses().length;
    process.kill(victim, 'SIGKILL');
    await until("the dead worker's staging files to be removed", () => stagingOf(victim).length === 0);
    await until('a replacement worker', () => lines().some((l) => l.msg === 'an SFTP worker stopped; starting another' && l.pid === s.child.pid));
    await until('the replacement listening', () => lines().filter((l) => l.msg === 'SFTP worker started').length >= 3);
    const clients = [];
    for (let i = 0; i < 4; i++) clients.push(await login());
    for (const c of clients) c.end();
    await until('four more logins', () => authSuccesses().length >= before + 4);
    expect(authSuccesses().slice(before).some((l) => l.pid === victim)).toBe(false);
  });

  it('stops the main process and its workers on SIGTERM, with exit code 0', async () => {
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    const workerPids = new Set(authSuccesses().map((l) => l.pid as number));
    for (const pid of workerPids) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('a bad THRU_WORKERS', () => {
  it('stops npm start with one line that names the setting and what it takes', async () => {
    const r = await run(process.execPath, ['--import', 'tsx', 'bin/local.ts'], { env: { THRU_WORKERS: 'many', THRU_DATA_DIR: '/nonexistent/never-created' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('thru-sftp could not start: invalid settings: THRU_WORKERS: a number from 1 to 256, or "auto"');
  });
});
