// The container's entry point on Fargate: the SSH front end with files in S3 and logins
// through the identity Lambda. On SIGTERM (a deploy or a scale-in) it stops accepting
// and lets open sessions finish within the drain time before ending them.
import { loadAwsConfig } from '../src/runtime/aws-config.js';
import { awsClients } from '../src/runtime/aws-parts.js';
import { startFrontEnd } from '../src/runtime/aws-front-end.js';
import { createLogger } from '../src/log.js';
import { loadConfig } from '../src/config.js';
import { warnWithoutNativeCrypto } from '../src/sftp/native-crypto.js';
import { S3_FRONT_END_HEAP, tuneHeap } from '../src/runtime/v8-heap.js';

// Its semi-space comes from NODE_OPTIONS in the Dockerfile.
tuneHeap(S3_FRONT_END_HEAP);

const config = loadAwsConfig();
const local = loadConfig();
const logger = createLogger(config.THRU_LOG_LEVEL);
/** Fargate allows up to 120 s between SIGTERM and SIGKILL. */
const DRAIN_MS = Number(process.env.THRU_DRAIN_SECONDS ?? 110) * 1000;

try {
  warnWithoutNativeCrypto(logger);
  const { sftp } = await startFrontEnd({
    config,
    clients: awsClients(config),
    logger,
    port: local.sftpPort,
    bind: local.bind,
    sshLimits: local.sshLimits,
    bruteForce: local.bruteForce,
    proxyProtocol: local.proxyProtocol,
  });
  process.once('SIGTERM', () => {
    logger.info({ connections: sftp.connectionCount, drainMs: DRAIN_MS }, 'SIGTERM: draining');
    sftp.close(DRAIN_MS).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
} catch (err) {
  logger.fatal({ err }, 'thru-sftp front end could not start');
  process.exit(1);
}
