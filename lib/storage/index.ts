// File storage: the bucket partners' files live in, its access-log bucket, and the
// queue its ObjectCreated events go to (with a dead-letter queue) for the
// post-upload Lambda. Queue and bucket live together because the bucket's
// notification configuration must reference the queue in the same stack.
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Object actions the SFTP front end and the post-upload Lambda need (multipart included). */
const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];
const BUCKET_ACTIONS = ['s3:ListBucket', 's3:ListBucketMultipartUploads'];

/** How often a post-upload message is received before it goes to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

export interface StorageProps {
  versioning: boolean;
  abortIncompleteUploadsAfterDays: number;
  logRetentionDays: number;
  /** The post-upload Lambda's timeout: the queue's visibility timeout is six times it (AWS's advice for SQS event sources). */
  processingTimeout: Duration;
}

export class Storage extends Construct {
  readonly bucket: s3.Bucket;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /**
   * Object reads and writes (multipart included) anywhere in the bucket, and listing:
   * what the SFTP tasks and the post-upload Lambda need. A managed policy in this
   * stack, so the stateless roles attach it and its one wildcard is acknowledged here.
   */
  readonly objectAccessPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Server access logging only delivers to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(props.logRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket = new s3.Bucket(this, 'Files', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: props.versioning,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'files/',
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(props.abortIncompleteUploadsAfterDays) },
        ...(props.versioning ? [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(30) }] : []),
      ],
      // Partners' files are never deleted by an infrastructure change, in any stage.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.deadLetterQueue = new sqs.Queue(this, 'PostUploadDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    this.queue = new sqs.Queue(this, 'PostUpload', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.processingTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SqsDestination(this.queue));
    acknowledgeNotificationsHandler(Stack.of(this));

    this.objectAccessPolicy = new iam.ManagedPolicy(this, 'ObjectAccess', {
      description: 'thru-sftp: objects in the files bucket (SFTP tasks, post-upload Lambda)',
      statements: [
        new iam.PolicyStatement({ actions: BUCKET_ACTIONS, resources: [this.bucket.bucketArn] }),
        new iam.PolicyStatement({ actions: OBJECT_ACTIONS, resources: [this.bucket.arnForObjects('*')] }),
      ],
    });
    Validations.of(this.objectAccessPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
      reason: 'Partners read and write any key under their home folders and flows deliver anywhere in the bucket: keys are only known at run time.',
    });
  }
}

/** The CDK-owned Lambda that applies bucket notification settings (one per stack). */
function acknowledgeNotificationsHandler(stack: Stack): void {
  const handler = stack.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
  if (!handler) return;
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'aws-cdk-lib creates this function and its role to apply the bucket notification configuration.',
  });
}
