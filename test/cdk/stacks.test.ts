// What the templates must guarantee: port 22 on the NLB, nothing public in S3,
// encryption, least-privilege IAM, no NAT gateway, Node 22 Lambdas, the DLQ and the
// alarms. Two builds: the dev defaults, and prod with every option turned on.
import type { Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY_TABLE_SCHEMA } from '../../lib/directory-table/schema.js';
import { CONTAINER_HEALTHCHECK, CONTAINER_SFTP_PORT } from '../../lib/sftp-service/index.js';
import { MAX_RECEIVE_COUNT } from '../../lib/storage/index.js';
import { actionsOf, buildTestApp, only, policyStatements, type TestApp } from './support/app.js';

let dev: TestApp;
let prod: TestApp;

beforeAll(() => {
  dev = buildTestApp();
  prod = buildTestApp({
    stage: 'prod',
    overrides: {
      architecture: 'x86_64',
      elasticIps: true,
      customDomain: { name: 'sftp.example.com', hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' },
      deliveryBuckets: ['partner-drop'],
      alarmEmail: 'ops@example.com',
      sftpIngressCidrs: ['203.0.113.0/24'],
    },
  });
});

const logicalId = (construct: { node: { defaultChild?: unknown } }, stack: Stack) =>
  stack.getLogicalId(construct.node.defaultChild as CfnRole);

function resourcesOf(t: Template, type: string): { id: string; props: Record<string, unknown>; deletionPolicy?: string }[] {
  const all = t.findResources(type) as Record<string, { Properties?: Record<string, unknown>; DeletionPolicy?: string }>;
  return Object.entries(all).map(([id, r]) => ({ id, props: r.Properties ?? {}, deletionPolicy: r.DeletionPolicy }));
}

describe('files bucket and upload events', () => {
  it('blocks public access, encrypts, logs access and aborts incomplete multipart uploads', () => {
    const files = resourcesOf(dev.stateful$, 'AWS::S3::Bucket').find((b) => b.id.startsWith('StorageFiles'))!;
    expect(files.props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(files.props.BucketEncryption).toEqual({ ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] });
    expect(files.props.LoggingConfiguration).toMatchObject({ LogFilePrefix: 'files/' });
    expect((files.props.LifecycleConfiguration as { Rules: unknown[] }).Rules).toContainEqual(
      expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' }),
    );
    expect(files.deletionPolicy).toBe('Retain');
    expect(files.props.VersioningConfiguration).toBeUndefined();
    const prodFiles = resourcesOf(prod.stateful$, 'AWS::S3::Bucket').find((b) => b.id.startsWith('StorageFiles'))!;
    expect(prodFiles.props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('has no bucket without a public access block, and every bucket refuses plain HTTP', () => {
    const buckets = resourcesOf(dev.stateful$, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const b of buckets) expect(b.props.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const policies = resourcesOf(dev.stateful$, 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      const statements = (p.props.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
      expect(statements).toContainEqual(expect.objectContaining({
        Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }));
      // Nothing is granted to everyone.
      for (const s of statements) if (s.Effect === 'Allow') expect(s.Principal).not.toBe('*');
    }
  });

  it('sends ObjectCreated events to an encrypted queue with a dead-letter queue', () => {
    const queues = resourcesOf(dev.stateful$, 'AWS::SQS::Queue');
    const main = queues.find((q) => q.id.startsWith('StoragePostUpload') && !q.id.includes('DeadLetters'))!;
    const dlq = queues.find((q) => q.id.includes('DeadLetters'))!;
    expect(main.props.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlq.id, 'Arn'] }, maxReceiveCount: MAX_RECEIVE_COUNT });
    // Six times the post-upload Lambda's 10-minute timeout.
    expect(main.props.VisibilityTimeout).toBe(3600);
    for (const q of queues) expect(q.props.SqsManagedSseEnabled).toBe(true);
    dev.stateful$.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [{ Events: ['s3:ObjectCreated:*'], QueueArn: { 'Fn::GetAtt': [main.id, 'Arn'] } }],
      },
    });
  });
});

