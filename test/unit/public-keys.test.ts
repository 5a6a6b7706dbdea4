// The key policy: what admins may register, and fingerprints equal to ssh-keygen's.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { parsePublicKey } from '../../src/core/public-keys.js';
import { generateKey } from '../support/openssh.js';

const fingerprintBySshKeygen = (file: string) => execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' }).split(' ')[1];

describe('parsePublicKey', () => {
  for (const [type, bits] of [['ed25519', undefined], ['ecdsa', 256], ['ecdsa', 384], ['ecdsa', 521], ['rsa', 2048], ['rsa', 4096]] as const) {
    it(`accepts ${type}${bits ? ` ${bits}` : ''} with the fingerprint ssh-keygen prints`, () => {
      const key = generateKey(type, bits);
      const parsed = parsePublicKey(key.publicKey);
      expect(parsed.fingerprint).toBe(fingerprintBySshKeygen(`${key.privateKeyFile}.pub`));
      expect(parsed.comment).toBe(`test-${type}`);
      if (type === 'rsa') expect(parsed.bits).toBe(bits);
    });
  }

  it('refuses RSA below 2048 bits', () => {
    const key = generateKey('rsa', 1024);
    expect(() => parsePublicKey(key.publicKey)).toThrow(/at least 2048 bits \(this one has 1024\)/);
  });

  it('refuses DSA, options, garbage and mismatched types', () => {
    const ed = generateKey('ed25519').publicKey;
    const blob = ed.split(' ')[1]!;
    expect(() => parsePublicKey(`ssh-dss ${blob}`)).toThrow(/DSA keys are not accepted/);
    expect(() => parsePublicKey(`no-pty ${ed}`)).toThrow(/not accepted/);
    expect(() => parsePublicKey('ssh-ed25519 !!!!')).toThrow(/base64/);
    expect(() => parsePublicKey(`ssh-rsa ${blob}`)).toThrow(/its data is a "ssh-ed25519" key/);
    expect(() => parsePublicKey(`ssh-ed25519 ${blob.slice(0, 20)}`)).toThrow(/truncated|malformed/);
    expect(() => parsePublicKey('')).toThrow();
  });
});
