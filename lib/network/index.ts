// The VPC: two AZs, public subnets only, no NAT gateway.
//
// Why: a NAT gateway costs ~$33/month per AZ before traffic, and the interface
// endpoints that would replace it (ECR api + dkr, CloudWatch Logs, Secrets Manager,
// Lambda) cost ~$7.30/month each per AZ, ~$73 for two AZs. Tasks in public subnets
// with a public IPv4 address ($3.65/month each) reach those APIs directly, and
// nothing on the internet reaches them: their security group admits only the NLB's
// security group on the SFTP port, and lets out HTTPS only. S3 and DynamoDB traffic
// goes through gateway endpoints, which are free and keep bulk file traffic off the
// internet path.
import { Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Availability zones the VPC spans (one Elastic IP each when fixed addresses are on). */
export const AZ_COUNT = 2;

export interface NetworkProps {
  flowLogs: boolean;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
}

export class Network extends Construct {
  readonly vpc: ec2.Vpc;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: AZ_COUNT,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
      restrictDefaultSecurityGroup: true,
    });
    if (props.flowLogs) {
      const logGroup = new logs.LogGroup(this, 'FlowLogs', { retention: props.logRetentionDays, removalPolicy: props.removalPolicy });
      this.vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup), trafficType: ec2.FlowLogTrafficType.ALL });
    } else {
      Validations.of(this.vpc).acknowledge({
        id: 'AwsSolutions-VPC7',
        reason: 'Flow logs were turned off in this stage\'s settings (flowLogs: false); the service still logs every session.',
      });
    }
  }
}
