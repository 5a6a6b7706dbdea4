// Server-side copies: a rename's CopyObject (a multipart copy above the 5 GiB CopyObject
// limit), and appending an existing object to an upload when a resumed or edited file
// starts from its current content. UploadPartCopy is used where the store implements it;
// where it does not (s3rver answers 501), the bytes are streamed through instead.
import { CopyObjectCommand, GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { isNotImplemented } from './s3-errors.js';
import type { S3Keys } from './s3-keys.js';
import { MIN_PART_SIZE, MultipartUpload, type ObjectTarget, type PartTuning } from './s3-multipart.js';

export interface SourceObject {
  objectKey: string;
  size: number;
  etag?: string;
}

/** CopyObject copies up to 5 GiB in one request. */
export const MAX_COPY_OBJECT_SIZE = 5 * 1024 * 1024 * 1024;

export class S3Copier {
  /** Whether the store implements UploadPartCopy, learned from its first answer. */
  private partCopy: boolean | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly keys: S3Keys,
    private readonly tuning: PartTuning,
    private readonly maxCopyObjectSize: number,
    private readonly warn: (message: string, err: unknown) => void,
  ) {}

  /** Append a whole object to an upload: server-side where the store can, else streamed. */
  async append(upload: MultipartUpload, source: SourceObject): Promise<void> {
    if (source.size === 0) return;
    if (source.size >= MIN_PART_SIZE && this.partCopy !== false && upload.pendingBytes === 0) {
      try {
        await upload.appendCopy(this.keys.copySource(source.objectKey), source.etag, source.size);
        this.partCopy = true;
        return;
      } catch (err) {
        if (!isNotImplemented(err)) throw err;
        this.partCopy = false;
        this.warn('the storage does not implement UploadPartCopy; copies stream through this server', err);
      }
    }
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.keys.bucket, Key: source.objectKey, IfMatch: source.etag }));
    for await (const chunk of r.Body as Readable) await upload.append(chunk as Buffer);
  }

  /** Copy an object to `target` (its key, new metadata, encryption). */
  async copy(source: SourceObject, target: ObjectTarget): Promise<void> {
    if (source.size <= this.maxCopyObjectSize) {
      await this.client.send(
        new CopyObjectCommand({ ...target, CopySource: this.keys.copySource(source.objectKey), CopySourceIfMatch: source.etag, MetadataDirective: 'REPLACE' }),
      );
      return;
    }
    const upload = new MultipartUpload(this.client, target, this.tuning, this.warn);
    try {
      await this.append(upload, source);
      await upload.complete();
    } catch (err) {
      await upload.abort();
      throw err;
    }
  }
}
