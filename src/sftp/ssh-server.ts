// The SSH front end: accepts TCP connections, authenticates partners through the
// IdentityProvider and offers them the SFTP subsystem and nothing else. Shell, exec
// (legacy scp included), pty, x11, agent and port forwarding have no listener, so
// ssh2 refuses them itself while the connection stays usable for SFTP.
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import ssh2, { type AuthContext, type Connection, type ClientInfo, type PublicKeyAuthContext } from 'ssh2';
import type { Logger } from 'pino';
import { FileSession } from '../core/file-session.js';
import type { IdentityProvider, LoginAttempt, LoginDecision, Principal } from '../core/identity.js';
import type { Storage } from '../core/ports/storage.js';
import { ALGORITHMS } from './algorithms.js';
import { assertSsh2Patched } from './extensions.js';
import { SftpSession } from './sftp-session.js';

const { Server, utils } = ssh2;

export interface SshLimits {
  /** Failed authentication attempts before the connection is dropped. */
  maxAuthTries: number;
  /** Seconds a connection may take to authenticate. */
  loginGraceSeconds: number;
  /** Open file and folder handles per SFTP session. */
  maxOpenHandles: number;
  /** Session channels open at once on one connection. */
  maxSessionsPerConnection: number;
  /** Entries per READDIR reply. */
  listPageSize: number;
}

export const DEFAULT_SSH_LIMITS: SshLimits = {
  maxAuthTries: 6,
  loginGraceSeconds: 60,
  maxOpenHandles: 256,
  maxSessionsPerConnection: 10,
  listPageSize: 100,
};

export interface SshFrontEndOptions {
  /** Ed25519 private keys (OpenSSH or PEM). */
  hostKeys: Buffer[];
  identity: IdentityProvider;
  storage: Storage;
  logger: Logger;
  limits?: Partial<SshLimits>;
  banner?: string;
}

const AUTH_METHODS: AuthContext['method'][] = ['publickey', 'password', 'keyboard-interactive'];

export class SshFrontEnd {
  private readonly tcp: NetServer;
  private readonly limits: SshLimits;
  private readonly connections = new Set<Connection>();