describe('directory table', () => {
  it('uses the shared schema: keys, GSIs, TTL; on demand with PITR', () => {
    const table = only(dev.stateful$, 'AWS::DynamoDB::Table');
    expect(table.KeySchema).toEqual([
      { AttributeName: DIRECTORY_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
      { AttributeName: DIRECTORY_TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
    ]);
    const gsis = table.GlobalSecondaryIndexes as { IndexName: string; KeySchema: { AttributeName: string }[] }[];
    expect(gsis.map((g) => [g.IndexName, ...g.KeySchema.map((k) => k.AttributeName)])).toEqual(
      DIRECTORY_TABLE_SCHEMA.globalSecondaryIndexes.map((g) => [g.indexName, g.partitionKey, g.sortKey]),
    );
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('is deletion-protected and retained in prod only', () => {
    const [devTable] = resourcesOf(dev.stateful$, 'AWS::DynamoDB::Table');
    const [prodTable] = resourcesOf(prod.stateful$, 'AWS::DynamoDB::Table');
    expect(devTable!.props.DeletionProtectionEnabled).toBe(false);
    expect(devTable!.deletionPolicy).toBe('Delete');
    expect(prodTable!.props.DeletionProtectionEnabled).toBe(true);
    expect(prodTable!.deletionPolicy).toBe('Retain');
  });
});

describe('host key', () => {
  it('keeps the key out of the template: a generated placeholder, replaced in the account', () => {
    const secret = only(dev.stateful$, 'AWS::SecretsManager::Secret');
    expect(secret.SecretString).toBeUndefined();
    expect(secret.GenerateSecretString).toBeDefined();
    expect(JSON.stringify(dev.stateful$.toJSON())).not.toMatch(/PRIVATE KEY/);
    const secretId = resourcesOf(dev.stateful$, 'AWS::SecretsManager::Secret')[0]!.id;
    dev.stateful$.hasResourceProperties('Custom::ThruSftpHostKey', { SecretArn: { Ref: secretId } });
    const key = resourcesOf(dev.stateful$, 'Custom::ThruSftpHostKey')[0]!.id;
    dev.stateful$.hasOutput('HostKeyFingerprint', { Value: { 'Fn::GetAtt': [key, 'Fingerprint'] } });
  });
});

describe('network', () => {
  it('has no NAT gateway and no paid interface endpoint; S3 and DynamoDB through gateway endpoints', () => {
    dev.stateless$.resourceCountIs('AWS::EC2::NatGateway', 0);
    const endpoints = resourcesOf(dev.stateless$, 'AWS::EC2::VPCEndpoint');
    expect(endpoints).toHaveLength(2);
    for (const e of endpoints) expect(e.props.VpcEndpointType).toBe('Gateway');
    const subnets = resourcesOf(dev.stateless$, 'AWS::EC2::Subnet');
    expect(subnets).toHaveLength(2);
    for (const s of subnets) expect(s.props.MapPublicIpOnLaunch).toBe(true);
  });

  it('logs VPC flows', () => {
    dev.stateless$.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
  });
});

describe('SFTP service', () => {
  it('listens on TCP 22 on an internet-facing NLB and forwards to the tasks on the container port', () => {
    dev.stateless$.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 22, Protocol: 'TCP' });
    dev.stateless$.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'network' });
    const tg = only(dev.stateless$, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(tg).toMatchObject({ Port: CONTAINER_SFTP_PORT, Protocol: 'TCP', TargetType: 'ip', HealthCheckProtocol: 'TCP' });
    const attributes = Object.fromEntries((tg.TargetGroupAttributes as { Key: string; Value: string }[]).map((a) => [a.Key, a.Value]));
    expect(attributes).toEqual({
      'preserve_client_ip.enabled': 'true',
      'deregistration_delay.timeout_seconds': '300',
      'deregistration_delay.connection_termination.enabled': 'true',
    });
    const prodTg = only(prod.stateless$, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    expect(prodTg.TargetGroupAttributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '1800' });
  });

  it('admits port 22 from the configured CIDRs, and the tasks only from the NLB', () => {
    const sftp = dev.stateless.sftp!;
    const lbSg = resourcesOf(dev.stateless$, 'AWS::EC2::SecurityGroup').find((s) => s.id.startsWith('SftpLoadBalancerSecurityGroup'))!;
    expect(lbSg.props.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 22, ToPort: 22, IpProtocol: 'tcp' })]);
    const prodLbSg = resourcesOf(prod.stateless$, 'AWS::EC2::SecurityGroup').find((s) => s.id.startsWith('SftpLoadBalancerSecurityGroup'))!;
    expect(prodLbSg.props.SecurityGroupIngress).toEqual([expect.objectContaining({ CidrIp: '203.0.113.0/24', FromPort: 22 })]);

    const taskSg = resourcesOf(dev.stateless$, 'AWS::EC2::SecurityGroup').find((s) => s.id.startsWith('SftpTaskSecurityGroup'))!;
    expect(taskSg.props.SecurityGroupIngress).toBeUndefined();
    expect(taskSg.props.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })]);
    const ingress = resourcesOf(dev.stateless$, 'AWS::EC2::SecurityGroupIngress');
    expect(ingress).toHaveLength(1);
    expect(ingress[0]!.props).toMatchObject({
      FromPort: CONTAINER_SFTP_PORT, ToPort: CONTAINER_SFTP_PORT,
      GroupId: { 'Fn::GetAtt': [taskSg.id, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [lbSg.id, 'GroupId'] },
    });
    expect(sftp.service.connections.securityGroups).toHaveLength(1);
  });

  it('runs at least two tasks, rolls back failed deploys and never drops below the desired count', () => {
    const svc = only(dev.stateless$, 'AWS::ECS::Service');
    expect(svc).toMatchObject({
      DesiredCount: 2,
      LaunchType: 'FARGATE',
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100, MaximumPercent: 200 },
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'ENABLED' } },
    });
    dev.stateless$.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 6 });
    dev.stateless$.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' }, TargetValue: 60 },
    });
    // Connection-based scaling: an alarm on NLB ActiveFlowCount per healthy task drives step policies.
    const flowAlarms = resourcesOf(dev.stateless$, 'AWS::CloudWatch::Alarm').filter((a) => JSON.stringify(a.props.Metrics ?? []).includes('ActiveFlowCount'));
    expect(flowAlarms).toHaveLength(2);
    for (const a of flowAlarms) expect(JSON.stringify(a.props.AlarmActions)).toContain('SftpServiceTaskCountTargetConnections');
  });

  it('runs on Fargate Spot only when asked', () => {
    expect(only(dev.stateless$, 'AWS::ECS::Service').CapacityProviderStrategy).toBeUndefined();
    const spot = buildTestApp({ overrides: { fargateSpot: true } });
    const svc = only(spot.stateless$, 'AWS::ECS::Service');
    expect(svc.CapacityProviderStrategy).toEqual([{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }]);
    expect(svc.LaunchType).toBeUndefined();
    expect(only(spot.stateless$, 'AWS::ECS::ClusterCapacityProviderAssociations').CapacityProviders).toContain('FARGATE_SPOT');
  });

  it('runs the Dockerfile image on the configured architecture with the runtime settings and a health check', () => {
    const task = only(dev.stateless$, 'AWS::ECS::TaskDefinition');
    expect(task.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
    expect(only(prod.stateless$, 'AWS::ECS::TaskDefinition').RuntimePlatform).toEqual({ CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' });
    const [container] = task.ContainerDefinitions as Record<string, unknown>[];
    expect(container!.PortMappings).toEqual([{ ContainerPort: CONTAINER_SFTP_PORT, Protocol: 'tcp' }]);
    expect((container!.HealthCheck as { Command: string[] }).Command).toEqual(CONTAINER_HEALTHCHECK);
    expect(container!.StopTimeout).toBe(120);
    const env = Object.fromEntries((container!.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]));
    for (const name of ['THRU_BUCKET', 'THRU_TABLE', 'THRU_IDENTITY_FUNCTION', 'THRU_HOST_KEY_SECRET', 'THRU_PUBLIC_HOST']) expect(env[name]).toBeDefined();
    expect(env.THRU_SFTP_PORT).toBe(String(CONTAINER_SFTP_PORT));
    expect(env.THRU_IDENTITY_FUNCTION).toEqual({ 'Fn::GetAtt': [logicalId(dev.stateless.identity.handler.fn, dev.stateless), 'Arn'] });
    // The image comes from the repository's Dockerfile (an asset), not a public registry.
    expect(JSON.stringify(container!.Image)).toContain('cdk-hnb659fds-container-assets');
  });

  it('uses fixed addresses and the custom host name when configured', () => {
    const eips = resourcesOf(prod.stateful$, 'AWS::EC2::EIP');
    expect(eips).toHaveLength(2);
    for (const e of eips) expect(e.deletionPolicy).toBe('Retain');
    const nlb = only(prod.stateless$, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect((nlb.SubnetMappings as unknown[]).length).toBe(2);
    expect(JSON.stringify(nlb.SubnetMappings)).toContain('AllocationId');
    prod.stateless$.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'sftp.example.com.', Type: 'A', HostedZoneId: 'Z0123456789ABC' });
    const [container] = only(prod.stateless$, 'AWS::ECS::TaskDefinition').ContainerDefinitions as { Environment: { Name: string; Value: unknown }[] }[];
    expect(container!.Environment).toContainEqual({ Name: 'THRU_PUBLIC_HOST', Value: 'sftp.example.com' });
    prod.stateless$.hasOutput('SftpUrl', { Value: 'sftp://sftp.example.com' });
    dev.stateful$.resourceCountIs('AWS::EC2::EIP', 0);
  });
});

