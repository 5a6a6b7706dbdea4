// The tenancy rules that the HTTP tests reach only in part: normalization of CIDRs,
// instants, fingerprints and public URLs.
import { describe, expect, it } from 'vitest';
import { sftpUrl } from '../../src/core/tenancy/context.js';
import { checkCidrs, checkInstant, checkTriggers, checkUsername } from '../../src/core/tenancy/rules.js';
import { normalizeFingerprint } from '../../src/core/tenancy/users.js';
import { isCoreError } from '../../src/core/errors.js';

const refused = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return isCoreError(err, 'invalid_argument');
  }
  return false;
};

describe('tenancy rules', () => {
  it('public URLs bracket IPv6 hosts', () => {
    expect(sftpUrl('sftp.example.com', 22)).toBe('sftp://sftp.example.com:22');
    expect(sftpUrl('::1', 2222)).toBe('sftp://[::1]:2222');
    expect(sftpUrl('[::1]', 2222)).toBe('sftp://[::1]:2222');
  });

  it('CIDRs are normalized; bare addresses become single-host blocks', () => {
    expect(checkCidrs(['10.0.0.0/8', '192.0.2.7', '2001:db8::1', '2001:DB8::/32'])).toEqual(['10.0.0.0/8', '192.0.2.7/32', '2001:db8::1/128', '2001:db8::/32']);
    expect(refused(() => checkCidrs(['10.0.0.0/33']))).toBe(true);
    expect(refused(() => checkCidrs(['example.com']))).toBe(true);
  });

  it('instants need a time zone and come back in UTC', () => {
    expect(checkInstant('expiresAt', '2030-01-01T01:00:00+01:00')).toBe('2030-01-01T00:00:00.000Z');
    expect(refused(() => checkInstant('expiresAt', '2030-01-01'))).toBe(true);
    expect(refused(() => checkInstant('expiresAt', '2030-02-30T00:00:00Z'))).toBe(true);
  });

  it('fingerprints are accepted with or without prefix and in URL-safe base64', () => {
    const fp = 'SHA256:ab+/cd';
    expect(normalizeFingerprint(fp)).toBe(fp);
    expect(normalizeFingerprint('ab+/cd')).toBe(fp);
    expect(normalizeFingerprint('SHA256:ab-_cd')).toBe(fp);
    expect(normalizeFingerprint('ab-_cd=')).toBe(fp);
  });

  it('usernames are lower-case with a hint', () => {
    expect(checkUsername('acme.upload@corp')).toBe('acme.upload@corp');
    expect(() => checkUsername('Acme')).toThrow(/lower-case: "acme"/);
    expect(refused(() => checkUsername('-acme'))).toBe(true);
  });

  it('triggers default their temp-file patterns; an explicit empty list stays empty', () => {
    expect(checkTriggers({}, ['*.filepart'])).toEqual({ tempFilePatterns: ['*.filepart'] });
    expect(checkTriggers({ tempFilePatterns: [] }, ['*.filepart'])).toEqual({ tempFilePatterns: [] });
    expect(refused(() => checkTriggers({ triggerFile: { mode: 'per-file', suffix: '' } }, []))).toBe(true);
  });
});
