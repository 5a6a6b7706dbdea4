// What must outlive any redeploy: partners' files (and the queue of their upload
// events), the directory table, the host key partners pinned, and the Elastic IPs
// partners allow-listed. The stateless stack only references these.
import { CfnOutput, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config.js';
import { DirectoryTable } from '../directory-table/index.js';
import { HostKey } from '../host-key/index.js';
import { AZ_COUNT } from '../network/index.js';
import { POST_UPLOAD_TIMEOUT } from '../post-upload-function/index.js';
import { Storage } from '../storage/index.js';

export interface StatefulStackProps extends StackProps {
  config: StageConfig;
}

export class StatefulStack extends Stack {
  readonly storage: Storage;
  readonly directory: DirectoryTable;
  readonly hostKey: HostKey;
  readonly elasticIpAllocationIds?: string[];

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.storage = new Storage(this, 'Storage', {
      versioning: config.bucketVersioning,
      abortIncompleteUploadsAfterDays: config.abortIncompleteUploadsAfterDays,
      logRetentionDays: config.logRetentionDays,
      processingTimeout: POST_UPLOAD_TIMEOUT,
    });
    this.directory = new DirectoryTable(this, 'Directory', { retain: config.retainData });
    this.hostKey = new HostKey(this, 'HostKey', { retain: config.retainData, logRetentionDays: config.logRetentionDays });

    if (config.elasticIps) {
      const eips = Array.from({ length: AZ_COUNT }, (_, i) => {
        const eip = new ec2.CfnEIP(this, `SftpAddress${i + 1}`, { domain: 'vpc', tags: [{ key: 'Name', value: `thru-sftp-${config.stage}-${i + 1}` }] });
        // Partners allow-list these: never release them by accident.
        eip.applyRemovalPolicy(RemovalPolicy.RETAIN);
        return eip;
      });
      this.elasticIpAllocationIds = eips.map((e) => e.attrAllocationId);
      new CfnOutput(this, 'SftpAddresses', {
        description: 'Fixed public IPv4 addresses of the SFTP service (for partners\' firewalls)',
        value: Fn.join(', ', eips.map((e) => e.attrPublicIp)),
      });
    }

    new CfnOutput(this, 'HostKeyFingerprint', { description: 'SFTP host key fingerprint partners verify on first connection', value: this.hostKey.fingerprint });
    new CfnOutput(this, 'HostKeyPublicKey', { description: 'SFTP host public key, for known_hosts', value: this.hostKey.publicKey });
    new CfnOutput(this, 'HostKeySecretArn', { value: this.hostKey.secret.secretArn });
    new CfnOutput(this, 'BucketName', { value: this.storage.bucket.bucketName });
    new CfnOutput(this, 'TableName', { value: this.directory.table.tableName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.storage.deadLetterQueue.queueUrl });
  }
}
