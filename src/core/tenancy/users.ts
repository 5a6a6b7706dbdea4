// Partner users, created inside a flow endpoint on a thru-sftp-server endpoint.
// Passwords are hashed here and never leave: the view lists what an admin may see,
// field by field, so a secret added to the record later cannot leak through it.
// Nothing is cached: the identity reads the directory at every login, so a change
// applies to the next login.
import { alreadyExists, invalidArgument, isCoreError, limitExceeded, notFound } from '../errors.js';
import { newId } from '../ids.js';
import { PERMISSIONS, type Permission, type PublicKeyRecord, type User } from '../model.js';
import { hashPassword } from '../passwords.js';
import { parsePublicKey } from '../public-keys.js';
import type { Directory, Page, PageRequest } from '../ports/directory.js';
import type { TenancyContext } from './context.js';
import { MAX_PUBLIC_KEYS, checkCidrs, checkFolder, checkInstant, checkPassword, checkUsername } from './rules.js';

export interface UserInput {
  username: string;
  password?: string;
  /** OpenSSH public key lines. */
  publicKeys?: string[];
  /** Inside the flow endpoint's folder; "/" when absent. */
  homeDirectory?: string;
  /** Every permission when absent. */
  permissions?: Permission[];
  allowedCidrs?: string[];
  enabled?: boolean;
  expiresAt?: string;
}

/** `null` removes the password or the expiry; `publicKeys` replaces the whole set. */
export interface UserPatch {
  password?: string | null;
  publicKeys?: string[];
  homeDirectory?: string;
  permissions?: Permission[];
  allowedCidrs?: string[];
  enabled?: boolean;
  expiresAt?: string | null;
}

export interface PublicKeyView {
  fingerprint: string;
  type: string;
  comment: string;
  addedAt: string;
  /** The OpenSSH public key line. */
  publicKey: string;
}

export interface UserView {
  id: string;
  username: string;
  orgId: string;
  flowEndpointId: string;
  hasPassword: boolean;
  publicKeys: PublicKeyView[];
  homeDirectory: string;
  permissions: Permission[];
  allowedCidrs: string[];
  enabled: boolean;
  expiresAt?: string;
  createdAt: string;
  updatedAt: string;
}

