// The AWS runtime's host key: one Secrets Manager secret read at start, so every task
// presents the same key. The value is the OpenSSH private key text, as
// `ssh-keygen -t ed25519` writes it (the CDK app generates it on first deploy).
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeHostKey, type HostKey } from '../local/host-key.js';

export async function loadHostKeyFromSecret(client: SecretsManagerClient, secretId: string): Promise<HostKey> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const text = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString('utf8') : undefined);
  if (!text) throw new Error(`the host key secret ${secretId} is empty`);
  return describeHostKey(Buffer.from(text));
}
