// Everything that can be replaced without losing data: the network, the SFTP service
// on Fargate behind its NLB, the Lambdas, the admin API and the alarms.
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AdminApi } from '../admin-api/index.js';
import { Alarms } from '../alarms/index.js';
import type { StageConfig } from '../config.js';
import { IdentityFunction } from '../identity-function/index.js';
import { Network } from '../network/index.js';
import { PostUploadFunction } from '../post-upload-function/index.js';
import { SftpService } from '../sftp-service/index.js';
import type { StatefulStack } from './stateful-stack.js';

export interface StatelessStackProps extends StackProps {
  config: StageConfig;
  data: StatefulStack;
}

export class StatelessStack extends Stack {
  readonly network: Network;
  readonly identity: IdentityFunction;
  readonly postUpload: PostUploadFunction;
  readonly adminApi: AdminApi;
  readonly sftp: SftpService;
  readonly alarms: Alarms;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logs = { logRetentionDays: config.logRetentionDays, removalPolicy };

    this.network = new Network(this, 'Network', { flowLogs: config.flowLogs, ...logs });

    // The identity function answers with public URLs, and the service needs the
    // function: the public host (custom domain or NLB name) is added to it after.
    this.identity = new IdentityFunction(this, 'Identity', {
      directory: data.directory,
      environment: { THRU_TABLE: data.directory.table.tableName, THRU_BUCKET: data.storage.bucket.bucketName },
      ...logs,
    });

    this.sftp = new SftpService(this, 'Sftp', {
      config,
      vpc: this.network.vpc,
      storage: data.storage,
      directory: data.directory,
      hostKeySecret: data.hostKey.secret,
      identityFunction: this.identity.fn,
      elasticIpAllocationIds: data.elasticIpAllocationIds,
    });
    const publicEnv = { THRU_PUBLIC_HOST: this.sftp.publicHost, THRU_PUBLIC_PORT: '22' };
    for (const [k, v] of Object.entries(publicEnv)) this.identity.fn.addEnvironment(k, v);

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
      serviceLogGroup: this.sftp.logGroup,
      targetGroup: this.sftp.targetGroup,
      minTasks: config.tasks.min,
      api: this.adminApi.stage,
      identityFunction: this.identity.fn,
      failedLoginThreshold: config.failedLoginAlarmThreshold,
      email: config.alarmEmail,
    });

    new CfnOutput(this, 'SftpUrl', { description: 'What partners connect to', value: `sftp://${this.sftp.publicHost}` });
    new CfnOutput(this, 'SftpHost', { value: this.sftp.publicHost });
    new CfnOutput(this, 'AdminApiUrl', { description: 'Admin API base URL (IAM/SigV4 auth); routes start with /v1/', value: this.adminApi.url });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
    new CfnOutput(this, 'ServiceLogGroup', { value: this.sftp.logGroup.logGroupName });
    new CfnOutput(this, 'ClusterName', { value: this.sftp.service.cluster.clusterName });
    new CfnOutput(this, 'ServiceName', { value: this.sftp.service.serviceName });
  }
}
