// `thru-sftp import transfer-family`: the users of an AWS Transfer Family server become
// thru-sftp users of one flow endpoint, through the admin API. Nothing existing is ever
// changed: a user already there with the same home and keys is "unchanged" (so a rerun
// changes nothing), one that differs is a "conflict". Users whose name, home or keys
// cannot be carried over are "refused", each with its reason; users left without a
// usable key are created disabled. With dryRun, the same report and no write.
import { isCoreError } from '../core/errors.js';
import { PERMISSIONS, type Permission } from '../core/model.js';
import { fingerprintOf, parsePublicKey } from '../core/public-keys.js';
import { checkUsername } from '../core/tenancy/rules.js';
import { mapHomes } from './home-mapping.js';
import type { TransferFamilyServer, TransferFamilyUser } from './transfer-family-users.js';

/** What the import needs of the admin API (src/cli/client.ts's AdminClient). */
export interface AdminApi {
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  all<T>(path: string): Promise<T[]>;
}

interface ApiUser {
  id: string;
  username: string;
  flowEndpointId: string;
  homeDirectory: string;
  enabled: boolean;
  publicKeys: { fingerprint: string }[];
}
interface ApiFlowEndpoint { id: string; endpointId: string; role: string; path: string }
interface ApiFlow { id: string; name: string; sources: ApiFlowEndpoint[]; targets: ApiFlowEndpoint[] }

export type Outcome = 'created' | 'unchanged' | 'conflict' | 'refused' | 'failed';

export interface KeyLine {
  /** Transfer Family's SshPublicKeyId. */
  id: string;
  /** SHA256:..., as ssh-keygen -l prints it; absent when the key body is not even base64. */
  fingerprint?: string;
  /** Carried over; otherwise `reason` says why not. */
  kept: boolean;
  reason?: string;
}

export interface ReportLine {
  username: string;
  outcome: Outcome;
  /** Why it was refused, in conflict, failed or unchanged. */
  reason?: string;
  /** The Transfer Family path the user's "/" showed. */
  source?: string;
  /** The thru-sftp home inside the flow endpoint's folder. */
  home?: string;
  enabled?: boolean;
  keys: KeyLine[];
  /** Things an admin should know about a user that was created (or would be). */
  notes: string[];
  tags: Record<string, string>;
  userId?: string;
}

export interface ImportReport {
  serverId: string;
  flowEndpointId: string;
  dryRun: boolean;
  lines: ReportLine[];
  counts: Record<Outcome, number>;
}

export interface ImportOptions {
  api: AdminApi;
  server: TransferFamilyServer;
  flowEndpointId: string;
  /** The Transfer Family path that corresponds to the flow endpoint's folder (home-mapping.ts). */
  base?: string;
  /** Permissions of the users created; every permission when absent. */
  permissions?: Permission[];
  dryRun?: boolean;
}

const enc = encodeURIComponent;

function readKeys(user: TransferFamilyUser): { lines: KeyLine[]; kept: string[] } {
  const lines: KeyLine[] = [];
  const kept: string[] = [];
  for (const key of user.keys) {
    try {
      const parsed = parsePublicKey(key.body);
      if (lines.some((l) => l.kept && l.fingerprint === parsed.fingerprint)) {
        lines.push({ id: key.id, fingerprint: parsed.fingerprint, kept: false, reason: 'the same key is listed twice' });
        continue;
      }
      lines.push({ id: key.id, fingerprint: parsed.fingerprint, kept: true });
      kept.push(key.body.trim());
    } catch (err) {
      if (!isCoreError(err, 'invalid_argument')) throw err;
      const data = key.body.trim().split(/\s+/)[1];
      const fingerprint = data && /^[A-Za-z0-9+/]+={0,2}$/.test(data) ? fingerprintOf(Buffer.from(data, 'base64')) : undefined;
      lines.push({ id: key.id, fingerprint, kept: false, reason: err.message });
    }
  }
  return { lines, kept };
}

/** Every user of the deployment by username, and the flow endpoint's flow. */
async function survey(api: AdminApi, flowEndpointId: string): Promise<{ users: Map<string, ApiUser>; flowEndpoint?: ApiFlowEndpoint }> {
  const users = new Map<string, ApiUser>();
  let flowEndpoint: ApiFlowEndpoint | undefined;
  for (const org of await api.all<{ id: string }>('organizations')) {
    for (const flow of await api.all<ApiFlow>(`organizations/${enc(org.id)}/flows`)) {
      for (const fe of [...flow.sources, ...flow.targets]) {
        if (fe.id === flowEndpointId) flowEndpoint = fe;
        for (const u of await api.all<ApiUser>(`flow-endpoints/${enc(fe.id)}/users`)) users.set(u.username, u);
      }
    }
  }
  return { users, flowEndpoint };
}

