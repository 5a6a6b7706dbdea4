// ssh-audit (Debian's package; .ci/run installs it) against the running server: no
// [fail] line, and the policy of the exact algorithm set (ssh-audit-policy.txt) passes.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../src/sftp/algorithms.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { run } from '../support/openssh.js';

const POLICY = join(import.meta.dirname, 'ssh-audit-policy.txt');
/** ssh-audit's exit codes: 0 good, 1 connection error, 2 warnings, 3 failures. */
const FAILURE = 3;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const audit = (...args: string[]) => run('ssh-audit', ['-n', '-p', String(server.port), ...args, '127.0.0.1'], { timeoutMs: 30_000 });

function policyList(text: string, name: string): string[] {
  const line = text.split('\n').find((l) => l.startsWith(`${name} =`));
  if (!line) throw new Error(`the policy has no "${name}" line`);
  return line.slice(line.indexOf('=') + 1).split(',').map((s) => s.trim());
}

describe('ssh-audit', () => {
  it('reports no [fail] line', async () => {
    const r = await audit();
    // It audited this server: its host key fingerprint is in the report.
    expect(r.stdout).toContain(`(fin) ssh-ed25519: ${server.runtime.hostKeyFingerprint}`);
    expect(r.stdout.split('\n').filter((l) => l.includes('[fail]'))).toEqual([]);
    expect([0, 2]).toContain(r.code);
  });

  it('passes the policy of the exact algorithm set', async () => {
    const r = await audit('-P', POLICY);
    expect(r.stdout, r.stdout).toMatch(/Result: .*Passed/);
    expect(r.code).toBe(0);
  });

  it('the policy is the set src/sftp/algorithms.ts offers, in order', () => {
    const policy = readFileSync(POLICY, 'utf8');
    // ssh2 adds its strict key exchange marker (Terrapin countermeasure) after ours.
    expect(policyList(policy, 'key exchanges')).toEqual([...ALGORITHMS.kex, 'kex-strict-s-v00@openssh.com']);
    expect(policyList(policy, 'ciphers')).toEqual(ALGORITHMS.cipher);
    expect(policyList(policy, 'macs')).toEqual(ALGORITHMS.hmac);
    expect(policyList(policy, 'host keys')).toEqual(ALGORITHMS.serverHostKey);
    expect(policyList(policy, 'compressions')).toEqual(ALGORITHMS.compress);
  });

  it('a policy the server does not match fails (the check bites)', async () => {
    const tampered = join(mkdtempSync(join(tmpdir(), 'thru-audit-')), 'policy.txt');
    writeFileSync(tampered, readFileSync(POLICY, 'utf8').replace(', hmac-sha2-512\n', '\n'));
    const r = await audit('-P', tampered);
    expect(r.stdout).toMatch(/Result: .*Failed/);
    expect(r.code).toBe(FAILURE);
  });
});
