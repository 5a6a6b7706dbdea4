// Command line of `npm run bench`: sizes, rounds and which scenarios to run.
import { parseArgs } from 'node:util';
import type { ThruRuntime } from './thru.js';

const MIB = 1024 * 1024;

export interface BenchOptions {
  quick: boolean;
  /** Scenario ids to run; empty means all. */
  only: string[];
  bigSize: number;
  smallFiles: number;
  smallSize: number;
  parallelClients: number;
  parallelSize: number;
  idleSessions: number;
  /** Files uploaded and renamed per round of the delivery scenario. */
  deliveryFiles: number;
  rounds: { transfer: number; login: number; idle: number };
  cipher: string;
  runtime: ThruRuntime;
  logLevel: string;
  /** thru-sftp processes sharing the port through node:cluster (experiment). */
  workers: number;
  /** Extra node flags for thru-sftp (experiments, e.g. V8 GC flags). */
  nodeArgs: string[];
  /** Write a V8 CPU profile of thru-sftp per scenario into this folder. */
  profileDir?: string;
  /** Parent of the scratch folder (must suit sshd's chroot rules). */
  dir?: string;
  out: string;
  /** System user created for OpenSSH (and the thru-sftp user's name). */
  user: string;
  keep: boolean;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --quick              small sizes and few rounds, for a fast check (about a minute)
  --only <ids>         comma-separated scenarios: put,get,small,small-fsync,parallel,login-key,login-password,idle,delivery,s3
                       (delivery: rename → webhook latency, thru-sftp alone; s3: put into \`npm run sim\` against a direct SDK upload)
  --rounds <n>         rounds of every scenario (each round runs thru-sftp, then its baseline)
  --sessions <n>       idle sessions (default 1000)
  --cipher <name>      client cipher (default aes128-gcm@openssh.com)
  --runtime dist|tsx   run thru-sftp as \`npm start\` does (the compiled build, default) or from its sources through tsx
  --log-level <level>  thru-sftp's THRU_LOG_LEVEL (default warn)
  --workers <n>        thru-sftp with THRU_WORKERS=n (SFTP in n node:cluster worker processes; default 1)
  --node-args <flags>  extra node flags for thru-sftp, space-separated (experiments)
  --profile <dir>      write a CPU profile of thru-sftp per scenario (node --cpu-prof)
  --dir <dir>          where the scratch folder goes (default reports/); sshd's chroot rules apply
  --out <dir>          where the report goes (default reports/)
  --user <name>        system user created for OpenSSH and removed after (default thrubench)
  --keep               keep the scratch folder (data, configs, logs)`;

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive whole number`);
  return n;
}

export const SCENARIO_IDS = ['put', 'get', 'small', 'small-fsync', 'parallel', 'login-key', 'login-password', 'idle', 'delivery', 's3'] as const;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      rounds: { type: 'string' },
      sessions: { type: 'string' },
      cipher: { type: 'string', default: 'aes128-gcm@openssh.com' },
      runtime: { type: 'string', default: 'dist' },
      'log-level': { type: 'string', default: 'warn' },
      workers: { type: 'string' },
      'node-args': { type: 'string' },
      profile: { type: 'string' },
      dir: { type: 'string' },
      out: { type: 'string', default: 'reports' },
      user: { type: 'string', default: 'thrubench' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const quick = values.quick;
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : [];
  const unknown = only.filter((id) => !(SCENARIO_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIO_IDS.join(', ')}`);
  if (values.runtime !== 'tsx' && values.runtime !== 'dist') throw new Error('--runtime is tsx or dist');
  if (!/^[a-z_][a-z0-9_-]{0,30}$/.test(values.user)) throw new Error('--user must be a valid system user name');
  const rounds = positiveInt('rounds', values.rounds);
  return {
    quick,
    only,
    bigSize: quick ? 64 * MIB : 1024 * MIB,
    smallFiles: quick ? 200 : 2000,
    smallSize: 4096,
    parallelClients: quick ? 4 : 16,
    parallelSize: quick ? 16 * MIB : 64 * MIB,
    idleSessions: positiveInt('sessions', values.sessions) ?? (quick ? 50 : 1000),
    deliveryFiles: quick ? 10 : 50,
    rounds: rounds ? { transfer: rounds, login: rounds, idle: rounds } : quick ? { transfer: 2, login: 6, idle: 1 } : { transfer: 5, login: 30, idle: 3 },
    cipher: values.cipher,
    runtime: values.runtime,
    logLevel: values['log-level'],
    workers: positiveInt('workers', values.workers) ?? 1,
    nodeArgs: (values['node-args'] ?? '').split(' ').filter(Boolean),
    profileDir: values.profile,
    dir: values.dir,
    out: values.out,
    user: values.user,
    keep: values.keep,
    help: values.help,
  };
}
