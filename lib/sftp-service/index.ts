// The SFTP front end on AWS: the repository's Dockerfile on Fargate, at least two
// tasks, behind an internet-facing NLB that listens on TCP 22.
//
// Zero-downtime deploys: ECS starts new tasks before stopping old ones (100%/200%),
// a deployment whose tasks fail their health checks rolls back (circuit breaker),
// and a task being replaced first leaves the NLB and keeps its open sessions for
// `drainSeconds` (the deregistration delay) before it is stopped, so transfers in
// progress can finish. Deploys therefore take up to that long while sessions stay open.
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import type { DirectoryTable } from '../directory-table/index.js';
import { REPO_ROOT } from '../paths.js';
import type { Storage } from '../storage/index.js';

/** The port partners connect to. */
export const PUBLIC_SFTP_PORT = 22;
/** The port the server listens on inside the container (non-root users cannot bind 22). */
export const CONTAINER_SFTP_PORT = 2222;
/** The image's own health check (Dockerfile HEALTHCHECK runs the same script). */
export const CONTAINER_HEALTHCHECK = ['CMD', 'node', 'dist/bin/healthcheck.js'];
/** Fargate's maximum: time between SIGTERM and SIGKILL once draining is over. */
export const STOP_TIMEOUT = Duration.seconds(120);

export interface SftpServiceProps {
  config: StageConfig;
  vpc: ec2.IVpc;
  storage: Storage;
  directory: DirectoryTable;
  hostKeySecret: secretsmanager.ISecret;
  identityFunction: lambda.IFunction;
  /** Elastic IP allocation ids, one per public subnet, when fixed addresses are wanted. */
  elasticIpAllocationIds?: string[];
}

export class SftpService extends Construct {
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.NetworkLoadBalancer;
  readonly targetGroup: elbv2.NetworkTargetGroup;
  readonly logGroup: logs.LogGroup;
  readonly taskRole: iam.Role;
  /** The host name partners connect to (custom domain or the NLB's DNS name). */
  readonly publicHost: string;

