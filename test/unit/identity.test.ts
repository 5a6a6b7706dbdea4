// Login decisions that need no network: source-address rules and password hashes.
import { describe, expect, it } from 'vitest';
import { sourceIpAllowed } from '../../src/core/identity.js';
import { hashPassword, verifyPassword } from '../../src/core/passwords.js';

describe('sourceIpAllowed', () => {
  it('allows everything when no CIDR is set', () => {
    expect(sourceIpAllowed([], '203.0.113.9')).toBe(true);
  });
  it('matches IPv4, IPv6 and IPv4-mapped IPv6 addresses', () => {
    expect(sourceIpAllowed(['203.0.113.0/24'], '203.0.113.9')).toBe(true);
    expect(sourceIpAllowed(['203.0.113.0/24'], '::ffff:203.0.113.9')).toBe(true);
    expect(sourceIpAllowed(['203.0.113.0/24'], '203.0.114.9')).toBe(false);
    expect(sourceIpAllowed(['2001:db8::/32'], '2001:db8::1')).toBe(true);
    expect(sourceIpAllowed(['2001:db8::/32'], '2001:db9::1')).toBe(false);
    expect(sourceIpAllowed(['::ffff:0:0/96'], '198.51.100.1')).toBe(true);
  });
  it('refuses unparsable addresses and ignores unparsable CIDRs', () => {
    expect(sourceIpAllowed(['0.0.0.0/0'], 'not-an-ip')).toBe(false);
    expect(sourceIpAllowed(['nonsense', '10.0.0.0/8'], '10.1.2.3')).toBe(true);
  });
});

describe('passwords', () => {
  it('verify the right password only, with a fresh salt each time', async () => {
    const a = await hashPassword('s3cret!');
    const b = await hashPassword('s3cret!');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^\$scrypt\$ln=14,r=8,p=1\$/);
    expect(await verifyPassword('s3cret!', a)).toBe(true);
    expect(await verifyPassword('s3cret?', a)).toBe(false);
    expect(await verifyPassword('s3cret!', 'garbage')).toBe(false);
  });
});
