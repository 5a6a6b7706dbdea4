// The deliverer contract against an `s3` target (AWS runtime), on s3rver.
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { S3Deliverer } from '../../src/adapters/aws/s3-deliverer.js';
import type { Endpoint } from '../../src/core/model.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { delivererContract } from './delivery.js';

const at = '2026-11-26T00:00:00.000Z';
const DELIVERED = /(^|\/)(a|empty)\.csv$/;
let s3: S3rverHandle;
let prefixes = 0;

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
});

delivererContract('s3 (s3rver)', async () => {
  const prefix = `deliveries-${prefixes++}`;
  const endpoint = (bucket: string): Endpoint => ({ id: 'ep-s3', orgId: 'org-1', name: 's3', type: 's3', description: '', config: { bucket, prefix }, createdAt: at, updatedAt: at });
  const keys = async () => ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/` }))).Contents ?? []).map((o) => o.Key!);
  return {
    deliverer: new S3Deliverer(s3.client),
    target: endpoint(s3.bucket),
    brokenTarget: endpoint('no-such-bucket'),
    async arrived(folder, rel) {
      const key = `${prefix}${folder === '/' ? '' : folder}${rel}`;
      if (!(await keys()).includes(key)) return undefined;
      const data = Buffer.from(await (await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }))).Body!.transformToByteArray());
      return { size: data.length, sha256: createHash('sha256').update(data).digest('hex'), copies: 1 };
    },
    // Folder markers ("a/b/") are how the S3 adapter keeps folders, not leftovers.
    leftovers: async () => (await keys()).filter((k) => !DELIVERED.test(k) && !k.endsWith('/')),
    readsContent: true,
    cleanup: async () => {},
  };
});
