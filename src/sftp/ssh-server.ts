// The SSH front end: accepts TCP connections, authenticates partners through the
// IdentityProvider and offers them the SFTP subsystem and nothing else. Shell, exec
// (legacy scp included), pty, x11, agent and port forwarding have no listener, so
// ssh2 refuses them itself while the connection stays usable for SFTP.
//
// Before ssh2 sees a socket it is admitted here: the client address is taken from the
// socket or, when enabled, a PROXY v2 header; too many connections from that address and
// banned addresses are dropped before key exchange. Failed logins are reported to the
// brute-force defence (src/core/brute-force.ts), which decides on bans.
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import ssh2, { type AuthContext, type ClientInfo, type Connection, type PublicKeyAuthContext } from 'ssh2';
import type { Logger } from 'pino';
import { failureOf, type BruteForceGuard, type LoginFailure } from '../core/brute-force.js';
import { DEFAULT_MAX_FILE_SIZE, FileSession } from '../core/file-session.js';
import type { IdentityProvider, LoginAttempt, LoginDecision, Principal } from '../core/identity.js';
import { clientKey, parseIp } from '../core/ip.js';
import type { Ban } from '../core/model.js';
import type { Storage } from '../core/ports/storage.js';
import { ALGORITHMS } from './algorithms.js';
import { MAX_READ_LENGTH, MAX_WRITE_LENGTH, assertSsh2Patched } from './extensions.js';
import { LiveConnections } from './live-connections.js';
import { readProxyHeader } from './proxy-protocol.js';
import { ReadFrames } from './read-frames.js';
import { SftpSession } from './sftp-session.js';
import { DISCONNECT, disconnect, socketOf } from './ssh2-connection.js';

const { Server, utils } = ssh2;

export interface SshLimits {
  /** Failed authentication attempts before the connection is dropped. */
  maxAuthTries: number;
  /** Seconds from TCP accept to a completed login (PROXY header and handshake included). */
  loginGraceSeconds: number;
  /** Open file and folder handles per SFTP session. */
  maxOpenHandles: number;
  /** Session channels (SFTP sessions) open at once on one connection. */
  maxSessionsPerConnection: number;
  /** Entries per READDIR reply. */
  listPageSize: number;
  /** Connections at once from one client address (IPv6: one /64), in this process; 0 for no limit. */
  maxConnectionsPerIp: number;
  /** Logged-in connections at once per user, in this process; 0 for no limit. */
  maxSessionsPerUser: number;
  /** Largest READ reply, at most 261120 bytes (what OpenSSH clients accept). */
  maxReadLength: number;
  /**
   * Largest WRITE announced through limits@openssh.com (at most 261120 bytes; a client
   * may still send up to 256 KiB). OpenSSH's sftp then writes in requests of this size,
   * 64 at a time: big ones for the least CPU per byte on disk (see S3_MAX_WRITE_LENGTH
   * for the size in front of S3).
   */
  maxWriteLength: number;
  /** Largest file a partner may write, in bytes. */
  maxFileSize: number;
}

export const DEFAULT_SSH_LIMITS: SshLimits = {
  maxAuthTries: 6,
  loginGraceSeconds: 60,
  maxOpenHandles: 256,
  maxSessionsPerConnection: 10,
  listPageSize: 100,
  maxConnectionsPerIp: 50,
  maxSessionsPerUser: 20,
  maxReadLength: MAX_READ_LENGTH,
  maxWriteLength: MAX_WRITE_LENGTH,
  maxFileSize: DEFAULT_MAX_FILE_SIZE,
};

export interface SshFrontEndOptions {
  /** Ed25519 private keys (OpenSSH or PEM). */
  hostKeys: Buffer[];
  identity: IdentityProvider;
  storage: Storage;
  logger: Logger;
  limits?: Partial<SshLimits>;
  /** Bans and failure scores; without it nobody is banned. */
  bruteForce?: BruteForceGuard;
  /** Take the client address from a PROXY protocol v2 header, which every connection must then send. */
  proxyProtocol?: boolean;
  banner?: string;
}

/** One accepted TCP connection, from accept to close. */
interface Accepted {
  socket: Socket;
  /** The client's address: the socket's peer, or the PROXY header's source. */
  ip: string;
  key: string;
  user?: string;
  log: Logger;
  openedAt: number;
  endReason: string;
  /** Passed admission and handed to ssh2. */
  admitted: boolean;
  /** Sent its SSH identification (a load balancer's TCP health check never does). */
  identified?: boolean;
  /** Being disconnected: what the client still sends is ignored, not scored. */
  closing?: boolean;
  client?: Connection;
  timer?: NodeJS.Timeout;
}

