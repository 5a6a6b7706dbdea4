// The SSH host key every Fargate task presents: one Secrets Manager secret holding an
// Ed25519 private key in OpenSSH format. The template never contains the key:
// Secrets Manager creates the secret with a random placeholder, then a custom
// resource replaces it with a key generated inside the account (see
// generate-handler.ts) and exposes the fingerprint partners verify.
import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ThruFunction } from '../function/index.js';

export interface HostKeyProps {
  retain: boolean;
  logRetentionDays: number;
}

export class HostKey extends Construct {
  readonly secret: secretsmanager.Secret;
  /** "SHA256:..." as ssh-keygen -l prints it. */
  readonly fingerprint: string;
  /** "ssh-ed25519 AAAA..." for partners' known_hosts files. */
  readonly publicKey: string;

  constructor(scope: Construct, id: string, props: HostKeyProps) {
    super(scope, id);
    const removalPolicy = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'thru-sftp SSH host key (Ed25519, OpenSSH format). Replace with put-secret-value, then restart the service.',
      // A placeholder only; never change these settings, or CloudFormation would generate a new value over the key.
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'A host key is rotated by operators on purpose (partners pin its fingerprint); automatic rotation would break every known_hosts entry.',
    });

    const generator = new ThruFunction(this, 'Generator', {
      entry: 'lib/host-key/generate-handler.ts',
      description: 'thru-sftp: puts a generated Ed25519 host key into the host key secret once',
      timeout: Duration.seconds(30),
      memorySize: 256,
      logRetentionDays: props.logRetentionDays,
      removalPolicy,
    });
    this.secret.grantRead(generator.role);
    this.secret.grantWrite(generator.role);

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: generator.fn,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: props.logRetentionDays, removalPolicy }),
    });
    Validations.of(provider).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The custom resource provider framework function and its role are created by aws-cdk-lib.',
    });
    Validations.of(provider).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(generator.fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: 'The CDK provider framework may invoke any version of the generator function it was given.',
    });

    const resource = new CustomResource(this, 'Key', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ThruSftpHostKey',
      properties: { SecretArn: this.secret.secretArn },
    });
    this.fingerprint = resource.getAttString('Fingerprint');
    this.publicKey = resource.getAttString('PublicKey');
  }
}
