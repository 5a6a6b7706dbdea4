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
    limits: p.sshLimits,
    bruteForce,
    proxyProtocol: p.proxyProtocol ?? false,
  });
  const address = await sftp.listen(p.port, p.bind);
  p.logger.info({ sftpPort: address.port, hostKey: hostKey.fingerprint }, 'thru-sftp front end started');
  return { sftp, port: address.port, hostKey };
}
