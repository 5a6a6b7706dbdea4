// What the tenancy services share: the directory, the clock, and the deployment's SFTP
// address (every thru-sftp-server endpoint is reached at the same host and port).
import type { Clock } from '../ports/clock.js';
import type { Directory, Page, PageRequest } from '../ports/directory.js';
import type { Transfer } from '../model.js';

/**
 * Queues a transfer's dead deliveries again and returns the transfer; conflict when none
 * is dead. The post-upload pipeline owns deliveries, so the runtime injects its version.
 */
export type RetryTransfer = (transferId: string) => Promise<Transfer>;

export interface SftpAccess {
  /** "sftp://HOST:PORT" */
  publicUrl: string;
  /** "SHA256:..." of each host key partners may see. */
  hostKeyFingerprints: string[];
}

export interface TenancyContext {
  directory: Directory;
  clock: Clock;
  sftp: SftpAccess;
  retryTransfer: RetryTransfer;
}

/** Every item of a paged listing, for cascades and uniqueness checks (admin-sized data). */
export async function all<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: 100, cursor });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** "sftp://host:port", with brackets around an IPv6 address. */
export function sftpUrl(host: string, port: number): string {
  return `sftp://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}
