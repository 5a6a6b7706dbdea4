// Settings from the environment (SPEC §4). Names and defaults are a contract: extend,
// never rename.
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DEFAULT_BRUTE_FORCE_POLICY, type BruteForcePolicy } from './core/brute-force.js';
import { isCoreError } from './core/errors.js';
import { checkCidrs } from './core/ip.js';
import { DEFAULT_SSH_LIMITS, type SshLimits } from './sftp/ssh-server.js';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const cidrList = z
  .string()
  .transform((v) => v.split(',').map((c) => c.trim()).filter((c) => c !== ''))
  .superRefine((cidrs, ctx) => {
    try {
      checkCidrs(cidrs, 'THRU_BAN_SAFE_LIST');
    } catch (err) {
      if (!isCoreError(err)) throw err;
      ctx.addIssue({ code: 'custom', message: err.message });
    }
  });
const L = DEFAULT_SSH_LIMITS;
const B = DEFAULT_BRUTE_FORCE_POLICY;

const Settings = z.object({
  THRU_SFTP_PORT: port.default(2222),
  THRU_ADMIN_PORT: port.default(8080),
  THRU_DATA_DIR: z.string().min(1).default('./data'),
  THRU_BIND: z.string().min(1).default('127.0.0.1'),
  THRU_ADMIN_TOKEN: z.string().min(16, 'THRU_ADMIN_TOKEN must be at least 16 characters').optional(),
  THRU_PUBLIC_HOST: z.string().min(1).optional(),
  THRU_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Create a demo organization, flow and user on the first start of an empty data directory. */
  THRU_DEMO: bool.default(true),
  /** SFTP processes sharing the port (node:cluster); "auto" for one per CPU. Local runtime only. */
  THRU_WORKERS: z.union([z.literal('auto').transform(() => availableParallelism()), count(1, 256)], { error: 'a number from 1 to 256, or "auto"' }).default(1),

  // SSH limits (0 for the per-address and per-user limits: none).
  THRU_MAX_AUTH_TRIES: count(1, 100).default(L.maxAuthTries),
  THRU_LOGIN_GRACE_SECONDS: count(1, 3600).default(L.loginGraceSeconds),
  THRU_MAX_CONNECTIONS_PER_IP: count(0, 100_000).default(L.maxConnectionsPerIp),
  THRU_MAX_SESSIONS_PER_USER: count(0, 100_000).default(L.maxSessionsPerUser),
  THRU_MAX_CHANNELS_PER_CONNECTION: count(1, 100).default(L.maxSessionsPerConnection),
  THRU_MAX_OPEN_HANDLES: count(1, 10_000).default(L.maxOpenHandles),
  THRU_MAX_READ_LENGTH: count(1024, L.maxReadLength).default(L.maxReadLength),
  /** Unset: the runtime's own (261120 on disk, 65536 in front of S3). */
  THRU_MAX_WRITE_LENGTH: count(1024, L.maxWriteLength).optional(),
  THRU_LIST_PAGE_SIZE: count(1, 10_000).default(L.listPageSize),
  /** Largest file a partner may write, in bytes. */
  THRU_MAX_FILE_SIZE: count(1, Number.MAX_SAFE_INTEGER).default(L.maxFileSize),
  /** Take client addresses from a PROXY protocol v2 header (an NLB with proxy protocol v2 on). */
  THRU_PROXY_PROTOCOL: bool.default(false),

  // Brute-force defence.
  THRU_BAN_SCORE: count(1, 1_000_000).default(B.banScore),
  THRU_BAN_WINDOW_SECONDS: count(60, 7 * 86_400).default(B.windowSeconds),
  THRU_BAN_SECONDS: count(1, 30 * 86_400).default(B.banSeconds),
  THRU_BAN_MAX_SECONDS: count(1, 365 * 86_400).default(B.maxBanSeconds),
  /** Comma-separated CIDR blocks never banned. */
  THRU_BAN_SAFE_LIST: cidrList.default([]),
});

export interface Config {
  sftpPort: number;
  adminPort: number;
  dataDir: string;
  bind: string;
  adminToken?: string;
  publicHost?: string;
  logLevel: string;
  demo: boolean;
  /** SFTP worker processes (local runtime); 1 serves SFTP in the main process. */
  workers?: number;
  /** Unset fields take DEFAULT_SSH_LIMITS. */
  sshLimits?: Partial<SshLimits>;
  /** Unset fields take DEFAULT_BRUTE_FORCE_POLICY. */
  bruteForce?: Partial<BruteForcePolicy>;
  proxyProtocol?: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Settings.safeParse(Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('THRU_') && v !== '')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid settings: ${problems}`);
  }
  const s = parsed.data;
  return {
    sftpPort: s.THRU_SFTP_PORT,
    adminPort: s.THRU_ADMIN_PORT,
    dataDir: s.THRU_DATA_DIR,
    bind: s.THRU_BIND,
    adminToken: s.THRU_ADMIN_TOKEN,
    publicHost: s.THRU_PUBLIC_HOST,
    logLevel: s.THRU_LOG_LEVEL,
    demo: s.THRU_DEMO,
    workers: s.THRU_WORKERS,
    sshLimits: {
      maxAuthTries: s.THRU_MAX_AUTH_TRIES,
      loginGraceSeconds: s.THRU_LOGIN_GRACE_SECONDS,
      maxConnectionsPerIp: s.THRU_MAX_CONNECTIONS_PER_IP,
      maxSessionsPerUser: s.THRU_MAX_SESSIONS_PER_USER,
      maxSessionsPerConnection: s.THRU_MAX_CHANNELS_PER_CONNECTION,
      maxOpenHandles: s.THRU_MAX_OPEN_HANDLES,
      maxReadLength: s.THRU_MAX_READ_LENGTH,
      ...(s.THRU_MAX_WRITE_LENGTH !== undefined && { maxWriteLength: s.THRU_MAX_WRITE_LENGTH }),
      listPageSize: s.THRU_LIST_PAGE_SIZE,
      maxFileSize: s.THRU_MAX_FILE_SIZE,
    },
    bruteForce: {
      banScore: s.THRU_BAN_SCORE,
      windowSeconds: s.THRU_BAN_WINDOW_SECONDS,
      banSeconds: s.THRU_BAN_SECONDS,
      maxBanSeconds: s.THRU_BAN_MAX_SECONDS,
      safeList: s.THRU_BAN_SAFE_LIST,
    },
    proxyProtocol: s.THRU_PROXY_PROTOCOL,
  };
}
