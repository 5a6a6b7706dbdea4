// Transfer Family API answers for one server, shaped as the SDK returns them (and, via
// wireJson, as the service sends them): two ListUsers pages, DescribeUser per user. The
// users cover what an import meets: several keys, LOGICAL homes, no key, a key we
// refuse, names and homes we cannot take, and two homes that would collide.
import type { DescribeServerCommandOutput, DescribeUserCommandOutput, ListUsersCommandOutput } from '@aws-sdk/client-transfer';
import { generateKey, type ClientKey } from './openssh.js';

export const SERVER_ID = 's-0123456789abcdef0';
export const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/transfer-users`;

type DescribedUser = NonNullable<DescribeUserCommandOutput['User']>;

export interface RecordedServer {
  server: NonNullable<DescribeServerCommandOutput['Server']>;
  /** ListUsers pages, in order; each page but the last has a NextToken. */
  pages: NonNullable<ListUsersCommandOutput['Users']>[];
  users: Record<string, DescribedUser>;
  keys: RecordedKeys;
}

export type RecordedKeys = Record<'aliceEd' | 'aliceRsa' | 'bobEcdsa' | 'frankWeak' | 'frankEd' | 'other', ClientKey>;

const key = (k: ClientKey, id: string) => ({ SshPublicKeyId: id, SshPublicKeyBody: k.publicKey, DateImported: new Date('2024-03-01T10:00:00Z') });
const userArn = (name: string) => `arn:aws:transfer:us-east-1:${ACCOUNT}:user/${SERVER_ID}/${name}`;

export function recordedServer(): RecordedServer {
  const keys: RecordedKeys = {
    aliceEd: generateKey('ed25519'),
    aliceRsa: generateKey('rsa', 3072),
    bobEcdsa: generateKey('ecdsa'),
    frankWeak: generateKey('rsa', 1024),
    frankEd: generateKey('ed25519'),
    other: generateKey('ed25519'),
  };
  const u = (name: string, fields: Partial<DescribedUser>): DescribedUser => ({ Arn: userArn(name), UserName: name, Role: ROLE, ...fields });
  const users: Record<string, DescribedUser> = {
    alice: u('alice', { HomeDirectoryType: 'PATH', HomeDirectory: '/acme-tf/home/alice', SshPublicKeys: [key(keys.aliceEd, 'key-0aaa'), key(keys.aliceRsa, 'key-0aab')], Tags: [{ Key: 'partner', Value: 'Alice Corp' }] }),
    bob: u('bob', { HomeDirectoryType: 'LOGICAL', HomeDirectoryMappings: [{ Entry: '/', Target: '/acme-tf/home/bob' }], SshPublicKeys: [key(keys.bobEcdsa, 'key-0bbb')] }),
    carol: u('carol', { HomeDirectoryType: 'PATH', HomeDirectory: '/acme-tf/home/carol', SshPublicKeys: [] }),
    Dave: u('Dave', { HomeDirectoryType: 'PATH', HomeDirectory: '/acme-tf/home/Dave', SshPublicKeys: [key(keys.other, 'key-0ddd')] }),
    erin: u('erin', {
      HomeDirectoryType: 'LOGICAL',
      HomeDirectoryMappings: [{ Entry: '/in', Target: '/acme-tf/in/erin' }, { Entry: '/out', Target: '/acme-tf/out/erin' }],
      SshPublicKeys: [key(keys.other, 'key-0eee')],
    }),
    frank: u('frank', { HomeDirectoryType: 'PATH', HomeDirectory: '/acme-tf/home/frank/', SshPublicKeys: [key(keys.frankWeak, 'key-0fff'), key(keys.frankEd, 'key-0ff0')], Policy: '{"Version":"2012-10-17"}' }),
    grace: u('grace', { HomeDirectoryType: 'PATH', SshPublicKeys: [key(keys.other, 'key-0ggg')] }),
    heidi: u('heidi', { HomeDirectoryType: 'LOGICAL', HomeDirectoryMappings: [{ Entry: '/', Target: '/acme-tf/home/${transfer:UserName}' }], SshPublicKeys: [key(keys.other, 'key-0hhh')] }),
    ivan: u('ivan', { HomeDirectoryType: 'PATH', HomeDirectory: '/acme-tf/a/shared', SshPublicKeys: [key(keys.other, 'key-0iii')] }),
    judy: u('judy', { HomeDirectoryType: 'PATH', HomeDirectory: '/acme-tf/b/shared', SshPublicKeys: [key(keys.other, 'key-0jjj')] }),
  };
  const listed = (name: string) => {
    const d = users[name]!;
    return { Arn: d.Arn, UserName: name, Role: d.Role, HomeDirectory: d.HomeDirectory, HomeDirectoryType: d.HomeDirectoryType, SshPublicKeyCount: d.SshPublicKeys?.length ?? 0 };
  };
  const names = Object.keys(users);
  return {
    server: {
      Arn: `arn:aws:transfer:us-east-1:${ACCOUNT}:server/${SERVER_ID}`, ServerId: SERVER_ID, Domain: 'S3', EndpointType: 'PUBLIC',
      IdentityProviderType: 'SERVICE_MANAGED', Protocols: ['SFTP'], State: 'ONLINE', UserCount: names.length,
      SecurityPolicyName: 'TransferSecurityPolicy-2024-01',
    },
    pages: [names.slice(0, 6).map(listed), names.slice(6).map(listed)],
    users,
    keys,
  };
}

/** An SDK-shaped value as the service's JSON (timestamps in epoch seconds). */
export function wireJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, k: string, v: unknown) {
    const raw = this[k];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}
