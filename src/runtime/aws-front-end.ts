// The Fargate service's composition: the SSH front end on S3 storage, logging partners
// in through the identity Lambda, with the host key every task shares and the bans every
// task enforces (the brute-force defence's items in the directory table).
import { LambdaIdentity, invokeLambda, type Invoke } from '../adapters/aws/lambda-identity.js';
import { loadHostKeyFromSecret } from '../adapters/aws/secrets-host-key.js';
import type { HostKey } from '../adapters/local/host-key.js';
import { BruteForceGuard, type BruteForcePolicy } from '../core/brute-force.js';
import { systemClock } from '../core/ports/clock.js';
import { SshFrontEnd, type SshLimits } from '../sftp/ssh-server.js';
import { required } from './aws-config.js';
import { directoryOf, storageOf, type AwsParts } from './aws-parts.js';

export interface FrontEndParts extends AwsParts {
  /** Defaults to the Lambda named by THRU_IDENTITY_FUNCTION. */
  invokeIdentity?: Invoke;
  /** Defaults to the Secrets Manager secret THRU_HOST_KEY_SECRET. */
  hostKey?: HostKey;
  sshLimits?: Partial<SshLimits>;
  bruteForce?: Partial<BruteForcePolicy>;
  /** THRU_PROXY_PROTOCOL: the NLB target group sends PROXY protocol v2. */
  proxyProtocol?: boolean;
  port: number;
  bind: string;
}

/**
 * WRITE size asked of clients in front of S3. OpenSSH's sftp keeps 64 requests in flight,
 * which sat in memory while an upload waited for a free part slot: front end peak RSS of
 * a 1 GiB upload to s3rver (bench, 3 rounds) 159–168 MiB at 261120, 133–145 MiB at 65536,
 * and throughput 0.94x → 1.1x of a direct SDK upload. Since a session holds at most 4 MiB
 * of WRITE data (WRITE_BACKLOG_BYTES) the two measure alike (132 and 130 MiB peak); the
 * smaller size stays, as the one measured longest.
 */
export const S3_MAX_WRITE_LENGTH = 65_536;

export async function startFrontEnd(p: FrontEndParts): Promise<{ sftp: SshFrontEnd; port: number; hostKey: HostKey }> {
  const hostKey = p.hostKey ?? (await loadHostKeyFromSecret(p.clients.secrets, required(p.config, 'THRU_HOST_KEY_SECRET')));
  const identity = new LambdaIdentity({
    invoke: p.invokeIdentity ?? invokeLambda(p.clients.lambda, required(p.config, 'THRU_IDENTITY_FUNCTION')),
    timeoutMs: p.config.THRU_IDENTITY_TIMEOUT_MS,
    serverId: 'thru-sftp-fargate',
    log: p.logger,
  });
  const bruteForce = new BruteForceGuard(directoryOf(p), p.clock ?? systemClock, p.bruteForce);
  const sftp = new SshFrontEnd({
    hostKeys: [hostKey.privateKey],
    identity,
    storage: storageOf(p),
    logger: p.logger,
    limits: { maxWriteLength: S3_MAX_WRITE_LENGTH, ...p.sshLimits },
    bruteForce,
    proxyProtocol: p.proxyProtocol ?? false,
  });
  const address = await sftp.listen(p.port, p.bind);
  p.logger.info({ sftpPort: address.port, hostKey: hostKey.fingerprint }, 'thru-sftp front end started');
  return { sftp, port: address.port, hostKey };
}
