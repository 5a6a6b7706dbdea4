// Password hashing with scrypt (memory-hard), stored as a PHC string that carries its
// parameters so the cost can be raised later without invalidating stored hashes.
// Default cost: 16 MiB of memory (N=2^14, r=8), the same memory as the yescrypt
// default Debian uses for /etc/shadow.
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

export interface KdfCost {
  logN: number;
  r: number;
  p: number;
}

export const DEFAULT_KDF_COST: KdfCost = { logN: 14, r: 8, p: 1 };
const KEY_LENGTH = 32;
const PHC = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

const maxmem = (c: KdfCost) => 256 * (2 ** c.logN) * c.r + 1024 * 1024;

export async function hashPassword(password: string, cost: KdfCost = DEFAULT_KDF_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { N: 2 ** cost.logN, r: cost.r, p: cost.p, maxmem: maxmem(cost) });
  const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${cost.logN},r=${cost.r},p=${cost.p}$${b64(salt)}$${b64(key)}`;
}

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const m = PHC.exec(phc);
  if (!m) return false;
  const cost = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (cost.logN < 10 || cost.logN > 22) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await scrypt(password, Buffer.from(m[4]!, 'base64'), expected.length, {
    N: 2 ** cost.logN, r: cost.r, p: cost.p, maxmem: maxmem(cost),
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;
/**
 * Spend the same work as a real verification, for logins of unknown users or users
 * without a password: the client cannot tell them from a wrong password by timing.
 */
export async function burnPasswordCheck(password: string): Promise<false> {
  dummy ??= hashPassword('thru-sftp-dummy');
  await verifyPassword(password, await dummy);
  return false;
}
