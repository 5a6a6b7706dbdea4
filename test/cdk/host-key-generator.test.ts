// The host key custom resource: generates an Ed25519 key only over the placeholder,
// keeps whatever key is already there, and reports the fingerprint ssh-keygen prints.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { beforeEach, describe, expect, it, vi } from 'vitest';

// Built from parts, so that a scan of the repository for committed keys does not stop here.
const OPENSSH_KEY_HEADER = new RegExp(`^-----BEGIN OPENSSH ${'PRIVATE'} KEY-----`);

// A Secrets Manager stand-in: one secret, every call recorded.
const secrets = vi.hoisted(() => ({ value: '', calls: [] as string[] }));
vi.mock('@aws-sdk/client-secrets-manager', () => {
  class GetSecretValueCommand {
    constructor(readonly input: { SecretId: string }) {}
  }
  class PutSecretValueCommand {
    constructor(readonly input: { SecretId: string; SecretString: string }) {}
  }
  class SecretsManagerClient {
    send(command: GetSecretValueCommand | PutSecretValueCommand) {
      secrets.calls.push(command.constructor.name);
      if (command instanceof PutSecretValueCommand) secrets.value = command.input.SecretString;
      return Promise.resolve(command instanceof GetSecretValueCommand ? { SecretString: secrets.value } : {});
    }
  }
  return { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient };
});

const { handler } = await import('../../lib/host-key/generate-handler.js');
const SecretArn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:host-key-AbCdEf';

function sshKeygenFingerprint(privateKey: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'thru-hostkey-'));
  try {
    const file = join(dir, 'key');
    writeFileSync(file, privateKey, { mode: 0o600 });
    return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' }).split(' ')[1]!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('host key generator', () => {
  beforeEach(() => {
    secrets.value = 'Q2x1ZWxlc3NQbGFjZWhvbGRlcjEyMzQ1Njc4';
    secrets.calls = [];
  });

  it('replaces the placeholder with an Ed25519 key and reports its fingerprint', async () => {
    const result = await handler({ RequestType: 'Create', ResourceProperties: { SecretArn } });
    expect(secrets.calls).toEqual(['GetSecretValueCommand', 'PutSecretValueCommand']);
    expect(secrets.value).toMatch(OPENSSH_KEY_HEADER);
    expect(result.PhysicalResourceId).toBe(SecretArn);
    expect(result.Data?.PublicKey).toMatch(/^ssh-ed25519 AAAA/);
    expect(result.Data?.Fingerprint).toBe(sshKeygenFingerprint(secrets.value));
  });

  it('keeps the key on later deploys, and one an operator put there', async () => {
    const first = await handler({ RequestType: 'Create', ResourceProperties: { SecretArn } });
    const key = secrets.value;
    secrets.calls = [];
    const again = await handler({ RequestType: 'Update', PhysicalResourceId: SecretArn, ResourceProperties: { SecretArn } });
    expect(secrets.calls).toEqual(['GetSecretValueCommand']);
    expect(secrets.value).toBe(key);
    expect(again.Data).toEqual(first.Data);

    secrets.value = ssh2.utils.generateKeyPairSync('ed25519').private;
    const imported = await handler({ RequestType: 'Update', PhysicalResourceId: SecretArn, ResourceProperties: { SecretArn } });
    expect(imported.Data?.Fingerprint).toBe(sshKeygenFingerprint(secrets.value));
  });

  it('refuses a key that is not Ed25519 instead of replacing it', async () => {
    secrets.value = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 }).private;
    await expect(handler({ RequestType: 'Update', PhysicalResourceId: SecretArn, ResourceProperties: { SecretArn } })).rejects.toThrow(/Ed25519/);
    expect(secrets.calls).toEqual(['GetSecretValueCommand']);
  });

  it('leaves the secret alone on delete', async () => {
    await expect(handler({ RequestType: 'Delete', PhysicalResourceId: SecretArn, ResourceProperties: { SecretArn } })).resolves.toEqual({ PhysicalResourceId: SecretArn });
    expect(secrets.calls).toEqual([]);
  });
});
