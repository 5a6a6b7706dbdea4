// What a scenario needs to know about a server under test, whichever it is.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';

/**
 * One side of a comparison: what the report names it, and the process tree whose
 * memory and CPU count for it. Two sides may share a process (the S3 scenario's direct
 * SDK upload is measured on the sim that serves both).
 */
export interface Side {
  name: string;
  /** Root of the measured process tree. */
  pid: number;
  /** Command names in that tree that are not the server (e.g. a dev-time transpiler). */
  notServer: string[];
  stop(): Promise<void>;
}

/** A side that serves SFTP to the bench user. */
export interface SftpServer extends Side {
  port: number;
  user: string;
  password: string;
}

/** An SFTP server whose files are on this machine's disk: thru-sftp in local mode, or OpenSSH. */
export interface BenchServer extends SftpServer {
  name: 'thru-sftp' | 'OpenSSH';
  /** The folder on disk that is the user's SFTP working directory. */
  home: string;
}

/** Wait until something accepts TCP connections on the port. */
export async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A port that was free a moment ago (sshd needs a number up front). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * How the bench starts thru-sftp (`npm start` or `npm run sim`, compiled or through tsx):
 * the process environment with a fresh data folder, ephemeral ports, no demo, a fixed
 * admin token, and MALLOC_ARENA_MAX as the npm scripts set it; `settings` go over it.
 */
export function launchThru(o: { repo: string; runtime: 'dist' | 'tsx'; nodeArgs: string[] }, bin: 'local' | 'sim', dataDir: string, logFile: string, settings: Record<string, string | undefined>) {
  const out = openSync(logFile, 'a');
  const entry = o.runtime === 'tsx' ? ['--import', 'tsx', `bin/${bin}.ts`] : [`dist/bin/${bin}.js`];
  return spawn(process.execPath, [...o.nodeArgs, ...entry], {
    cwd: o.repo,
    stdio: ['ignore', out, out],
    env: {
      MALLOC_ARENA_MAX: '2',
      ...process.env,
      THRU_DATA_DIR: dataDir,
      THRU_SFTP_PORT: '0',
      THRU_ADMIN_PORT: '0',
      THRU_BIND: '127.0.0.1',
      THRU_DEMO: 'false',
      THRU_ADMIN_TOKEN: 'bench-admin-token-0123456789',
      ...settings,
    },
  });
}