describe('Lambdas', () => {
  it('run Node 22 on ARM64 with tracing and a log group with retention', () => {
    const ours = [dev.stateful$, dev.stateless$].flatMap((t) =>
      resourcesOf(t, 'AWS::Lambda::Function').filter((f) => typeof f.props.Description === 'string' && f.props.Description.startsWith('thru-sftp:')),
    );
    expect(ours).toHaveLength(4);
    for (const f of ours) {
      expect(f.props).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
      expect((f.props.LoggingConfig as { LogGroup?: unknown }).LogGroup).toBeDefined();
    }
    for (const t of [dev.stateful$, dev.stateless$]) {
      for (const lg of resourcesOf(t, 'AWS::Logs::LogGroup')) expect(lg.props.RetentionInDays).toBe(30);
    }
  });

  it('feed post-upload from the queue with partial batch failures', () => {
    dev.stateless$.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FunctionName: { Ref: logicalId(dev.stateless.postUpload.fn, dev.stateless) },
    });
  });

  it('serve the admin API behind IAM authorization with access logs; only the console\'s GET routes go without', () => {
    const routes = Object.values(dev.stateless$.findResources('AWS::ApiGatewayV2::Route') as Record<string, { Properties: { RouteKey: string; AuthorizationType: string; Target: unknown } }>);
    const authorization = Object.fromEntries(routes.map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType]));
    // $default catches every other method and path, /v1/ included.
    expect(authorization).toEqual({ $default: 'AWS_IAM', 'GET /console': 'NONE', 'GET /console/{proxy+}': 'NONE' });
    // All three reach the same Lambda, whose router refuses /v1/ calls without an IAM principal.
    expect(new Set(routes.map((r) => JSON.stringify(r.Properties.Target))).size).toBe(1);
    const outputs = dev.stateless$.findOutputs('ConsoleUrl') as Record<string, { Value: unknown }>;
    expect(outputs.ConsoleUrl?.Value).toEqual({
      'Fn::Join': ['', ['https://', { Ref: logicalId(dev.stateless.adminApi.api, dev.stateless) }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/console/']],
    });
    const stage = only(dev.stateless$, 'AWS::ApiGatewayV2::Stage');
    const accessLogs = stage.AccessLogSettings as { DestinationArn?: unknown; Format?: string };
    expect(accessLogs.DestinationArn).toBeDefined();
    expect(accessLogs.Format).toContain('$context.identity.userArn');
  });

  it('tell the admin API the host key fingerprint, and no function the key itself', () => {
    const env = (dev.stateless$.toJSON() as { Resources: Record<string, { Type: string; Properties: { Environment?: { Variables?: Record<string, unknown> } } }> }).Resources;
    const admin = env[logicalId(dev.stateless.adminApi.handler.fn, dev.stateless)]!;
    expect(admin.Properties.Environment?.Variables?.THRU_HOST_KEY_FINGERPRINTS).toBeDefined();
    for (const r of Object.values(env)) if (r.Type === 'AWS::Lambda::Function') expect(r.Properties.Environment?.Variables ?? {}).not.toHaveProperty('THRU_HOST_KEY_SECRET');
  });
});