const AUTH_METHODS: AuthContext['method'][] = ['publickey', 'password', 'keyboard-interactive'];
/** Before the SSH identification a server may send text lines (RFC 4253 §4.2); OpenSSH shows them with -v. */
const TOO_MANY_FROM_ADDRESS = 'too many connections from your address\r\n';

/** One spelling per address in logs and checks: "::ffff:192.0.2.1" from a dual-stack socket is "192.0.2.1". */
const canonical = (ip: string | undefined) => (ip === undefined ? '' : (parseIp(ip)?.toString() ?? ip));

const keyOf = (ip: string) => {
  try {
    return clientKey(ip);
  } catch {
    return ip;
  }
};

export class SshFrontEnd {
  private readonly tcp: NetServer;
  private readonly ssh: InstanceType<typeof Server>;
  private readonly limits: SshLimits;
  private readonly live = new LiveConnections<Accepted>();
  private readonly bySocket = new WeakMap<Socket, Accepted>();
  private readonly readFrames: ReadFrames;
  /** WRITE data received and not yet stored, over every session (see PROCESS_WRITE_BACKLOG_BYTES). */
  private readonly writeBacklog = { bytes: 0 };

  constructor(private readonly options: SshFrontEndOptions) {
    assertSsh2Patched();
    this.limits = { ...DEFAULT_SSH_LIMITS, ...options.limits };
    this.limits.maxReadLength = Math.max(1, Math.min(this.limits.maxReadLength, MAX_READ_LENGTH));
    this.limits.maxWriteLength = Math.max(1, Math.min(this.limits.maxWriteLength, MAX_WRITE_LENGTH));
    this.readFrames = new ReadFrames(this.limits.maxReadLength);
    this.ssh = new Server({ hostKeys: options.hostKeys, algorithms: ALGORITHMS, ident: 'thru-sftp', banner: options.banner }, (client: Connection, info: ClientInfo) =>
      this.onConnection(client, info),
    );
    this.tcp = createServer((socket: Socket) => this.accept(socket));
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
    return this.live.size;
  }

  /**
   * Stop accepting; give open sessions up to `graceMs` to finish (a deploy or scale-in
   * drains this way), then end the rest: their open uploads are aborted.
   */
  async close(graceMs = 0): Promise<void> {
    const closed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    if (graceMs > 0 && this.live.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
    }
    for (const c of this.live) {
      c.endReason = 'server-shutdown';
      if (c.client) c.client.end();
      else c.socket.destroy();
    }
    await closed;
  }

  private accept(socket: Socket): void {
    // Node leaves Nagle on: without this, uploads run ~6x slower and logins take 100 ms.
    socket.setNoDelay(true);
    coalesceWrites(socket);
    // A reset before ssh2 owns the socket must not become an uncaught error.
    socket.on('error', () => {});
    const ip = canonical(socket.remoteAddress);
    const c: Accepted = {
      socket,
      ip,
      key: keyOf(ip),
      log: this.options.logger.child({ 'session-id': randomBytes(8).toString('hex'), 'client-ip': ip }),
      openedAt: Date.now(),
      endReason: 'client-disconnect',
      admitted: false,
    };
    socket.once('close', () => this.closed(c));
    // Everything before login, the PROXY header included, shares one deadline.
    c.timer = setTimeout(() => {
      c.endReason = 'login-grace-timeout';
      if (c.client) c.client.end();
      else socket.destroy();
    }, this.limits.loginGraceSeconds * 1000);
    c.timer.unref();
    this.admit(c).catch((err: unknown) => {
      c.log.error({ err }, 'cannot admit a connection');
      socket.destroy();
    });
  }

  private async admit(c: Accepted): Promise<void> {
    if (this.options.proxyProtocol) {
      try {
        const header = await readProxyHeader(c.socket);
        if (header.sourceIp) {
          c.ip = canonical(header.sourceIp);
          c.key = keyOf(c.ip);
          c.log = this.options.logger.child({ 'session-id': c.log.bindings()['session-id'] as string, 'client-ip': c.ip, 'proxy-ip': c.socket.remoteAddress });
        }
      } catch (err) {
        return this.refuse(c, 'proxy-protocol', { detail: (err as Error).message });
      }
    }
    if (c.socket.destroyed || !c.ip) return;
    const perIp = this.limits.maxConnectionsPerIp;
    if (perIp > 0 && this.live.countFrom(c.key) >= perIp) return this.refuse(c, 'too-many-connections-from-address', {}, TOO_MANY_FROM_ADDRESS);
    // Counted from here on, so connections waiting for the ban check count too.
    this.live.add(c);
    const ban = await this.options.bruteForce?.banOf(c.ip).catch((err: unknown) => {
      // The directory is down: let the client in, authentication will tell.
      c.log.error({ err }, 'cannot check the ban list');
      return undefined;
    });
    if (ban) return this.refuse(c, 'banned', { until: ban.until });
    if (c.socket.destroyed) return;
    c.admitted = true;
    this.bySocket.set(c.socket, c);
    this.ssh.injectSocket(c.socket);
  }

