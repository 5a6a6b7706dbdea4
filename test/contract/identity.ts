// The identity contract: every way a front end logs partners in decides alike. Locally
// the SSH front end asks the directory itself (DirectoryIdentity); on AWS it invokes the
// identity Lambda (LambdaIdentity), which asks the DynamoDB directory. Same users, same
// answers, same refusal reasons (brute-force scoring depends on them), and a change
// applies at the next login.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IdentityProvider, LoginAttempt } from '../../src/core/identity.js';
import type { Directory } from '../../src/core/ports/directory.js';
import type { Clock } from '../../src/core/ports/clock.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { createTenancy, type Tenancy } from '../../src/core/tenancy/index.js';
import { generateKey } from '../support/openssh.js';

export interface IdentityUnderTest {
  identity: IdentityProvider;
  directory: Directory;
  cleanup(): Promise<void>;
}

/** Logins happen "now" = 2031; one user expired in 2030. */
export const NOW = new Date('2031-01-01T00:00:00.000Z');
export const fixedClock: Clock = { now: () => new Date(NOW) };

const password = 'contract-password-1';
const key = generateKey('ed25519');
const from = '203.0.113.7';

export function identityContract(name: string, make: (clock: Clock) => Promise<IdentityUnderTest>): void {
  describe(`identity contract: ${name}`, () => {
    let t: IdentityUnderTest;
    let tenancy: Tenancy;
    let rootKey: string;
    const login = (username: string, over: Partial<LoginAttempt> = {}) => t.identity.authenticate({ username, sourceIp: from, password, ...over });
    const keyLogin = (username: string, over: Partial<LoginAttempt> = {}) => t.identity.authenticate({ username, sourceIp: from, ...over });

    beforeEach(async () => {
      t = await make(fixedClock);
      tenancy = createTenancy({
        directory: t.directory, clock: systemClock, sftp: { publicUrl: 'sftp://sftp.example.com:22', hostKeyFingerprints: [] },
        retryTransfer: () => Promise.reject(new Error('unused')),
      });
      const org = await tenancy.organizations.create({ name: 'acme' });
      const ep = await tenancy.endpoints.create(org.id, { name: 'sftp', type: 'thru-sftp-server', config: { idleTimeoutSeconds: 600 } });
      const out = await tenancy.endpoints.create(org.id, { name: 'out', type: 'webhook', config: { url: 'https://example.com/h', secret: 'x'.repeat(16) } });
      const flow = await tenancy.flows.create(org.id, {
        name: 'f', sources: [{ endpointId: ep.id, path: '/in', triggers: { tempFilePatterns: ['*.part'] } }], targets: [{ endpointId: out.id, path: '/' }],
      });
      const fe = flow.sources[0]!.id;
      await tenancy.users.create(fe, { username: 'alice', password, publicKeys: [key.publicKey], permissions: ['list', 'download', 'upload'], homeDirectory: '/alice' });
      await tenancy.users.create(fe, { username: 'keys-only', publicKeys: [key.publicKey] });
      await tenancy.users.create(fe, { username: 'password-only', password });
      await tenancy.users.create(fe, { username: 'office-only', password, allowedCidrs: ['10.0.0.0/8'] });
      await tenancy.users.create(fe, { username: 'expiring', password, expiresAt: '2030-06-01T00:00:00.000Z' });
      const gone = await tenancy.users.create(fe, { username: 'gone', password });
      await tenancy.users.update(gone.id, { enabled: false });
      rootKey = `${org.id}/${ep.id}/in/alice`;
    });
    afterEach(async () => {
      await t.cleanup();
    });

    it('logs in with the password: the session the front end needs, no keys', async () => {
      const d = await login('alice');
      expect(d).toMatchObject({ ok: true, principal: { username: 'alice', rootKey, permissions: ['list', 'download', 'upload'], idleTimeoutSeconds: 600, tempFilePatterns: ['*.part'] }, publicKeys: [] });
    });

    it('offers the user\'s keys for a key login', async () => {
      const d = await keyLogin('alice');
      expect(d.ok && d.publicKeys.map((k) => [k.type, k.fingerprint])).toEqual([['ssh-ed25519', expect.stringMatching(/^SHA256:/)]]);
    });

    it('refuses, saying why', async () => {
      expect(await login('alice', { password: 'wrong' })).toEqual({ ok: false, reason: 'bad_password' });
      expect(await login('nobody')).toEqual({ ok: false, reason: 'unknown_user' });
      expect(await keyLogin('nobody')).toEqual({ ok: false, reason: 'unknown_user' });
      expect(await login('keys-only')).toEqual({ ok: false, reason: 'no_password_set' });
      expect(await keyLogin('password-only')).toEqual({ ok: false, reason: 'no_public_keys' });
      expect(await login('gone')).toEqual({ ok: false, reason: 'disabled' });
      expect(await login('expiring')).toEqual({ ok: false, reason: 'expired' });
      expect(await login('office-only')).toEqual({ ok: false, reason: 'source_ip_not_allowed' });
    });

    it('lets an allowed address in, IPv4-mapped IPv6 included', async () => {
      expect((await login('office-only', { sourceIp: '10.1.2.3' })).ok).toBe(true);
      expect((await login('office-only', { sourceIp: '::ffff:10.1.2.3' })).ok).toBe(true);
    });

    it('applies a change at the next login: disabled, then enabled again', async () => {
      const user = await t.directory.users.getByUsername('password-only');
      await tenancy.users.update(user!.id, { enabled: false });
      expect(await login('password-only')).toEqual({ ok: false, reason: 'disabled' });
      await tenancy.users.update(user!.id, { enabled: true });
      expect((await login('password-only')).ok).toBe(true);
    });
  });
}