function compare(existing: ApiUser, flowEndpointId: string, home: string, fingerprints: string[]): { outcome: 'unchanged' | 'conflict'; reason: string } {
  const differences: string[] = [];
  if (existing.flowEndpointId !== flowEndpointId) differences.push(`it belongs to flow endpoint ${existing.flowEndpointId}`);
  if (existing.homeDirectory !== home) differences.push(`its home is ${existing.homeDirectory}, not ${home}`);
  const have = new Set(existing.publicKeys.map((k) => k.fingerprint));
  const missing = fingerprints.filter((f) => !have.has(f));
  const extra = [...have].filter((f) => !fingerprints.includes(f));
  if (missing.length) differences.push(`it lacks the key${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (extra.length) differences.push(`it has key${extra.length > 1 ? 's' : ''} Transfer Family does not: ${extra.join(', ')}`);
  if (differences.length === 0) return { outcome: 'unchanged', reason: 'already imported: same flow endpoint, home and keys' };
  return { outcome: 'conflict', reason: `a thru-sftp user ${existing.username} (${existing.id}) already exists and differs: ${differences.join('; ')}; left as it is` };
}

export async function importTransferFamilyUsers(options: ImportOptions): Promise<ImportReport> {
  const { api, server, flowEndpointId } = options;
  const dryRun = options.dryRun ?? false;
  const { users: existing, flowEndpoint } = await survey(api, flowEndpointId);
  if (!flowEndpoint) throw new Error(`no flow endpoint ${flowEndpointId}: see \`thru-sftp flows list\``);
  const endpoint = await api.request<{ type: string; name: string }>('GET', `endpoints/${enc(flowEndpoint.endpointId)}`);
  if (endpoint.type !== 'thru-sftp-server') throw new Error(`flow endpoint ${flowEndpointId} is on the ${endpoint.type} endpoint ${endpoint.name}: users live on thru-sftp-server endpoints`);

  const tfUsers = [...server.users].sort((a, b) => a.username.localeCompare(b.username));
  const homes = mapHomes(tfUsers, options.base);
  const lines: ReportLine[] = [];
  for (const user of tfUsers) {
    const keys = readKeys(user);
    const line: ReportLine = { username: user.username, outcome: 'refused', keys: keys.lines, notes: [], tags: user.tags };
    lines.push(line);
    const mapping = homes.get(user.username)!;
    if (mapping.source) line.source = mapping.source;
    try {
      checkUsername(user.username);
    } catch (err) {
      line.reason = `${(err as Error).message}; Transfer Family allows this name, thru-sftp does not, and partners log in with the name they have: not renamed`;
      continue;
    }
    if (!mapping.ok) {
      line.reason = mapping.reason;
      continue;
    }
    line.home = mapping.home;
    const fingerprints = keys.lines.filter((k) => k.kept).map((k) => k.fingerprint!);
    const found = existing.get(user.username);
    if (found) {
      Object.assign(line, compare(found, flowEndpointId, mapping.home, fingerprints), { userId: found.id, enabled: found.enabled });
      continue;
    }
    line.outcome = 'created';
    line.enabled = keys.kept.length > 0;
    if (!line.enabled) {
      line.notes.push(user.keys.length === 0
        ? 'no SSH public key on Transfer Family: created disabled; add a key (`thru-sftp users add-key`) or a password, then `thru-sftp users enable`'
        : 'none of its SSH public keys is accepted (see keys): created disabled; add a key, then `thru-sftp users enable`');
    }
    for (const k of keys.lines.filter((k) => !k.kept)) line.notes.push(`key ${k.id}${k.fingerprint ? ` (${k.fingerprint})` : ''} not carried over: ${k.reason}`);
    if (user.hasPolicy || user.role) line.notes.push(`permissions: ${(options.permissions ?? PERMISSIONS).join(',')} (Transfer Family's role and session policy are not translated)`);
    if (dryRun) continue;
    try {
      const created = await api.request<ApiUser>('POST', `flow-endpoints/${enc(flowEndpointId)}/users`, {
        username: user.username,
        publicKeys: keys.kept,
        homeDirectory: mapping.home,
        enabled: line.enabled,
        ...(options.permissions ? { permissions: options.permissions } : {}),
      });
      line.userId = created.id;
      const stored = created.publicKeys.map((k) => k.fingerprint).sort();
      if (stored.join() !== [...fingerprints].sort().join()) line.notes.push(`the API stored the keys ${stored.join(', ')}, not ${fingerprints.join(', ')}`);
    } catch (err) {
      const status = (err as { status?: number }).status;
      line.outcome = status === 409 ? 'conflict' : 'failed';
      line.reason = status === 409 ? `created by someone else meanwhile: ${(err as Error).message}` : (err as Error).message;
    }
  }
  const counts: Record<Outcome, number> = { created: 0, unchanged: 0, conflict: 0, refused: 0, failed: 0 };
  for (const l of lines) counts[l.outcome]++;
  return { serverId: server.serverId, flowEndpointId, dryRun, lines, counts };
}
