// frontEnd: "transfer-family": a Transfer Family server in place of the VPC, NLB and
// Fargate service, calling the same identity Lambda (which it alone may invoke, and which
// answers with the session role), logging to its own log group, and the same bucket,
// queue and Lambdas behind it.
import type { Stack } from 'aws-cdk-lib';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveStageConfig } from '../../lib/config.js';
import { TRANSFER_SECURITY_POLICY } from '../../lib/transfer-server/index.js';
import { buildTestApp, only, policyStatements, type TestApp } from './support/app.js';

let tf: TestApp;
let fargate: TestApp;

const logicalId = (construct: { node: { defaultChild?: unknown } }, stack: Stack) => stack.getLogicalId(construct.node.defaultChild as CfnRole);

beforeAll(() => {
  tf = buildTestApp({
    stage: 'prod',
    overrides: { frontEnd: 'transfer-family', customDomain: { name: 'sftp.example.com', hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' } },
  });
  fargate = buildTestApp();
});

describe('frontEnd setting', () => {
  it('defaults to fargate and refuses what a public Transfer Family endpoint cannot do', () => {
    expect(resolveStageConfig('dev', {}).frontEnd).toBe('fargate');
    expect(resolveStageConfig('dev', { dev: { frontEnd: 'transfer-family' } }).frontEnd).toBe('transfer-family');
    expect(() => resolveStageConfig('dev', { dev: { frontEnd: 'ftp' } })).toThrow(/frontEnd/);
    expect(() => resolveStageConfig('dev', { dev: { frontEnd: 'transfer-family', elasticIps: true } })).toThrow(/elasticIps is not available/);
    expect(() => resolveStageConfig('dev', { dev: { frontEnd: 'transfer-family', sftpIngressCidrs: ['203.0.113.0/24'] } })).toThrow(/sftpIngressCidrs is not available/);
  });
});

describe('the Transfer Family front end', () => {
  it('replaces the VPC, NLB and Fargate service with one SFTP server', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'AWS::ECS::Service', 'AWS::ECS::Cluster']) tf.stateless$.resourceCountIs(type, 0);
    fargate.stateless$.resourceCountIs('AWS::Transfer::Server', 0);
    const server = only(tf.stateless$, 'AWS::Transfer::Server');
    expect(server).toMatchObject({
      Domain: 'S3',
      EndpointType: 'PUBLIC',
      Protocols: ['SFTP'],
      IdentityProviderType: 'AWS_LAMBDA',
      SecurityPolicyName: TRANSFER_SECURITY_POLICY,
      IdentityProviderDetails: {
        Function: { 'Fn::GetAtt': [logicalId(tf.stateless.identity.handler.fn, tf.stateless), 'Arn'] },
        SftpAuthenticationMethods: 'PUBLIC_KEY_OR_PASSWORD',
      },
    });
    expect(TRANSFER_SECURITY_POLICY).toMatch(/^TransferSecurityPolicy-SshAuditCompliant-20(2[5-9]|[3-9]\d)-\d\d$/);
  });

  it('writes structured logs to a log group with retention, which the failed-login alarm reads', () => {
    const server = only(tf.stateless$, 'AWS::Transfer::Server');
    const logs = logicalId(tf.stateless.transferServer!.logGroup, tf.stateless);
    expect(server.StructuredLogDestinations).toEqual([{ 'Fn::GetAtt': [logs, 'Arn'] }]);
    tf.stateless$.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    tf.stateless$.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.activity-type = "AUTH_FAILURE" }', LogGroupName: { Ref: logs } });
    const alarms = Object.keys(tf.stateless$.findResources('AWS::CloudWatch::Alarm')).map((id) => id.replace(/^Alarms/, '').replace(/[0-9A-F]{8}$/, ''));
    expect(alarms.sort()).toEqual(['Api5xx', 'DeadLetters', 'FailedLogins', 'IdentityErrors']);
  });

  it('lets only this server invoke the identity function', () => {
    const permissions = Object.values(tf.stateless$.findResources('AWS::Lambda::Permission') as Record<string, { Properties: Record<string, unknown> }>)
      .map((p) => p.Properties)
      .filter((p) => p.Principal === 'transfer.amazonaws.com');
    expect(permissions).toEqual([{
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [logicalId(tf.stateless.identity.handler.fn, tf.stateless), 'Arn'] },
      Principal: 'transfer.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [tf.stateless.getLogicalId(tf.stateless.transferServer!.server), 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    }]);
  });

  it('gives the identity function the session role, which only Transfer Family of this account assumes, scoped to the bucket', () => {
    const stack = tf.stateless;
    const role = logicalId(stack.transferServer!.sessionRole, stack);
    const resources = tf.stateless$.toJSON().Resources as Record<string, { Properties: { Environment?: { Variables?: Record<string, unknown> }; AssumeRolePolicyDocument?: unknown } }>;
    expect(resources[logicalId(stack.identity.handler.fn, stack)]!.Properties.Environment!.Variables!.THRU_TRANSFER_ROLE_ARN).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
    expect(resources[role]!.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'transfer.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':transfer:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':server/*']] } },
        },
      }],
    });
    // No inline grant: the files bucket's object access policy, the one the Fargate tasks get.
    expect(policyStatements(tf.stateless$).filter((s) => s.roles.includes(role))).toEqual([]);
    expect(JSON.stringify((resources[role]!.Properties as { ManagedPolicyArns?: unknown }).ManagedPolicyArns)).toContain('StorageObjectAccess');
    const bucketPolicy = policyStatements(tf.stateful$).filter((s) => s.policy.startsWith('StorageObjectAccess')).map((s) => s.statement);
    for (const s of bucketPolicy) expect(JSON.stringify(s.Resource)).toMatch(/StorageFiles[0-9A-F]+/);
  });

  it('keeps the same bucket events, post-upload Lambda and admin API', () => {
    tf.stateless$.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'] });
    tf.stateless$.hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'AWS_IAM' });
    tf.stateful$.hasResourceProperties('Custom::S3BucketNotifications', { NotificationConfiguration: { QueueConfigurations: [{ Events: ['s3:ObjectCreated:*'] }] } });
  });

  it('tells partners, admins and the smoke command where it is', () => {
    const server = tf.stateless.getLogicalId(tf.stateless.transferServer!.server);
    tf.stateless$.hasOutput('FrontEnd', { Value: 'transfer-family' });
    tf.stateless$.hasOutput('TransferServerId', { Value: { 'Fn::GetAtt': [server, 'ServerId'] } });
    tf.stateless$.hasOutput('SftpUrl', { Value: 'sftp://sftp.example.com' });
    tf.stateless$.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'sftp.example.com.', Type: 'CNAME',
      ResourceRecords: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [server, 'ServerId'] }, '.server.transfer.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] }],
    });
    fargate.stateless$.hasOutput('FrontEnd', { Value: 'fargate' });
    expect(Object.keys(fargate.stateless$.findOutputs('TransferServerId'))).toEqual([]);
  });
});
