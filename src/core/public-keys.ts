// OpenSSH public key lines: parsed, checked against our key policy and fingerprinted
// the way `ssh-keygen -l -E sha256` does. Signatures are verified by the SSH front
// end; this module only decides which keys a user may register.
import { createHash } from 'node:crypto';
import { invalidArgument } from './errors.js';

export const ACCEPTED_KEY_TYPES = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
] as const;

export const MIN_RSA_BITS = 2048;

export interface ParsedPublicKey {
  type: string;
  blob: Buffer;
  comment: string;
  /** Modulus size for RSA keys. */
  bits?: number;
  fingerprint: string;
}

export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Reads SSH wire-format strings (RFC 4251 §5) out of a key blob. */
class WireReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}
  string(): Buffer {
    if (this.offset + 4 > this.buf.length) throw invalidArgument('the public key is truncated');
    const len = this.buf.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + len > this.buf.length) throw invalidArgument('the public key is truncated');
    this.offset = start + len;
    return this.buf.subarray(start, start + len);
  }
  get done(): boolean {
    return this.offset === this.buf.length;
  }
}

function mpintBits(mpint: Buffer): number {
  let i = 0;
  while (i < mpint.length && mpint[i] === 0) i++;
  if (i === mpint.length) return 0;
  return (mpint.length - i - 1) * 8 + (32 - Math.clz32(mpint[i]!));
}

/** Parse one OpenSSH public key line ("type base64 [comment]"), or throw invalid_argument. */
export function parsePublicKey(line: string): ParsedPublicKey {
  const parts = line.trim().split(/\s+/);
  const [type, data] = parts;
  if (!type || !data) throw invalidArgument('a public key is "<type> <base64> [comment]", as in id_ed25519.pub');
  if (type === 'ssh-dss') throw invalidArgument('DSA keys are not accepted: use an Ed25519, ECDSA or RSA (2048+ bits) key');
  if (!(ACCEPTED_KEY_TYPES as readonly string[]).includes(type)) {
    throw invalidArgument(`key type "${type.slice(0, 40)}" is not accepted (authorized_keys options are not supported); accepted: ${ACCEPTED_KEY_TYPES.join(', ')}`);
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data)) throw invalidArgument('the public key is not valid base64');
  const blob = Buffer.from(data, 'base64');
  const reader = new WireReader(blob);
  const innerType = reader.string().toString('latin1');
  if (innerType !== type) throw invalidArgument(`the key says "${type}" but its data is a "${innerType.slice(0, 40)}" key`);
  let bits: number | undefined;
  if (type === 'ssh-rsa') {
    reader.string(); // e
    bits = mpintBits(reader.string());
    if (bits < MIN_RSA_BITS) throw invalidArgument(`RSA keys need at least ${MIN_RSA_BITS} bits (this one has ${bits})`);
  } else if (type === 'ssh-ed25519') {
    if (reader.string().length !== 32) throw invalidArgument('the Ed25519 key is malformed');
  } else {
    const curve = reader.string().toString('latin1');
    if (`ecdsa-sha2-${curve}` !== type) throw invalidArgument('the ECDSA key is malformed');
    reader.string(); // Q
  }
  if (!reader.done) throw invalidArgument('the public key has trailing data');
  return { type, blob, comment: parts.slice(2).join(' '), bits, fingerprint: fingerprintOf(blob) };
}
