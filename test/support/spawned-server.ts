// `npm start` or `npm run sim` as a child process (through tsx, from the sources) with a
// fresh data folder and the demo account: its JSON log lines parsed as they come, and
// what its banner tells (SFTP port, demo password, the demo's delivery folder).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { sftpBatch } from './openssh.js';

export interface SpawnedServer {
  child: ChildProcess;
  dataDir: string;
  port: number;
  /** The demo user's password, printed once. */
  password: string;
  /** Where the demo flow delivers. */
  delivered: string;
  /** Every JSON log line so far. */
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
  /** Wait until `check` gives a value (or true). */
  until<T>(what: string, check: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  /** SIGKILL if still running; remove the data folder. */
  cleanup(): Promise<void>;
}

export async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function spawnServer(entry: 'bin/local.ts' | 'bin/sim.ts', env: Record<string, string>): Promise<SpawnedServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'thru-spawned-'));
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, THRU_DATA_DIR: dataDir, THRU_SFTP_PORT: '0', THRU_ADMIN_PORT: '0', THRU_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((ok) => child.on('exit', (code) => ok(code)));
  const lines: Record<string, unknown>[] = [];
  const banner: { port?: number; password?: string; delivered?: string } = {};
  let text = '';
  child.stdout.on('data', (d: Buffer) => {
    text += d.toString();
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
      const login = /sftp -P (\d+) demo@\S+\s+password: (\S+)/.exec(line);
      if (login) [banner.port, banner.password] = [Number(login[1]), login[2]!];
      const to = /it is delivered to (\S+)/.exec(line);
      if (to) banner.delivered = to[1]!;
    }
  });
  const cleanup = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await until('the banner', () => child.exitCode === null && banner.port !== undefined && banner.password !== undefined && banner.delivered !== undefined, 60_000);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { child, dataDir, port: banner.port!, password: banner.password!, delivered: banner.delivered!, lines, exited, until, cleanup };
}

/**
 * The demo user uploads each name with the stock `sftp` client under a temp name and
 * renames it (one connection each); resolves once the demo flow delivered every file
 * with the same bytes.
 */
export async function uploadThroughDemo(s: SpawnedServer, names: string[], size: number): Promise<void> {
  const bodies = names.map(() => randomBytes(size));
  for (const [i, name] of names.entries()) {
    const local = join(s.dataDir, `local-${name}`);
    writeFileSync(local, bodies[i]!);
    const r = await sftpBatch(s.port, { user: 'demo', password: s.password }, [`put ${local} ${name}.filepart`, `rename ${name}.filepart ${name}`]);
    expect(r.code, r.stderr).toBe(0);
  }
  for (const [i, name] of names.entries()) {
    await s.until(`${name} delivered`, () => existsSync(join(s.delivered, name)));
    expect(readFileSync(join(s.delivered, name)).equals(bodies[i]!)).toBe(true);
  }
}
