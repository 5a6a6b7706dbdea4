// The storage contract against the S3 adapter, on s3rver. Each test gets its own key
// prefix in one bucket; its storage events are s3rver's records, translated as the
// post-upload pipeline will translate them.
import { afterAll, beforeAll } from 'vitest';
import type { S3rverEvent } from 's3rver';
import { S3EventTranslator, type S3EventRecord } from '../../src/adapters/aws/s3-events.js';
import { S3Storage } from '../../src/adapters/aws/s3-storage.js';
import type { StorageEvent } from '../../src/core/ports/storage.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { describeStorageContract } from './storage.js';

const MiB = 1024 * 1024;
let s3: S3rverHandle;
let prefixes = 0;

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
});

describeStorageContract(
  's3 (s3rver)',
  async () => {
    const prefix = `contract-${prefixes++}`;
    const events: StorageEvent[] = [];
    const translator = new S3EventTranslator({ client: s3.client, bucket: s3.bucket, prefix, urlEncodedKeys: false });
    // One record at a time, so events keep s3rver's order.
    let queue = Promise.resolve();
    const onEvent = (notification: S3rverEvent) => {
      queue = queue.then(async () => {
        // s3rver's records are S3-shaped, keys not URL-encoded.
        events.push(...(await translator.translateAll(notification as unknown as { Records: S3EventRecord[] })));
      });
    };
    s3.server.on('event', onEvent);
    // 5 MiB parts (S3's minimum): the contract's large files take three.
    const storage = new S3Storage({ client: s3.client, bucket: s3.bucket, prefix, parts: { minPartSize: 5 * MiB } });
    return {
      storage,
      events,
      async cleanup() {
        s3.server.off('event', onEvent);
        await queue;
      },
    };
  },
  { largeSize: 12 * MiB },
);