describe('IAM', () => {
  const all = () => [...policyStatements(dev.stateful$), ...policyStatements(dev.stateless$)];

  it('grants no wildcard action, and a wildcard resource only where the service has no resource-level permissions', () => {
    const noResourceLevel = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'ecr:GetAuthorizationToken', 's3:PutBucketNotification']);
    for (const { statement } of all()) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      if (statement.Resource === '*') for (const action of actionsOf(statement)) expect(noResourceLevel).toContain(action);
    }
  });

  it('lets the SFTP task invoke only the identity function, read only the host key secret, read the table and write only ban items', () => {
    const stack = dev.stateless;
    const role = logicalId(stack.sftp!.taskRole, stack);
    const statements = policyStatements(dev.stateless$).filter((s) => s.roles.includes(role)).map((s) => s.statement);
    const byAction = new Map(statements.flatMap((s) => actionsOf(s).map((a) => [a, s.Resource] as const)));
    expect([...byAction.keys()].sort()).toEqual([
      'dynamodb:BatchGetItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem',
      'lambda:InvokeFunction', 'secretsmanager:GetSecretValue',
    ]);
    // Writes only to the brute-force defence's partitions.
    const writes = statements.filter((s) => actionsOf(s).some((a) => ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'].includes(a)));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['BAN#*', 'LOGINFAIL#*'] } });
    expect(byAction.get('lambda:InvokeFunction')).toEqual({ 'Fn::GetAtt': [logicalId(stack.identity.handler.fn, stack), 'Arn'] });
    expect(JSON.stringify(byAction.get('secretsmanager:GetSecretValue'))).toContain('HostKeySecret');
    // S3 object access comes from the bucket's managed policy, attached to the task role.
    const managed = resourcesOf(dev.stateless$, 'AWS::IAM::Role').find((r) => r.id === role)!;
    expect(JSON.stringify(managed.props.ManagedPolicyArns)).toContain('StorageObjectAccess');
  });

  it('limits the bucket policy to object actions on this bucket', () => {
    const statements = policyStatements(dev.stateful$).filter((s) => s.policy.startsWith('StorageObjectAccess')).map((s) => s.statement);
    expect(statements.flatMap(actionsOf).sort()).toEqual([
      's3:AbortMultipartUpload', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:ListBucketMultipartUploads',
      's3:ListMultipartUploadParts', 's3:PutObject',
    ]);
    for (const s of statements) expect(JSON.stringify(s.Resource)).toMatch(/StorageFiles[0-9A-F]+/);
  });

  it('gives each Lambda only what it needs', () => {
    const stack = dev.stateless;
    const actionsOfRole = (role: { node: { defaultChild?: unknown } }) => {
      const id = logicalId(role, stack);
      return policyStatements(dev.stateless$).filter((s) => s.roles.includes(id)).flatMap((s) => actionsOf(s.statement));
    };
    const managedOf = (role: { node: { defaultChild?: unknown } }) =>
      JSON.stringify(resourcesOf(dev.stateless$, 'AWS::IAM::Role').find((r) => r.id === logicalId(role, stack))!.props.ManagedPolicyArns ?? []);

    const identity = actionsOfRole(stack.identity.handler.role);
    expect(identity.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect(identity.some((a) => a.startsWith('s3:') || a.startsWith('sqs:'))).toBe(false);
    expect(managedOf(stack.identity.handler.role)).not.toContain('StorageObjectAccess');

    const admin = actionsOfRole(stack.adminApi.handler.role);
    expect(admin).toContain('dynamodb:PutItem');
    expect(admin.some((a) => a.startsWith('s3:'))).toBe(false);
    expect(managedOf(stack.adminApi.handler.role)).not.toContain('StorageObjectAccess');

    const postUpload = actionsOfRole(stack.postUpload.handler.role);
    expect(postUpload).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SendMessage', 'dynamodb:PutItem']));
    expect(managedOf(stack.postUpload.handler.role)).toContain('StorageObjectAccess');
    expect(postUpload.some((a) => a.startsWith('s3:'))).toBe(false);

    // In prod, the configured delivery bucket only, for writing.
    const prodStack = prod.stateless;
    const prodId = logicalId(prodStack.postUpload.handler.role, prodStack);
    const delivery = policyStatements(prod.stateless$).filter((s) => s.roles.includes(prodId) && actionsOf(s.statement).includes('s3:PutObject'));
    expect(delivery).toHaveLength(1);
    expect(JSON.stringify(delivery[0]!.statement.Resource)).toContain(':s3:::partner-drop/*');
  });
});

describe('alarms', () => {
  it('watch the DLQ, failed logins, API 5xx, healthy tasks and identity errors, and notify the topic', () => {
    const alarms = resourcesOf(dev.stateless$, 'AWS::CloudWatch::Alarm').filter((a) => a.id.startsWith('Alarms'));
    const byName = new Map(alarms.map((a) => [a.id.replace(/^Alarms/, '').replace(/[0-9A-F]{8}$/, ''), a.props]));
    expect([...byName.keys()].sort()).toEqual(['Api5xx', 'DeadLetters', 'FailedLogins', 'IdentityErrors', 'RunningTasks']);
    expect(byName.get('DeadLetters')).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    expect(byName.get('Api5xx')).toMatchObject({ MetricName: '5xx', Namespace: 'AWS/ApiGateway' });
    expect(byName.get('RunningTasks')).toMatchObject({ MetricName: 'HealthyHostCount', Threshold: 2, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    expect(byName.get('IdentityErrors')).toMatchObject({ MetricName: 'Errors', Namespace: 'AWS/Lambda' });
    expect(byName.get('FailedLogins')).toMatchObject({ MetricName: 'FailedLogins-dev', Namespace: 'ThruSftp', Threshold: 50 });
    const topic = resourcesOf(dev.stateless$, 'AWS::SNS::Topic')[0]!.id;
    for (const a of alarms) expect(a.props.AlarmActions).toEqual([{ Ref: topic }]);
  });

  it('count AUTH_FAILURE lines of the service log group', () => {
    const service = dev.stateless;
    dev.stateless$.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.activity-type = "AUTH_FAILURE" }',
      LogGroupName: { Ref: logicalId(service.sftp!.logGroup, service) },
      MetricTransformations: [{ MetricName: 'FailedLogins-dev', MetricNamespace: 'ThruSftp', MetricValue: '1', DefaultValue: 0 }],
    });
    prod.stateless$.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});