  constructor(scope: Construct, id: string, props: SftpServiceProps) {
    super(scope, id);
    const { config, vpc } = props;
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Load balancer: port 22 open to the configured CIDRs, nothing else.
    const lbSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      description: 'thru-sftp NLB: SFTP from partners',
      allowAllOutbound: false,
    });
    for (const cidr of config.sftpIngressCidrs) lbSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(PUBLIC_SFTP_PORT), 'SFTP');
    if (config.sftpIngressCidrs.includes('0.0.0.0/0')) {
      const reason = 'A public SFTP service: partners connect from anywhere; per-user allowed CIDRs are enforced by the service, and sftpIngressCidrs narrows this rule.';
      Validations.of(lbSecurityGroup).acknowledge({ id: 'AwsSolutions-EC23', reason });
      Validations.of(lbSecurityGroup).acknowledge({ id: 'CloudFormation-Validate::W2508', reason });
    }

    const publicSubnets = vpc.selectSubnets({ subnetType: ec2.SubnetType.PUBLIC }).subnets;
    const allocations = props.elasticIpAllocationIds;
    this.loadBalancer = new elbv2.NetworkLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      crossZoneEnabled: true,
      securityGroups: [lbSecurityGroup],
      deletionProtection: config.retainData,
      ...(allocations
        ? { subnetMappings: publicSubnets.map((subnet, i) => ({ subnet, allocationId: allocations[i] })) }
        : { vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }),
    });
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason: 'NLB access logs cover TLS listeners only; this TCP listener has none. The service logs every session and transfer as JSON instead.',
    });

    // Task: the repository's Dockerfile, run as its non-root user.
    const arm = config.architecture === 'arm64';
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: config.tasks.cpu,
      memoryLimitMiB: config.tasks.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: arm ? ecs.CpuArchitecture.ARM64 : ecs.CpuArchitecture.X86_64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    this.taskRole = taskDefinition.taskRole as iam.Role;
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: config.logRetentionDays, removalPolicy });

    this.publicHost = config.customDomain?.name ?? this.loadBalancer.loadBalancerDnsName;
    const container = taskDefinition.addContainer('sftp', {
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, {
        file: 'Dockerfile',
        platform: arm ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64,
      }),
      essential: true,
      portMappings: [{ containerPort: CONTAINER_SFTP_PORT, protocol: ecs.Protocol.TCP }],
      environment: {
        AWS_REGION: Stack.of(this).region,
        THRU_SFTP_PORT: String(CONTAINER_SFTP_PORT),
        THRU_BIND: '0.0.0.0',
        THRU_LOG_LEVEL: 'info',
        THRU_BUCKET: props.storage.bucket.bucketName,
        THRU_TABLE: props.directory.table.tableName,
        THRU_IDENTITY_FUNCTION: props.identityFunction.functionArn,
        THRU_HOST_KEY_SECRET: props.hostKeySecret.secretArn,
        THRU_PUBLIC_HOST: this.publicHost,
        THRU_PUBLIC_PORT: String(PUBLIC_SFTP_PORT),
      },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'sftp', logGroup: this.logGroup, mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
      healthCheck: {
        command: CONTAINER_HEALTHCHECK,
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      // tini as PID 1: signals reach node, zombies are reaped.
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      stopTimeout: STOP_TIMEOUT,
    });
    Validations.of(taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecr:GetAuthorizationToken, which pulling the image needs, supports no resource-level permissions.',
    });
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment holds only names and ARNs; the host key is read from Secrets Manager at start.',
    });

    // What the server may do: objects in the bucket, invoke the identity function,
    // read its host key, read the directory and write its bans and login failure
    // scores (the brute-force defence). Nothing else.
    this.taskRole.addManagedPolicy(props.storage.objectAccessPolicy);
    props.directory.grantRead(this.taskRole);
    props.directory.grantLoginDefenceWrites(this.taskRole);
    this.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.identityFunction.functionArn] }),
    );
    this.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [props.hostKeySecret.secretArn] }),
    );

    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc,
      enableFargateCapacityProviders: config.fargateSpot,
      containerInsightsV2: config.containerInsights ? ecs.ContainerInsights.ENABLED : ecs.ContainerInsights.DISABLED,
    });
    if (!config.containerInsights) {
      Validations.of(cluster).acknowledge({
        id: 'AwsSolutions-ECS4',
        reason: 'Container Insights is off by default to keep the idle cost low (containerInsights: true turns it on); alarms use free ECS/NLB metrics.',
      });
    }

    const taskSecurityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc,
      description: 'thru-sftp tasks: SFTP from the NLB only; HTTPS out to AWS APIs',
      allowAllOutbound: false,
    });
    taskSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs (S3, DynamoDB, Lambda, Secrets Manager, ECR, CloudWatch Logs)');
    taskSecurityGroup.connections.allowFrom(lbSecurityGroup, ec2.Port.tcp(CONTAINER_SFTP_PORT), 'SFTP and health checks from the NLB');

    this.service = new ecs.FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: config.tasks.min,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(60),
      // Public subnets without NAT: a public IPv4 address reaches AWS APIs; the security group keeps the internet out.
      assignPublicIp: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroups: [taskSecurityGroup],
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      ...(config.fargateSpot && { capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }),
    });

    const listener = this.loadBalancer.addListener('Sftp', { port: PUBLIC_SFTP_PORT, protocol: elbv2.Protocol.TCP });
    this.targetGroup = listener.addTargets('Tasks', {
      port: CONTAINER_SFTP_PORT,
      protocol: elbv2.Protocol.TCP,
      targets: [this.service.loadBalancerTarget({ containerName: container.containerName, containerPort: CONTAINER_SFTP_PORT })],
      // The server sees partners' addresses: per-user allowed CIDRs and logs depend on it.
      preserveClientIp: true,
      deregistrationDelay: Duration.seconds(config.drainSeconds),
      healthCheck: {
        protocol: elbv2.Protocol.TCP,
        interval: Duration.seconds(10),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 2,
      },
    });

    // When the delay is over, connections still open are closed rather than left hanging.
    this.targetGroup.setAttribute('deregistration_delay.connection_termination.enabled', 'true');

    this.addAutoscaling(config);

    if (config.customDomain) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: config.customDomain.hostedZoneId,
        zoneName: config.customDomain.zoneName,
      });
      new route53.ARecord(this, 'HostName', {
        zone,
        recordName: config.customDomain.name,
        target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(this.loadBalancer)),
      });
    }
  }

  /** Open SFTP connections per healthy task, from free NLB metrics. */
  connectionsPerTaskMetric(): cloudwatch.IMetric {
    return new cloudwatch.MathExpression({
      label: 'SFTP connections per task',
      expression: 'IF(tasks > 0, flows / tasks, flows)',
      usingMetrics: {
        flows: this.loadBalancer.metrics.activeFlowCount({ statistic: 'Average' }),
        tasks: this.targetGroup.metrics.healthyHostCount({ statistic: 'Minimum' }),
      },
      period: Duration.minutes(1),
    });
  }

  private addAutoscaling(config: StageConfig): void {
    const scaling = this.service.autoScaleTaskCount({ minCapacity: config.tasks.min, maxCapacity: config.tasks.max });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: config.scaling.cpuTargetPercent,
      scaleOutCooldown: Duration.minutes(2),
      scaleInCooldown: Duration.minutes(10),
    });
    const perTask = config.scaling.connectionsPerTask;
    scaling.scaleOnMetric('Connections', {
      metric: this.connectionsPerTaskMetric(),
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: Math.floor(perTask / 3), change: -1 },
        { lower: perTask, change: +1 },
        { lower: perTask * 2, change: +2 },
      ],
      evaluationPeriods: 3,
      cooldown: Duration.minutes(5),
    });
  }
}
