// The post-upload Lambda: ObjectCreated events arrive through the SQS queue; it
// decides which uploads are complete, delivers them to their targets and records
// transfers. It reports failed records individually (partial batch responses) and
// may re-queue a record with a delay for a retry with backoff.
import { Aws, Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { DirectoryTable } from '../directory-table/index.js';
import { ThruFunction } from '../function/index.js';
import type { Storage } from '../storage/index.js';

/** Long enough to hash and copy a multi-GiB file; the queue's visibility timeout follows it. */
export const POST_UPLOAD_TIMEOUT = Duration.minutes(10);

export interface PostUploadFunctionProps {
  storage: Storage;
  directory: DirectoryTable;
  environment: Record<string, string>;
  /** Buckets of `s3` delivery endpoints it may write to. */
  deliveryBuckets: string[];
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
}

export class PostUploadFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly handler: ThruFunction;

  constructor(scope: Construct, id: string, props: PostUploadFunctionProps) {
    super(scope, id);
    const { storage } = props;
    this.handler = new ThruFunction(this, 'Handler', {
      entry: 'lambdas/post-upload.ts',
      description: 'thru-sftp: runs post-upload operations for completed uploads',
      environment: { ...props.environment, THRU_QUEUE_URL: storage.queue.queueUrl },
      // Network throughput to S3 grows with memory too.
      memorySize: 1024,
      timeout: POST_UPLOAD_TIMEOUT,
      logRetentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.fn = this.handler.fn;
    const role = this.handler.role;

    this.fn.addEventSource(new SqsEventSource(storage.queue, { batchSize: 10, reportBatchItemFailures: true }));
    // Retries with backoff: the record is sent again with DelaySeconds.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [storage.queue.queueArn] }));
    role.addManagedPolicy(storage.objectAccessPolicy);
    props.directory.grantReadWrite(role);

    for (const bucket of props.deliveryBuckets) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [`arn:${Aws.PARTITION}:s3:::${bucket}/*`],
        }),
      );
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/*]`,
        reason: `Delivery to the configured bucket ${bucket}: object keys come from flows at run time.`,
      });
    }
  }
}
