// Authentication decisions: who may log in, from where, and what their session is.
// The SSH front end asks an IdentityProvider; locally that is DirectoryIdentity below,
// on AWS the identity Lambda, which runs DirectoryIdentity against DynamoDB.
import { ipInCidrs } from './ip.js';
import type { Clock } from './ports/clock.js';
import type { Directory } from './ports/directory.js';
import { DEFAULT_IDLE_TIMEOUT_SECONDS, DEFAULT_TEMP_FILE_PATTERNS, type Permission, type PublicKeyRecord, type User } from './model.js';
import { burnPasswordCheck, verifyPassword } from './passwords.js';
import { endpointKey } from './paths.js';

/** Everything a session needs to know about its user, decided once at login. */
export interface Principal {
  userId: string;
  username: string;
  orgId: string;
  endpointId: string;
  flowEndpointId: string;
  /** Storage key of the user's "/". */
  rootKey: string;
  permissions: Permission[];
  idleTimeoutSeconds: number;
  /** Names written in place and kept on disconnect, so an upload can be resumed. */
  tempFilePatterns: string[];
}

export interface LoginAttempt {
  username: string;
  sourceIp: string;
  /** Absent for a public key login: the caller then verifies the key against `publicKeys`. */
  password?: string;
}

export type LoginRefusal =
  | 'unknown_user'
  | 'bad_password'
  | 'no_password_set'
  | 'no_public_keys'
  | 'disabled'
  | 'expired'
  | 'source_ip_not_allowed'
  | 'misconfigured'
  /** A remote identity provider said no without saying why (it logs the reason itself). */
  | 'refused';

export type LoginDecision =
  | { ok: true; principal: Principal; publicKeys: PublicKeyRecord[] }
  | { ok: false; reason: LoginRefusal };

export interface IdentityProvider {
  /**
   * With a password: ok only when it matches. Without: ok means "this user may log in
   * with one of `publicKeys`"; the caller must verify the client's signature.
   */
  authenticate(attempt: LoginAttempt): Promise<LoginDecision>;
}

/** True when `ip` lies in one of `cidrs`, or `cidrs` is empty. IPv4-mapped IPv6 counts as IPv4. */
export function sourceIpAllowed(cidrs: readonly string[], ip: string): boolean {
  return cidrs.length === 0 || ipInCidrs(cidrs, ip);
}

export class DirectoryIdentity implements IdentityProvider {
  constructor(
    private readonly directory: Directory,
    private readonly clock: Clock,
  ) {}

  async authenticate(attempt: LoginAttempt): Promise<LoginDecision> {
    const user = await this.directory.users.getByUsername(attempt.username);
    if (attempt.password !== undefined) {
      // Same work whether or not the user exists or has a password.
      const matches = user?.passwordHash
        ? await verifyPassword(attempt.password, user.passwordHash)
        : await burnPasswordCheck(attempt.password);
      if (!user) return { ok: false, reason: 'unknown_user' };
      if (!user.passwordHash) return { ok: false, reason: 'no_password_set' };
      if (!matches) return { ok: false, reason: 'bad_password' };
    } else {
      if (!user) return { ok: false, reason: 'unknown_user' };
      if (user.publicKeys.length === 0) return { ok: false, reason: 'no_public_keys' };
    }
    const refusal = this.refusal(user, attempt.sourceIp);
    if (refusal) return { ok: false, reason: refusal };
    const principal = await this.principalOf(user);
    if (!principal) return { ok: false, reason: 'misconfigured' };
    return { ok: true, principal, publicKeys: attempt.password === undefined ? user.publicKeys : [] };
  }

  private refusal(user: User, sourceIp: string): LoginRefusal | undefined {
    if (!user.enabled) return 'disabled';
    if (user.expiresAt && Date.parse(user.expiresAt) <= this.clock.now().getTime()) return 'expired';
    if (!sourceIpAllowed(user.allowedCidrs, sourceIp)) return 'source_ip_not_allowed';
    return undefined;
  }

  private async principalOf(user: User): Promise<Principal | undefined> {
    const fe = await this.directory.flows.getFlowEndpoint(user.flowEndpointId);
    if (!fe) return undefined;
    const endpoint = await this.directory.endpoints.get(fe.endpointId);
    if (endpoint?.type !== 'thru-sftp-server') return undefined;
    const folder = user.homeDirectory === '/' ? fe.path : fe.path === '/' ? user.homeDirectory : `${fe.path}${user.homeDirectory}`;
    return {
      userId: user.id,
      username: user.username,
      orgId: endpoint.orgId,
      endpointId: endpoint.id,
      flowEndpointId: fe.id,
      rootKey: endpointKey(endpoint.orgId, endpoint.id, folder),
      permissions: user.permissions,
      idleTimeoutSeconds: endpoint.config.idleTimeoutSeconds || DEFAULT_IDLE_TIMEOUT_SECONDS,
      tempFilePatterns: fe.triggers?.tempFilePatterns ?? DEFAULT_TEMP_FILE_PATTERNS,
    };
  }
}
