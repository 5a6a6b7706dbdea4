// The alternative SFTP front end (frontEnd: "transfer-family"): an AWS Transfer Family
// server in place of the Fargate service and its NLB. It authenticates every login
// with our identity Lambda (AWS_LAMBDA identity provider), which answers with the
// session role below, the user's LOGICAL home in the files bucket and a session policy
// scoping the role to that home. Uploads land in the same bucket, so S3 events, the
// post-upload Lambda and the flows work unchanged.
//
// Host key: CloudFormation cannot set one (AWS::Transfer::Server has no HostKey), so the
// server starts with a key Transfer Family generates. README "Transfer Family front
// end" shows the one command that imports the stage's Ed25519 key (the HostKeySecretArn
// output) so partners see the fingerprint the HostKeyFingerprint output shows;
// `thru-sftp smoke` warns while it is missing.
import { Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as transfer from 'aws-cdk-lib/aws-transfer';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';

/** The newest policy that ssh-audit rates clean (no SHA-1, no CBC, no small DH groups). */
export const TRANSFER_SECURITY_POLICY = 'TransferSecurityPolicy-SshAuditCompliant-2025-02';

export interface TransferServerProps {
  config: StageConfig;
  /** The files bucket's object access (lib/storage): what the Fargate tasks get too. */
  objectAccessPolicy: iam.IManagedPolicy;
  identityFunction: lambda.IFunction;
  removalPolicy: RemovalPolicy;
}

export class TransferServer extends Construct {
  readonly server: transfer.CfnServer;
  /** The role Transfer Family assumes for each session (THRU_TRANSFER_ROLE_ARN of the identity Lambda). */
  readonly sessionRole: iam.Role;
  /** Transfer Family's structured JSON log: one line per login, upload, download... */
  readonly logGroup: logs.LogGroup;
  readonly serverId: string;
  /** The host name partners connect to (custom domain or the server's own name). */
  readonly publicHost: string;

  constructor(scope: Construct, id: string, props: TransferServerProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: config.logRetentionDays, removalPolicy: props.removalPolicy });

    // Only Transfer Family servers of this account and region may assume it (confused
    // deputy). Not this server's ARN: the server needs the Lambda, whose environment
    // names this role, so the role cannot name the server.
    this.sessionRole = new iam.Role(this, 'SessionRole', {
      description: 'thru-sftp: assumed by Transfer Family for SFTP sessions, scoped down per user by the identity Lambda\'s session policy',
      assumedBy: new iam.ServicePrincipal('transfer.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'transfer', resource: 'server', resourceName: '*' }) },
      }),
    });
    // The whole bucket, as for the Fargate tasks; the identity Lambda's session policy
    // limits each session to the user's home folder and permissions.
    this.sessionRole.addManagedPolicy(props.objectAccessPolicy);

    this.server = new transfer.CfnServer(this, 'Server', {
      domain: 'S3',
      endpointType: 'PUBLIC',
      protocols: ['SFTP'],
      identityProviderType: 'AWS_LAMBDA',
      identityProviderDetails: { function: props.identityFunction.functionArn, sftpAuthenticationMethods: 'PUBLIC_KEY_OR_PASSWORD' },
      securityPolicyName: TRANSFER_SECURITY_POLICY,
      structuredLogDestinations: [this.logGroup.logGroupArn],
      tags: [{ key: 'Name', value: `thru-sftp-${config.stage}` }],
    });
    this.serverId = this.server.attrServerId;

    // Transfer Family calls the identity function; nothing else gets this grant.
    props.identityFunction.addPermission('TransferFamilyInvoke', {
      principal: new iam.ServicePrincipal('transfer.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceArn: this.server.attrArn,
      sourceAccount: stack.account,
    });

    const serverHost = `${this.serverId}.server.transfer.${stack.region}.${stack.urlSuffix}`;
    this.publicHost = config.customDomain?.name ?? serverHost;
    if (config.customDomain) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: config.customDomain.hostedZoneId,
        zoneName: config.customDomain.zoneName,
      });
      new route53.CnameRecord(this, 'HostName', { zone, recordName: config.customDomain.name, domainName: serverHost });
    }
  }
}
