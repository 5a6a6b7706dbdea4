// `thru-sftp smoke --stage dev`: finds what the stage deployed (CloudFormation outputs),
// signs admin API requests with the caller's AWS credentials, and runs src/smoke. With
// --sftp host:port it tests a server given by hand instead (npm start, npm run sim),
// with --url/--token for the admin API.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { TransferClient } from '@aws-sdk/client-transfer';
import { Command, Option } from 'commander';
import { describeDeployment, DeploymentNotFound, type Deployment } from '../smoke/deployment.js';
import { regionOfApiUrl, sigV4Auth } from '../smoke/sigv4.js';
import { runSmoke } from '../smoke/smoke.js';
import { AdminClient, CliFailure } from './client.js';

interface SmokeOptions {
  stage: string;
  region?: string;
  sftp?: string;
  hostKeyFingerprint?: string;
  timeout: number;
}

export function smokeCommand(localApi: (cmd: Command) => AdminClient): Command {
  return new Command('smoke')
    .description('after a deploy: log a temporary user in (SFTP upload, rename, delivery; or Transfer Family\'s TestIdentityProvider), then remove it')
    .addOption(new Option('--stage <stage>', 'the deployed stage (stacks thru-sftp-<stage>-*)').default('dev'))
    .addOption(new Option('--region <region>', 'AWS region of the stacks (default: the SDK\'s)').env('AWS_REGION'))
    .option('--sftp <host:port>', 'test this SFTP server instead of a deployed stage (admin API from --url/--token)')
    .option('--host-key-fingerprint <SHA256:...>', 'with --sftp: the host key to expect')
    .option('--timeout <seconds>', 'how long to wait for the transfer to complete', (v) => Number(v), 120)
    .action(async (o: SmokeOptions, cmd: Command) => {
      let deployment: Deployment;
      let api: AdminClient;
      let transfer: TransferClient | undefined;
      if (o.sftp) {
        const [host, port] = o.sftp.split(/:(?=\d+$)/);
        deployment = { frontEnd: 'fargate', adminApiUrl: '', sftpHost: host!, sftpPort: Number(port ?? 22), hostKeyFingerprint: o.hostKeyFingerprint };
        api = localApi(cmd);
      } else {
        const aws = o.region ? { region: o.region } : {};
        try {
          deployment = await describeDeployment(new CloudFormationClient(aws), o.stage);
        } catch (err) {
          throw new CliFailure(err instanceof DeploymentNotFound ? err.message : `cannot read the stacks of stage ${o.stage}: ${(err as Error).name}: ${(err as Error).message}`);
        }
        const region = o.region ?? regionOfApiUrl(deployment.adminApiUrl);
        if (!region) throw new CliFailure('no region: pass --region');
        api = new AdminClient(new URL('v1/', deployment.adminApiUrl).href, sigV4Auth({ region }));
        if (deployment.frontEnd === 'transfer-family') transfer = new TransferClient({ region });
      }
      const result = await runSmoke({ deployment, api, transfer, log: (line) => process.stdout.write(`${line}\n`), timeoutMs: o.timeout * 1000 });
      process.stdout.write(`${result.verdict}\n`);
      if (!result.ok) throw new CliFailure(result.verdict, { silent: true });
    });
}
