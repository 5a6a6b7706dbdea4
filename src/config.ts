// Settings from the environment (SPEC §4). Names and defaults are a contract: extend,
// never rename.
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

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
  };
}
