// `npm run sim` as a child process: the AWS runtime (S3 on s3rver, DynamoDB on dynalite,
// the Lambda handlers) in one node process with a fresh data folder. Its "sim started"
// log line names the ports and the s3rver and dynalite endpoints; the bench user is then
// provisioned through the DynamoDB directory on dynalite, as the admin Lambda would.
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDirectory } from '../src/adapters/aws/dynamo-directory.js';
import { SIM_BUCKET, SIM_TABLE } from '../src/runtime/sim.js';
import { provisionTenant, type BenchFlow, type BenchTenant } from './provision.js';
import type { Account, Launch } from './scenario.js';
import { launchThru, type SftpServer } from './server.js';

export interface SimStart {
  sftpPort: number;
  adminPort: number;
  /** s3rver's endpoint, e.g. http://127.0.0.1:41234 */
  s3: string;
  /** dynalite's endpoint. */
  dynamodb: string;
}

const isPort = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) < 65536;
const isHttpUrl = (v: unknown): v is string => typeof v === 'string' && /^http:\/\/[^/\s]+$/.test(v);

/** The endpoints from the sim's JSON log (pino, one object a line), once it has started. */
export function parseSimStart(log: string): SimStart | undefined {
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a line still being written
    }
    if (entry.msg !== 'thru-sftp sim started') continue;
    const { sftpPort, adminPort, s3, dynamodb } = entry;
    if (isPort(sftpPort) && isPort(adminPort) && isHttpUrl(s3) && isHttpUrl(dynamodb)) return { sftpPort, adminPort, s3, dynamodb };
    throw new Error(`the sim's start line lacks its ports or endpoints: ${line}`);
  }
  return undefined;
}

export interface Sim {
  server: SftpServer;
  endpoints: SimStart;
  bucket: string;
  tenant: BenchTenant;
  /** Object key prefix of the bench user's home folder. */
  homePrefix: string;
}

export async function startSim(o: { dir: string; launch: Launch; account: Account; flow?: BenchFlow; env?: Record<string, string> }): Promise<Sim> {
  const dataDir = join(o.dir, 'sim');
  mkdirSync(dataDir, { mode: 0o700 });
  const logFile = join(dataDir, 'sim.log');
  // The start line with the s3rver and dynalite endpoints is logged at info.
  const child = launchThru(o.launch, 'sim', dataDir, logFile, { THRU_LOG_LEVEL: 'info', ...o.env });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  try {
    let endpoints: SimStart | undefined;
    const deadline = Date.now() + 60_000;
    while (!(endpoints = parseSimStart(readFileSync(logFile, 'utf8')))) {
      if (child.exitCode !== null) throw new Error(`the sim exited at start; see ${logFile}`);
      if (Date.now() > deadline) throw new Error(`the sim did not start; see ${logFile}`);
      await sleep(50);
    }
    const tenant = await provision(endpoints.dynamodb, o.account, o.flow);
    return {
      server: { name: 'thru-sftp', port: endpoints.sftpPort, user: o.account.user, password: o.account.password, pid: child.pid!, notServer: ['esbuild'], stop },
      endpoints,
      bucket: SIM_BUCKET,
      tenant,
      homePrefix: `${tenant.orgId}/${tenant.endpointId}/`,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function provision(endpoint: string, account: Account, flow?: BenchFlow): Promise<BenchTenant> {
  const base = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'SIM', secretAccessKey: 'SIM' } });
  try {
    return await provisionTenant(new DynamoDirectory({ client: DynamoDBDocumentClient.from(base), tableName: SIM_TABLE }), account, flow);
  } finally {
    base.destroy();
  }
}
