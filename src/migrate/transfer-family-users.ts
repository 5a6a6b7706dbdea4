// Reads an AWS Transfer Family server's service-managed users: DescribeServer (is it
// service-managed?), ListUsers page by page, then DescribeUser for each user's keys,
// home and tags. Throttling is the SDK's business: the client below retries with backoff.
import {
  DescribeServerCommand,
  DescribeUserCommand,
  TransferClient,
  paginateListUsers,
  type TransferClientConfig,
} from '@aws-sdk/client-transfer';
import type { TransferFamilyHome } from './home-mapping.js';

export interface TransferFamilyKey {
  id: string;
  body: string;
  importedAt?: string;
}

export interface TransferFamilyUser extends TransferFamilyHome {
  role?: string;
  /** A session policy: it scoped the role down; thru-sftp permissions replace it. */
  hasPolicy: boolean;
  keys: TransferFamilyKey[];
  tags: Record<string, string>;
}

export interface TransferFamilyServer {
  serverId: string;
  domain: string;
  identityProviderType: string;
  users: TransferFamilyUser[];
}

export class NotServiceManaged extends Error {}

/**
 * A Transfer client for the import: the Transfer API allows a few calls per second and
 * an import makes one per user, so throttled calls are retried (the SDK's standard
 * backoff with jitter) well past the default 3 attempts.
 */
export function transferClient(config: TransferClientConfig = {}): TransferClient {
  return new TransferClient({ retryMode: 'standard', maxAttempts: 10, ...config });
}

export async function readServer(client: TransferClient, serverId: string): Promise<TransferFamilyServer> {
  const { Server: server } = await client.send(new DescribeServerCommand({ ServerId: serverId }));
  const identityProviderType = server?.IdentityProviderType ?? 'SERVICE_MANAGED';
  if (identityProviderType !== 'SERVICE_MANAGED') {
    throw new NotServiceManaged(`server ${serverId} authenticates with ${identityProviderType}: its users live in that identity provider, not in Transfer Family; only SERVICE_MANAGED servers can be imported`);
  }
  const users: TransferFamilyUser[] = [];
  for await (const page of paginateListUsers({ client, pageSize: 1000 }, { ServerId: serverId })) {
    for (const listed of page.Users ?? []) {
      if (!listed.UserName) continue;
      const { User: u } = await client.send(new DescribeUserCommand({ ServerId: serverId, UserName: listed.UserName }));
      if (!u) continue;
      users.push({
        username: u.UserName ?? listed.UserName,
        homeDirectoryType: u.HomeDirectoryType,
        homeDirectory: u.HomeDirectory,
        mappings: u.HomeDirectoryMappings,
        role: u.Role,
        hasPolicy: Boolean(u.Policy),
        keys: (u.SshPublicKeys ?? []).map((k) => ({ id: k.SshPublicKeyId ?? '?', body: k.SshPublicKeyBody ?? '', importedAt: k.DateImported?.toISOString() })),
        tags: Object.fromEntries((u.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      });
    }
  }
  return { serverId, domain: server?.Domain ?? 'S3', identityProviderType, users };
}
