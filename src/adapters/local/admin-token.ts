// The local admin token: THRU_ADMIN_TOKEN when set, otherwise one generated on first
// start and kept (0600) in the data directory.
import { promises as fsp } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeFileDurably } from './fs-sync.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

export async function loadOrCreateAdminToken(dataDir: string, configured?: string): Promise<{ token: string; created: boolean; file?: string }> {
  if (configured) return { token: configured, created: false };
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  try {
    const token = (await fsp.readFile(file, 'utf8')).trim();
    if (token.length >= 16) return { token, created: false, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(24).toString('base64url');
  // Durable before it is printed: the admin keeps what was printed.
  await writeFileDurably(file, `${token}\n`, { mode: 0o600, exclusive: false });
  return { token, created: true, file };
}
