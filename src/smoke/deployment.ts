// What a stage deployed, read from its stacks' outputs (CloudFormation DescribeStacks):
// which front end, where partners and admins connect, the host key fingerprint.
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';

export type FrontEnd = 'fargate' | 'transfer-family';

export interface Deployment {
  frontEnd: FrontEnd;
  /** Admin API base URL; routes start with /v1/. */
  adminApiUrl: string;
  sftpHost: string;
  sftpPort: number;
  /** "SHA256:..." partners pin; checked on the SFTP login when known. */
  hostKeyFingerprint?: string;
  transferServerId?: string;
  transferSessionRoleArn?: string;
  bucketName?: string;
}

export class DeploymentNotFound extends Error {}

async function outputsOf(cfn: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (err) {
    if ((err as Error).name === 'ValidationError' && /does not exist/.test((err as Error).message)) {
      throw new DeploymentNotFound(`stack ${stackName} does not exist in this account and region: deploy it first (npx cdk deploy --all -c stage=...)`);
    }
    throw err;
  }
}

export async function describeDeployment(cfn: CloudFormationClient, stage: string): Promise<Deployment> {
  const stateless = await outputsOf(cfn, `thru-sftp-${stage}-stateless`);
  const stateful = await outputsOf(cfn, `thru-sftp-${stage}-stateful`);
  const need = (name: string) => {
    const value = stateless[name];
    if (!value) throw new DeploymentNotFound(`thru-sftp-${stage}-stateless has no ${name} output: deployed with an older version? Deploy again.`);
    return value;
  };
  const frontEnd = (stateless.FrontEnd ?? 'fargate') as FrontEnd;
  return {
    frontEnd,
    adminApiUrl: need('AdminApiUrl'),
    sftpHost: need('SftpHost'),
    sftpPort: 22,
    hostKeyFingerprint: stateful.HostKeyFingerprint || undefined,
    bucketName: stateful.BucketName || undefined,
    ...(frontEnd === 'transfer-family' ? { transferServerId: need('TransferServerId'), transferSessionRoleArn: stateless.TransferSessionRoleArn } : {}),
  };
}