  /** Drops a connection before key exchange. */
  private refuse(c: Accepted, reason: string, fields: object, line?: string): void {
    c.endReason = reason;
    c.log.info({ 'activity-type': 'CONNECTION_REFUSED', reason, ...fields }, 'connection refused');
    if (line && c.socket.writable) c.socket.end(line);
    else c.socket.destroy();
  }

  private closed(c: Accepted): void {
    clearTimeout(c.timer);
    this.live.remove(c);
    // A connection that never identified itself and that we did not end is a TCP probe
    // (the NLB's health checks): not worth a line.
    if (!c.admitted || (!c.identified && c.endReason === 'client-disconnect')) return;
    const duration = Date.now() - c.openedAt;
    // After ssh2 has closed the channels (same tick), so that their PARTIAL_CLOSE lines come first.
    setImmediate(() => c.log.info({ 'activity-type': 'SESSION_END', reason: c.endReason, 'duration-ms': duration }, 'session ended'));
  }

  /**
   * A failed login: scored, and a ban it sets off ends this client's connections here.
   * `reason` is undefined for a public key query (no signature): a client asking whether
   * a key would do guesses no secret, so, as in OpenSSH's auth log, it is no failed login;
   * it still counts towards the connection's attempts.
   */
  private report(c: Accepted, reason: string | undefined, attemptsUsedUp: boolean): void {
    const guard = this.options.bruteForce;
    if (!guard) return;
    const failures: LoginFailure[] = [];
    const failure = reason === undefined ? undefined : failureOf(reason);
    if (failure) failures.push(failure);
    if (attemptsUsedUp) failures.push('too_many_attempts');
    const run = async () => {
      for (const f of failures) {
        const ban = await guard.recordFailure(c.ip, f);
        if (ban) this.banned(c, ban);
      }
    };
    run().catch((err: unknown) => c.log.error({ err }, 'cannot record a failed login'));
  }

  private banned(c: Accepted, ban: Ban): void {
    c.log.warn({ 'activity-type': 'BAN', ban: ban.ip, until: ban.until, offences: ban.offences, score: ban.score }, 'client banned');
    for (const other of this.live.from(ban.ip)) {
      other.endReason = 'banned';
      other.closing = true;
      if (other.client) disconnect(other.client, DISCONNECT.HOST_NOT_ALLOWED_TO_CONNECT);
      else other.socket.destroy();
    }
  }

