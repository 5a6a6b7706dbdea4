// CloudFormation custom resource behind HostKey: makes sure the host key secret holds
// an Ed25519 private key (OpenSSH format) and reports its public half and fingerprint.
// It generates a key only while the secret still holds the placeholder Secrets
// Manager generated at creation, so a key put there by an operator (for instance
// one imported from a previous server) is kept, and a deploy never rotates the key.
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { describeHostKey, generateHostKey } from '../../src/adapters/local/host-key.js';

interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  PhysicalResourceId?: string;
  ResourceProperties: { SecretArn?: string };
}

interface CustomResourceResult {
  PhysicalResourceId: string;
  Data?: { Fingerprint: string; PublicKey: string };
}

const client = new SecretsManagerClient({});

export async function handler(event: CustomResourceEvent): Promise<CustomResourceResult> {
  const secretArn = event.ResourceProperties.SecretArn;
  if (!secretArn) throw new Error('SecretArn is required');
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? secretArn };

  const current = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  let privateKey = current.SecretString ?? '';
  if (!privateKey.includes('PRIVATE KEY')) {
    privateKey = generateHostKey().private;
    await client.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: privateKey }));
  }
  // Throws (and fails the deploy with this message) for anything but an Ed25519 key.
  const key = describeHostKey(Buffer.from(privateKey));
  return { PhysicalResourceId: secretArn, Data: { Fingerprint: key.fingerprint, PublicKey: key.publicKey } };
}
