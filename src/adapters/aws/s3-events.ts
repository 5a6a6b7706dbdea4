// S3 event notification records to the core's StorageEvent, for the post-upload pipeline
// (the S3-event Lambda on AWS, s3rver's 'event' emitter in `npm run sim`). A record says
// what happened to which key; who wrote the object and, for a rename, which key it was
// renamed from live in the object's metadata (s3-meta.ts), read here with a HeadObject.
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StorageEvent, StorageEventName } from '../../core/ports/storage.js';
import { fromS3Error, isNotFound } from './s3-errors.js';
import { S3Keys } from './s3-keys.js';
import { fromMetadata } from './s3-meta.js';

/** The fields of an S3 event record this reads. */
export interface S3EventRecord {
  eventName: string;
  eventTime?: string;
  s3: {
    bucket: { name: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer?: string };
  };
}

export interface S3EventTranslatorOptions {
  client: S3Client;
  bucket: string;
  prefix?: string;
  /**
   * Real S3 URL-encodes keys in records ("+" for a space); s3rver does not. Decoding an
   * unencoded key would turn "a+b.csv" into "a b.csv": say false for s3rver.
   */
  urlEncodedKeys?: boolean;
}

const NAMES: Record<string, StorageEventName> = {
  'ObjectCreated:Put': 'ObjectCreated:Put',
  'ObjectCreated:Copy': 'ObjectCreated:Copy',
  'ObjectCreated:CompleteMultipartUpload': 'ObjectCreated:CompleteMultipartUpload',
  // s3rver names a completed multipart upload so; real S3 uses it for browser form
  // uploads, which this service never makes. Either way: a fresh write.
  'ObjectCreated:Post': 'ObjectCreated:CompleteMultipartUpload',
  'ObjectRemoved:Delete': 'ObjectRemoved:Delete',
  'ObjectRemoved:DeleteMarkerCreated': 'ObjectRemoved:Delete',
};

export class S3EventTranslator {
  private readonly keys: S3Keys;

  constructor(private readonly options: S3EventTranslatorOptions) {
    this.keys = new S3Keys(options.bucket, options.prefix);
  }

  /** The event for one record; undefined for other buckets, folders, keys outside the prefix and other kinds of events. */
  async translate(record: S3EventRecord): Promise<StorageEvent | undefined> {
    const name = NAMES[record.eventName];
    if (!name || record.s3.bucket.name !== this.keys.bucket) return undefined;
    const raw = record.s3.object.key;
    const objectKey = this.options.urlEncodedKeys === false ? raw : decodeURIComponent(raw.replace(/\+/g, ' '));
    const key = this.keys.storageKey(objectKey);
    if (key === undefined) return undefined;
    const { eTag, versionId, sequencer, size } = record.s3.object;
    const event: StorageEvent = {
      name,
      key,
      size: size ?? 0,
      // Duplicates of one event share these; two writes of the same bytes do not (sequencer).
      version: versionId ?? ([eTag, sequencer].filter(Boolean).join(':') || (record.eventTime ?? '')),
      at: record.eventTime ?? new Date().toISOString(),
    };
    if (name === 'ObjectRemoved:Delete') return event;
    try {
      const head = await this.options.client.send(
        new HeadObjectCommand({ Bucket: this.keys.bucket, Key: objectKey, VersionId: versionId, IfMatch: versionId ? undefined : eTag }),
      );
      Object.assign(event, fromMetadata(head.Metadata));
      if (record.s3.object.size === undefined && head.ContentLength !== undefined) event.size = head.ContentLength;
    } catch (err) {
      // Gone or replaced since (a temp name renamed at once): the event stands without
      // its metadata, and the pipeline finds out when it reads the object.
      if (!isNotFound(err) && (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 412) throw fromS3Error(err);
    }
    return event;
  }

  /** Every record of a notification (an S3 event, or the body of one SQS message). */
  async translateAll(notification: { Records?: S3EventRecord[] }): Promise<StorageEvent[]> {
    const events = await Promise.all((notification.Records ?? []).map((r) => this.translate(r)));
    return events.filter((e): e is StorageEvent => e !== undefined);
  }
}