  private onConnection(client: Connection, info: ClientInfo): void {
    const socket = socketOf(client);
    const c = socket && this.bySocket.get(socket);
    if (!c) return void client.end();
    c.client = client;
    c.identified = true;
    c.log.info({ 'activity-type': 'CONNECTED', 'client-version': info.header.versions.software }, 'connected');
    const sourceIp = c.ip;
    let principal: Principal | undefined;
    let failures = 0;
    let sessions = 0;
    let idle: NodeJS.Timeout | undefined;
    const keyLookups = new Map<string, Promise<LoginDecision>>();

    const refuse = (ctx: AuthContext, reason: string) => {
      if (c.closing) return;
      failures += 1;
      c.log.info({ 'activity-type': 'AUTH_FAILURE', user: ctx.username, method: ctx.method, reason }, 'authentication failed');
      const usedUp = failures >= this.limits.maxAuthTries;
      const keyQuery = ctx.method === 'publickey' && !ctx.signature;
      this.report(c, keyQuery ? undefined : reason, usedUp);
      if (usedUp) {
        c.endReason = 'too-many-auth-failures';
        c.closing = true;
        ctx.reject();
        disconnect(client, DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE);
        return;
      }
      ctx.reject(AUTH_METHODS);
    };
    const admit = (ctx: AuthContext, decision: Extract<LoginDecision, { ok: true }>, key?: { fingerprint: string; type: string }) => {
      // The home folder must exist before the client's first request: OpenSSH sends
      // INIT without waiting for the subsystem reply, so prepare it at login.
      new FileSession(decision.principal, this.options.storage, { sourceIp, listPageSize: 1 })
        .ensureRoot()
        .then(() => {
          if (c.socket.destroyed || c.closing) return;
          const user = decision.principal.username;
          const perUser = this.limits.maxSessionsPerUser;
          if (perUser > 0 && this.live.countOf(user) >= perUser) {
            c.endReason = 'too-many-sessions-for-user';
            c.closing = true;
            c.log.info({ 'activity-type': 'CONNECTION_REFUSED', user, reason: c.endReason, limit: perUser }, 'too many sessions for this user');
            return disconnect(client, DISCONNECT.TOO_MANY_CONNECTIONS);
          }
          this.live.setUser(c, user);
          principal = decision.principal;
          // Every line from here on says who and where.
          c.log = c.log.child({ user, 'server-id': principal.endpointId });
          const keyFields = key ? { 'ssh-public-key-fingerprint': key.fingerprint, 'ssh-public-key-type': key.type } : {};
          c.log.info({ 'activity-type': 'AUTH_SUCCESS', method: ctx.method, ...keyFields }, 'authenticated');
          ctx.accept();
        })
        .catch((err: unknown) => {
          c.log.error({ err }, 'cannot prepare the home folder');
          refuse(ctx, 'home_unavailable');
        });
    };
    const withPassword = async (ctx: AuthContext, password: string) => {
      const decision = await this.options.identity.authenticate({ username: ctx.username, sourceIp, password });
      if (decision.ok) admit(ctx, decision);
      else refuse(ctx, decision.reason);
    };

    client.on('authentication', (ctx) => {
      // Requests already on their way when we decided to disconnect.
      if (c.closing) return;
      const attempt = async () => {
        switch (ctx.method) {
          case 'password':
            return withPassword(ctx, ctx.password);
          case 'keyboard-interactive':
            return ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
              if (!Array.isArray(answers) || typeof answers[0] !== 'string') return refuse(ctx, 'no_answer');
              withPassword(ctx, answers[0]).catch((err: unknown) => {
                c.log.error({ err }, 'identity provider failed');
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
        c.log.error({ err }, 'identity provider failed');
        refuse(ctx, 'identity_error');
      });
    });

    client.on('ready', () => {
      clearTimeout(c.timer);
      const seconds = principal!.idleTimeoutSeconds;
      idle = setTimeout(() => {
        c.endReason = 'idle-timeout';
        c.log.info({ 'idle-timeout-seconds': seconds }, 'idle timeout');
        client.end();
      }, seconds * 1000);
      idle.unref();
      c.timer = idle;
    });

    client.on('session', (accept, reject) => {
      if (!principal || sessions >= this.limits.maxSessionsPerConnection) {
        if (principal) c.log.info({ 'activity-type': 'CHANNEL_REFUSED', reason: 'too-many-channels', limit: this.limits.maxSessionsPerConnection }, 'channel refused');
        return reject();
      }
      sessions += 1;
      const session = accept();
      session.once('close', () => (sessions -= 1));
      session.on('sftp', (acceptSftp) => {
        // Accept at once: the client's INIT may already be on its way.
        const files = new FileSession(principal!, this.options.storage, { sourceIp, listPageSize: this.limits.listPageSize, maxFileSize: this.limits.maxFileSize });
        new SftpSession(acceptSftp(), files, c.log, {
          maxOpenHandles: this.limits.maxOpenHandles,
          maxReadLength: this.limits.maxReadLength,
          maxWriteLength: this.limits.maxWriteLength,
          onActivity: () => idle?.refresh(),
          readFrames: this.readFrames,
          writeBacklog: this.writeBacklog,
        });
      });
    });

    client.on('error', (err: Error & { level?: string }) => {
      if (c.endReason === 'client-disconnect') c.endReason = err.level === 'client-timeout' ? 'keepalive-timeout' : 'error';
      c.log.debug({ err: err.message }, 'connection error');
    });
  }

  private async withKey(
    ctx: PublicKeyAuthContext,
    sourceIp: string,
    lookups: Map<string, Promise<LoginDecision>>,
    admit: (ctx: AuthContext, d: Extract<LoginDecision, { ok: true }>, key: { fingerprint: string; type: string }) => void,
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
    admit(ctx, decision, record);
  }
}

/**
 * ssh2 writes every SSH packet on its own (a 255 KiB READ reply is 8 of them, a small
 * upload a dozen replies): gather the writes of one tick into one writev. With
 * TCP_NODELAY on, nothing waits longer than the current tick.
 */
function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  });
}