  constructor(private readonly options: SshFrontEndOptions) {
    assertSsh2Patched();
    this.limits = { ...DEFAULT_SSH_LIMITS, ...options.limits };
    const ssh = new Server(
      { hostKeys: options.hostKeys, algorithms: ALGORITHMS, ident: 'thru-sftp', banner: options.banner },
      (client: Connection, info: ClientInfo) => this.onConnection(client, info),
    );
    this.tcp = createServer((socket: Socket) => {
      // Node leaves Nagle on: without this, uploads run ~6x slower and logins take 100 ms.
      socket.setNoDelay(true);
      ssh.injectSocket(socket);
    });
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.tcp.once('error', reject);
      this.tcp.listen(port, host, () => {
        this.tcp.off('error', reject);
        resolve(this.tcp.address() as AddressInfo);
      });
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Stop accepting; give open sessions up to `graceMs` to finish (a deploy or scale-in
   * drains this way), then end the rest: their open uploads are aborted.
   */
  async close(graceMs = 0): Promise<void> {
    const closed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    if (graceMs > 0 && this.connections.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    for (const client of this.connections) client.end();
    await closed;
  }

  private onConnection(client: Connection, info: ClientInfo): void {
    const log = this.options.logger.child({ 'session-id': randomBytes(8).toString('hex'), 'client-ip': info.ip });
    const sourceIp = info.ip;
    this.connections.add(client);
    let principal: Principal | undefined;
    let failures = 0;
    let sessions = 0;
    let endReason = 'client-disconnect';
    const keyLookups = new Map<string, Promise<LoginDecision>>();

    const grace = setTimeout(() => {
      endReason = 'login-grace-timeout';
      client.end();
    }, this.limits.loginGraceSeconds * 1000);
    grace.unref();
    let idle: NodeJS.Timeout | undefined;

    const refuse = (ctx: AuthContext, reason: string) => {
      failures += 1;
      log.info({ 'activity-type': 'AUTH_FAILURE', user: ctx.username, method: ctx.method, reason }, 'authentication failed');
      if (failures >= this.limits.maxAuthTries) {
        endReason = 'too-many-auth-failures';
        ctx.reject();
        client.end();
        return;
      }
      ctx.reject(AUTH_METHODS);
    };
    const admit = (ctx: AuthContext, decision: Extract<LoginDecision, { ok: true }>) => {
      // The home folder must exist before the client's first request: OpenSSH sends
      // INIT without waiting for the subsystem reply, so prepare it at login.
      new FileSession(decision.principal, this.options.storage, { sourceIp, listPageSize: 1 })
        .ensureRoot()
        .then(() => {
          principal = decision.principal;
          log.info({ 'activity-type': 'AUTH_SUCCESS', user: ctx.username, method: ctx.method }, 'authenticated');
          ctx.accept();
        })
        .catch((err: unknown) => {
          log.error({ err }, 'cannot prepare the home folder');
          refuse(ctx, 'home_unavailable');
        });
    };
    const withPassword = async (ctx: AuthContext, password: string) => {
      const decision = await this.options.identity.authenticate({ username: ctx.username, sourceIp, password });
      if (decision.ok) admit(ctx, decision);
      else refuse(ctx, decision.reason);
    };

    client.on('authentication', (ctx) => {
      const attempt = async () => {
        switch (ctx.method) {
          case 'password':
            return withPassword(ctx, ctx.password);
          case 'keyboard-interactive':
            return ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
              if (!Array.isArray(answers) || typeof answers[0] !== 'string') return refuse(ctx, 'no_answer');
              withPassword(ctx, answers[0]).catch((err: unknown) => {
                log.error({ err }, 'identity provider failed');
                refuse(ctx, 'identity_error');
              });
            });
          case 'publickey':
            return this.withKey(ctx, sourceIp, keyLookups, admit, refuse);
          default:
            // "none" probes which methods exist; it is not an attempt.
            return ctx.reject(AUTH_METHODS);
        }
      };
      attempt().catch((err: unknown) => {
        log.error({ err }, 'identity provider failed');
        refuse(ctx, 'identity_error');
      });
    });

    client.on('ready', () => {
      clearTimeout(grace);
      const seconds = principal!.idleTimeoutSeconds;
      idle = setTimeout(() => {
        endReason = 'idle-timeout';
        log.info({ 'idle-timeout-seconds': seconds }, 'idle timeout');
        client.end();
      }, seconds * 1000);
      idle.unref();
    });

    client.on('session', (accept, reject) => {
      if (!principal || sessions >= this.limits.maxSessionsPerConnection) return reject();
      sessions += 1;
      const session = accept();
      session.once('close', () => (sessions -= 1));
      session.on('sftp', (acceptSftp) => {
        // Accept at once: the client's INIT may already be on its way.
        const files = new FileSession(principal!, this.options.storage, { sourceIp, listPageSize: this.limits.listPageSize });
        new SftpSession(acceptSftp(), files, log, { maxOpenHandles: this.limits.maxOpenHandles, onActivity: () => idle?.refresh() });
      });
    });

    client.on('error', (err: Error & { level?: string }) => {
      endReason = err.level === 'client-timeout' ? 'keepalive-timeout' : 'error';
      log.debug({ err: err.message }, 'connection error');
    });
    client.on('close', () => {
      clearTimeout(grace);
      if (idle) clearTimeout(idle);
      this.connections.delete(client);
      if (principal) log.info({ 'activity-type': 'SESSION_END', user: principal.username, reason: endReason }, 'session ended');
    });
  }

  private async withKey(
    ctx: PublicKeyAuthContext,
    sourceIp: string,
    lookups: Map<string, Promise<LoginDecision>>,
    admit: (ctx: AuthContext, d: Extract<LoginDecision, { ok: true }>) => void,
    refuse: (ctx: AuthContext, reason: string) => void,
  ): Promise<void> {
    // ssh2 reports RSA keys as "ssh-rsa" with hashAlgo set for rsa-sha2-256/512;
    // without it the client asks for SHA-1 signatures, which we never accept.
    if (ctx.key.algo === 'ssh-rsa' && !ctx.hashAlgo) return refuse(ctx, 'sha1_signature');
    // A client usually probes a key, then signs with it: look the user up once.
    let lookup = lookups.get(ctx.username);
    if (!lookup) {
      const attempt: LoginAttempt = { username: ctx.username, sourceIp };
      lookup = this.options.identity.authenticate(attempt);
      lookups.set(ctx.username, lookup);
    }
    const decision = await lookup;
    if (!decision.ok) return refuse(ctx, decision.reason);
    const record = decision.publicKeys.find((k) => Buffer.from(k.blob, 'base64').equals(ctx.key.data));
    if (!record) return refuse(ctx, 'unknown_key');
    if (!ctx.signature) return ctx.accept(); // probe: answer PK_OK
    const key = utils.parseKey(`${record.type} ${record.blob}`);
    if (key instanceof Error || Array.isArray(key)) return refuse(ctx, 'unusable_key');
    if (!ctx.blob || !key.verify(ctx.blob, ctx.signature, ctx.hashAlgo)) return refuse(ctx, 'bad_signature');
    lookups.delete(ctx.username); // a later attempt must see changes made meanwhile
    admit(ctx, decision);
  }
}
