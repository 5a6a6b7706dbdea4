// thru-sftp in local mode as a child process (so its memory is its own): a fresh data
// folder with one organization, endpoint, flow and user written into its SQLite
// directory before it starts, then `npm start`'s entry point with warnings-only logging.
import { mkdirSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteDirectory } from '../src/adapters/local/sqlite-directory.js';
import { openDatabase } from '../src/adapters/local/sqlite.js';
import { endpointKey } from '../src/core/paths.js';
import { provisionTenant, type BenchFlow } from './provision.js';
import { launchThru, type BenchServer } from './server.js';

/** dist: what `npm start` runs (the compiled build); tsx: the sources through tsx's loader. */
export type ThruRuntime = 'tsx' | 'dist';

export interface ThruOptions {
  dir: string;
  repo: string;
  user: string;
  publicKey: string;
  password: string;
  runtime: ThruRuntime;
  logLevel: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs: string[];
  /** THRU_WORKERS: SFTP worker processes. */
  workers: number;
  /** The flow from the user's endpoint (default: no targets). */
  flow?: BenchFlow;
  env?: NodeJS.ProcessEnv;
}

async function provision(dataDir: string, o: ThruOptions): Promise<string> {
  const directory = new SqliteDirectory(openDatabase(join(dataDir, 'thru.db')));
  try {
    const { orgId, endpointId } = await provisionTenant(directory, o, o.flow);
    return join(dataDir, 'files', endpointKey(orgId, endpointId, '/'));
  } finally {
    await directory.close();
  }
}

export async function startThru(o: ThruOptions): Promise<BenchServer> {
  const dataDir = join(o.dir, 'thru');
  mkdirSync(dataDir, { mode: 0o700 });
  const home = await provision(dataDir, o);
  mkdirSync(home, { recursive: true, mode: 0o700 });

  const logFile = join(dataDir, 'thru.log');
  const child = launchThru(o, 'local', dataDir, logFile, { THRU_LOG_LEVEL: o.logLevel, THRU_WORKERS: String(o.workers), ...o.env });
  const exited = once(child, 'exit');
  // The banner names the port it got.
  let port: number | undefined;
  const deadline = Date.now() + 30_000;
  while (port === undefined) {
    if (child.exitCode !== null) throw new Error(`thru-sftp exited at start; see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`thru-sftp did not start; see ${logFile}`);
    const m = /sftp -P (\d+) /.exec(readFileSync(logFile, 'utf8'));
    if (m) port = Number(m[1]);
    else await sleep(50);
  }

  return {
    name: 'thru-sftp',
    port,
    user: o.user,
    password: o.password,
    home,
    pid: child.pid!,
    notServer: ['esbuild'],
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