export function userView(u: User): UserView {
  return {
    id: u.id,
    username: u.username,
    orgId: u.orgId,
    flowEndpointId: u.flowEndpointId,
    hasPassword: u.passwordHash !== undefined,
    publicKeys: u.publicKeys.map(keyView),
    homeDirectory: u.homeDirectory,
    permissions: [...u.permissions],
    allowedCidrs: [...u.allowedCidrs],
    enabled: u.enabled,
    ...(u.expiresAt === undefined ? {} : { expiresAt: u.expiresAt }),
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

export const keyView = (k: PublicKeyRecord): PublicKeyView => ({
  fingerprint: k.fingerprint,
  type: k.type,
  comment: k.comment,
  addedAt: k.addedAt,
  publicKey: `${k.type} ${k.blob}${k.comment ? ` ${k.comment}` : ''}`,
});

/**
 * "SHA256:abc/+..." as ssh-keygen prints it; also accepted without the prefix and in
 * URL-safe base64 ("-" and "_"), so it fits in a URL path without escaping.
 */
export function normalizeFingerprint(value: string): string {
  const raw = value.startsWith('SHA256:') ? value.slice(7) : value;
  return `SHA256:${raw.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')}`;
}

function checkPermissions(values: readonly string[]): Permission[] {
  const unknown = values.find((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown !== undefined) throw invalidArgument(`permission "${unknown.slice(0, 40)}" does not exist; permissions: ${PERMISSIONS.join(', ')}`);
  return PERMISSIONS.filter((p) => values.includes(p));
}

function parseKeys(lines: readonly string[], at: string): PublicKeyRecord[] {
  if (lines.length > MAX_PUBLIC_KEYS) throw limitExceeded(`a user has at most ${MAX_PUBLIC_KEYS} public keys`);
  const keys: PublicKeyRecord[] = [];
  for (const [i, line] of lines.entries()) {
    const key = parseKeyLine(line, `publicKeys[${i}]`, at);
    if (keys.some((k) => k.fingerprint === key.fingerprint)) throw invalidArgument(`publicKeys[${i}]: the key ${key.fingerprint} is listed twice`);
    keys.push(key);
  }
  return keys;
}

function parseKeyLine(line: string, field: string, at: string): PublicKeyRecord {
  try {
    const k = parsePublicKey(line);
    return { fingerprint: k.fingerprint, type: k.type, blob: k.blob.toString('base64'), comment: k.comment, addedAt: at };
  } catch (err) {
    if (isCoreError(err, 'invalid_argument')) throw invalidArgument(`${field}: ${err.message}`);
    throw err;
  }
}

/** Deletes every user of a flow endpoint (cascades). */
export async function deleteUsersOfFlowEndpoint(directory: Directory, flowEndpointId: string): Promise<void> {
  for (;;) {
    const page = await directory.users.listByFlowEndpoint(flowEndpointId, { limit: 100 });
    for (const user of page.items) await directory.users.delete(user.id);
    if (!page.cursor) return;
  }
}

export class Users {
  constructor(private readonly ctx: TenancyContext) {}

  async create(flowEndpointId: string, input: UserInput): Promise<User> {
    const { directory } = this.ctx;
    const fe = await directory.flows.getFlowEndpoint(flowEndpointId);
    if (!fe) throw notFound(`flow endpoint ${flowEndpointId}`);
    const endpoint = await directory.endpoints.get(fe.endpointId);
    if (endpoint?.type !== 'thru-sftp-server') throw invalidArgument(`users are created in flow endpoints on thru-sftp-server endpoints; ${flowEndpointId} is on a ${endpoint?.type ?? 'missing'} endpoint`);
    const username = checkUsername(input.username);
    const at = this.ctx.clock.now().toISOString();
    const user: User = {
      id: newId('usr'),
      username,
      orgId: fe.orgId,
      flowEndpointId,
      publicKeys: parseKeys(input.publicKeys ?? [], at),
      homeDirectory: checkFolder('homeDirectory', input.homeDirectory ?? '/'),
      permissions: checkPermissions(input.permissions ?? PERMISSIONS),
      allowedCidrs: checkCidrs(input.allowedCidrs ?? []),
      enabled: input.enabled ?? true,
      createdAt: at,
      updatedAt: at,
    };
    if (input.expiresAt !== undefined) user.expiresAt = checkInstant('expiresAt', input.expiresAt);
    const password = input.password === undefined ? undefined : checkPassword(input.password);
    if (await directory.users.getByUsername(username)) throw usernameTaken(username);
    // Hashing is the slow step: done last, once everything else is known to be valid.
    if (password !== undefined) user.passwordHash = await hashPassword(password);
    try {
      await directory.users.create(user);
    } catch (err) {
      if (isCoreError(err, 'already_exists')) throw usernameTaken(username);
      throw err;
    }
    return user;
  }

  async get(id: string): Promise<User> {
    const user = await this.ctx.directory.users.get(id);
    if (!user) throw notFound(`user ${id}`);
    return user;
  }

  async listByFlowEndpoint(flowEndpointId: string, page: PageRequest): Promise<Page<User>> {
    if (!(await this.ctx.directory.flows.getFlowEndpoint(flowEndpointId))) throw notFound(`flow endpoint ${flowEndpointId}`);
    return this.ctx.directory.users.listByFlowEndpoint(flowEndpointId, page);
  }

  async update(id: string, patch: UserPatch): Promise<User> {
    const current = await this.get(id);
    const at = this.ctx.clock.now().toISOString();
    const next: Partial<User> = {};
    if (patch.publicKeys !== undefined) {
      const previous = new Map(current.publicKeys.map((k) => [k.fingerprint, k.addedAt]));
      next.publicKeys = parseKeys(patch.publicKeys, at).map((k) => ({ ...k, addedAt: previous.get(k.fingerprint) ?? at }));
    }
    if (patch.homeDirectory !== undefined) next.homeDirectory = checkFolder('homeDirectory', patch.homeDirectory);
    if (patch.permissions !== undefined) next.permissions = checkPermissions(patch.permissions);
    if (patch.allowedCidrs !== undefined) next.allowedCidrs = checkCidrs(patch.allowedCidrs);
    if (patch.enabled !== undefined) next.enabled = patch.enabled;
    if (typeof patch.expiresAt === 'string') next.expiresAt = checkInstant('expiresAt', patch.expiresAt);
    if (typeof patch.password === 'string') next.passwordHash = await hashPassword(checkPassword(patch.password));
    return this.ctx.directory.users.update(current.id, (u) => {
      const updated: User = { ...u, ...next, updatedAt: at };
      if (patch.password === null) delete updated.passwordHash;
      if (patch.expiresAt === null) delete updated.expiresAt;
      return updated;
    });
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    await this.ctx.directory.users.delete(id);
  }

  async addKey(userId: string, line: string): Promise<PublicKeyRecord> {
    await this.get(userId);
    const at = this.ctx.clock.now().toISOString();
    const key = parseKeyLine(line, 'publicKey', at);
    await this.ctx.directory.users.update(userId, (u) => {
      if (u.publicKeys.some((k) => k.fingerprint === key.fingerprint)) throw alreadyExists(`the key ${key.fingerprint} on user ${u.username}`);
      if (u.publicKeys.length >= MAX_PUBLIC_KEYS) throw limitExceeded(`a user has at most ${MAX_PUBLIC_KEYS} public keys`);
      return { ...u, publicKeys: [...u.publicKeys, key], updatedAt: at };
    });
    return key;
  }

  async deleteKey(userId: string, fingerprint: string): Promise<void> {
    await this.get(userId);
    const wanted = normalizeFingerprint(fingerprint);
    const at = this.ctx.clock.now().toISOString();
    await this.ctx.directory.users.update(userId, (u) => {
      if (!u.publicKeys.some((k) => k.fingerprint === wanted)) throw notFound(`key ${wanted} on user ${u.username}`);
      return { ...u, publicKeys: u.publicKeys.filter((k) => k.fingerprint !== wanted), updatedAt: at };
    });
  }
}

const usernameTaken = (username: string) => alreadyExists(`the username "${username}"`);
