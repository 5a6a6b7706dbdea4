// Everything that can be replaced without losing data: the SFTP front end (the
// network and our service on Fargate behind its NLB, or an AWS Transfer Family server),
// the Lambdas, the admin API and the alarms.
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AdminApi } from '../admin-api/index.js';
import { Alarms } from '../alarms/index.js';
import type { StageConfig } from '../config.js';
import { IdentityFunction } from '../identity-function/index.js';
import { Network } from '../network/index.js';
import { PostUploadFunction } from '../post-upload-function/index.js';
import { SftpService } from '../sftp-service/index.js';
import { TransferServer } from '../transfer-server/index.js';
import type { StatefulStack } from './stateful-stack.js';

export interface StatelessStackProps extends StackProps {
  config: StageConfig;
  data: StatefulStack;
}

export class StatelessStack extends Stack {
  /** Fargate front end only. */
  readonly network?: Network;
  readonly identity: IdentityFunction;
  readonly postUpload: PostUploadFunction;
  readonly adminApi: AdminApi;
  /** Fargate front end only. */
  readonly sftp?: SftpService;
  /** Transfer Family front end only. */
  readonly transferServer?: TransferServer;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logs = { logRetentionDays: config.logRetentionDays, removalPolicy };

    // The identity function answers with public URLs, and the front end needs the
    // function: the public host (custom domain, NLB or server name) is added to it after.
    this.identity = new IdentityFunction(this, 'Identity', {
      directory: data.directory,
      environment: { THRU_TABLE: data.directory.table.tableName, THRU_BUCKET: data.storage.bucket.bucketName },
      ...logs,
    });

    let publicHost: string;
    let frontEndLogGroup: ILogGroup;
    if (config.frontEnd === 'transfer-family') {
      this.transferServer = new TransferServer(this, 'Transfer', {
        config,
        objectAccessPolicy: data.storage.objectAccessPolicy,
        identityFunction: this.identity.fn,
        removalPolicy,
      });
      // The handler returns it as `Role`: what Transfer Family assumes for the session.
      this.identity.fn.addEnvironment('THRU_TRANSFER_ROLE_ARN', this.transferServer.sessionRole.roleArn);
      publicHost = this.transferServer.publicHost;
      frontEndLogGroup = this.transferServer.logGroup;
    } else {
      this.network = new Network(this, 'Network', { flowLogs: config.flowLogs, ...logs });
      this.sftp = new SftpService(this, 'Sftp', {
        config,
        vpc: this.network.vpc,
        storage: data.storage,
        directory: data.directory,
        hostKeySecret: data.hostKey.secret,
        identityFunction: this.identity.fn,
        elasticIpAllocationIds: data.elasticIpAllocationIds,
      });
      publicHost = this.sftp.publicHost;
      frontEndLogGroup = this.sftp.logGroup;
    }
    const publicEnv = { THRU_PUBLIC_HOST: publicHost, THRU_PUBLIC_PORT: '22' };
    // Transfer Family's host name holds the server id, and the server names the function:
    // that function cannot name the server back (nor does its handler read these).
    if (!this.transferServer) for (const [k, v] of Object.entries(publicEnv)) this.identity.fn.addEnvironment(k, v);

    const env = { THRU_TABLE: data.directory.table.tableName, THRU_BUCKET: data.storage.bucket.bucketName, ...publicEnv };
    this.postUpload = new PostUploadFunction(this, 'PostUpload', {
      storage: data.storage,
      directory: data.directory,
      environment: env,
      deliveryBuckets: config.deliveryBuckets,
      ...logs,
    });
    // The admin API shows endpoints' host key fingerprints; it never reads the key itself.
    this.adminApi = new AdminApi(this, 'Admin', {
      directory: data.directory,
      storage: data.storage,
      environment: { ...env, THRU_HOST_KEY_FINGERPRINTS: data.hostKey.fingerprint },
      ...logs,
    });

    this.alarms = new Alarms(this, 'Alarms', {
      stage: config.stage,
      deadLetterQueue: data.storage.deadLetterQueue,
      // Both front ends log refused logins as "activity-type": "AUTH_FAILURE" JSON lines.
      serviceLogGroup: frontEndLogGroup,
      ...(this.sftp ? { tasks: { targetGroup: this.sftp.targetGroup, min: config.tasks.min } } : {}),
      api: this.adminApi.stage,
      identityFunction: this.identity.fn,
      failedLoginThreshold: config.failedLoginAlarmThreshold,
      email: config.alarmEmail,
    });

    new CfnOutput(this, 'FrontEnd', { description: 'fargate or transfer-family (what `thru-sftp smoke` tests)', value: config.frontEnd });
    new CfnOutput(this, 'SftpUrl', { description: 'What partners connect to', value: `sftp://${publicHost}` });
    new CfnOutput(this, 'SftpHost', { value: publicHost });
    new CfnOutput(this, 'AdminApiUrl', { description: 'Admin API base URL (IAM/SigV4 auth); routes start with /v1/', value: this.adminApi.url });
    new CfnOutput(this, 'ConsoleUrl', { description: 'Web console; sign in with AWS credentials allowed execute-api:Invoke on the admin API', value: this.adminApi.consoleUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'ServiceLogGroup', { value: frontEndLogGroup.logGroupName });
    if (this.sftp) {
      new CfnOutput(this, 'ClusterName', { value: this.sftp.service.cluster.clusterName });
      new CfnOutput(this, 'ServiceName', { value: this.sftp.service.serviceName });
    }
    if (this.transferServer) {
      new CfnOutput(this, 'TransferServerId', { description: 'The AWS Transfer Family server', value: this.transferServer.serverId });
      new CfnOutput(this, 'TransferSessionRoleArn', { value: this.transferServer.sessionRole.roleArn });
    }
  }
}
