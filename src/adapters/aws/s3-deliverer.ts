// Delivery to an `s3` endpoint: the file is written into the endpoint's bucket under its
// prefix, streamed through the same S3 adapter the service uses for its own files
// (multipart, SSE, nothing visible before it is complete).
import type { S3Client } from '@aws-sdk/client-s3';
import { CoreError } from '../../core/errors.js';
import type { Deliverer, DeliveryRequest, DeliveryResult } from '../../core/ports/delivery.js';
import { S3Storage, type S3StorageOptions } from './s3-storage.js';

export class S3Deliverer implements Deliverer {
  constructor(
    private readonly client: S3Client,
    private readonly options: Pick<S3StorageOptions, 'serverSideEncryption' | 'sseKmsKeyId' | 'logger'> = {},
  ) {}

  async deliver(r: DeliveryRequest): Promise<DeliveryResult> {
    if (r.target.type !== 's3') throw new CoreError('invalid_argument', 'not an s3 endpoint');
    const { bucket, prefix } = r.target.config;
    const storage = new S3Storage({ client: this.client, bucket, prefix: prefix || undefined, ...this.options });
    const folder = r.targetFlowEndpoint.path === '/' ? '' : r.targetFlowEndpoint.path;
    const key = `${folder}${r.relativePath}`.slice(1);
    await storage.writeStream(key, await r.open(), { meta: { user: r.transfer.user }, signal: r.signal });
    const p = prefix ? `${prefix.replace(/\/+$/, '')}/` : '';
    return { location: `s3://${bucket}/${p}${key}` };
  }
}
