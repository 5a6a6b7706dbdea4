// The local host key: one Ed25519 key, generated on first start into the data
// directory (0600) and reused after, so partners' known_hosts stay valid.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import ssh2, { type ParsedKey } from 'ssh2';
import { parsePublicKey } from '../../core/public-keys.js';
import { writeFileDurably } from './fs-sync.js';

export interface HostKey {
  privateKey: Buffer;
  publicKey: string;
  /** "SHA256:..." as ssh-keygen -l prints it. */
  fingerprint: string;
}

export const HOST_KEY_FILE = 'host_ed25519_key';

/** Public half and fingerprint of an Ed25519 private key (OpenSSH format). */
export function describeHostKey(privateKey: Buffer): HostKey {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`unusable host key: ${parsed.message}`);
  // ssh2 returns a list for some OpenSSH-format files, whatever its types say.
  const key: ParsedKey = Array.isArray(parsed) ? (parsed as ParsedKey[])[0]! : parsed;
  if (key.type !== 'ssh-ed25519') throw new Error(`the host key must be Ed25519, not ${key.type}`);
  const publicKey = `ssh-ed25519 ${key.getPublicSSH().toString('base64')}`;
  return { privateKey, publicKey, fingerprint: parsePublicKey(publicKey).fingerprint };
}

export async function loadOrCreateHostKey(dataDir: string): Promise<HostKey & { created: boolean }> {
  const file = join(dataDir, HOST_KEY_FILE);
  const existing = await load(file);
  if (existing) return { ...existing, created: false };
  const pair = generateHostKey();
  // Durable before anyone sees its fingerprint: a key lost to a crash would be replaced
  // by another, and every partner's client would then refuse to connect.
  if (!(await writeFileDurably(file, pair.private, { mode: 0o600, exclusive: true }))) {
    return { ...(await load(file))!, created: false }; // another process of this server made it first
  }
  await writeFileDurably(`${file}.pub`, `${pair.public}\n`, { mode: 0o644, exclusive: false });
  return { ...describeHostKey(Buffer.from(pair.private)), created: true };
}

/** The key in `file`; undefined if there is none. A file that holds no usable key stops the start. */
async function load(file: string): Promise<HostKey | undefined> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    return describeHostKey(bytes);
  } catch (err) {
    throw new Error(
      `${file} holds no usable host key (${(err as Error).message}). Restore it from a backup; or delete it to make a new key, and tell partners the new fingerprint (their clients will refuse the changed key until they do)`,
      { cause: err },
    );
  }
}

/**
 * A new Ed25519 key pair in OpenSSH format. ssh2 1.17's generator drops a leading zero
 * byte of the public key about once in 256 keys, writing a key it cannot read back;
 * such a key is thrown away and another one made.
 */
export function generateHostKey(): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    const parsed = ssh2.utils.parseKey(pair.private);
    if (!(parsed instanceof Error) && !Array.isArray(parsed) && parsed.getPublicSSH().length === 51) return pair;
  }
}
