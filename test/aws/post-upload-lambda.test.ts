// The post-upload Lambda handler as composed for AWS, fed the SQS messages AWS sends:
// S3 event notifications in the real format (URL-encoded keys, ObjectCreated:Copy and
// CompleteMultipartUpload) and the pipeline's own jobs, against s3rver and dynalite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createLogger } from '../../src/log.js';
import type { Job, JobQueue } from '../../src/core/ports/queue.js';
import { systemClock } from '../../src/core/ports/clock.js';
import { createTenancy } from '../../src/core/tenancy/index.js';
import { createPostUploadBatchHandler } from '../../src/aws/post-upload-batch.js';
import { directoryOf, postUploadFunction, storageOf, type PipelineParts } from '../../src/runtime/aws.js';
import type { AwsConfig } from '../../src/runtime/aws-config.js';
import { startS3rver, type S3rverHandle } from '../support/s3rver.js';
import { startDynalite, type Dynalite } from '../support/dynalite.js';

let s3: S3rverHandle;
let db: Dynalite;
let parts: PipelineParts;
let handler: (e: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;
const jobs: Job[] = [];
const queue: JobQueue = { enqueue: async (job) => void jobs.push(job) };
let orgId: string;
let sourceEndpoint: string;
let targetEndpoint: string;
let flowId: string;

const message = (body: unknown) => ({ messageId: randomUUID(), body: typeof body === 'string' ? body : JSON.stringify(body) });
const sqs = (...messages: { messageId: string; body: string }[]) => ({ Records: messages }) as unknown as SQSEvent;

/** An S3 record exactly as S3 sends it: keys URL-encoded ("+" for a space). */
function s3Record(eventName: string, key: string, size: number, eTag: string) {
  return {
    eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: new Date().toISOString(), eventName,
    userIdentity: { principalId: 'AWS:AROAEXAMPLE:thru-sftp' }, requestParameters: { sourceIPAddress: '10.0.1.23' },
    responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
    s3: {
      s3SchemaVersion: '1.0', configurationId: 'thru-uploads',
      bucket: { name: s3.bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${s3.bucket}` },
      object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'), size, eTag, sequencer: `0A1B2C3D4E5F${Date.now().toString(16)}` },
    },
  };
}

beforeAll(async () => {
  s3 = await startS3rver();
  db = await startDynalite();
  const config = { THRU_BUCKET: s3.bucket, THRU_TABLE: db.tableName, THRU_PUBLIC_PORT: 22, THRU_SSE: 'AES256', THRU_IDENTITY_TIMEOUT_MS: 1000, THRU_LOG_LEVEL: 'silent' } as AwsConfig;
  const fake = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  parts = {
    config, queue, logger: createLogger('silent'),
    clients: { s3: s3.client, dynamo: db.client, lambda: new LambdaClient(fake), sqs: new SQSClient(fake), secrets: new SecretsManagerClient(fake) },
  };
  handler = postUploadFunction(parts);
  const tenancy = createTenancy({ directory: directoryOf(parts), clock: systemClock, sftp: { publicUrl: 'sftp://x:22', hostKeyFingerprints: [] }, retryTransfer: () => Promise.reject(new Error('unused')) });
  orgId = (await tenancy.organizations.create({ name: 'lambda' })).id;
  sourceEndpoint = (await tenancy.endpoints.create(orgId, { name: 'src', type: 'thru-sftp-server' })).id;
  targetEndpoint = (await tenancy.endpoints.create(orgId, { name: 'dst', type: 'thru-sftp-server' })).id;
  const flow = await tenancy.flows.create(orgId, {
    name: 'f', sources: [{ endpointId: sourceEndpoint, path: '/', triggers: { tempFilePatterns: ['*.filepart'], triggerFile: { mode: 'per-file', suffix: '.trg' } } }],
    targets: [{ endpointId: targetEndpoint, path: '/' }],
  });
  flowId = flow.id;
});
afterAll(async () => {
  await s3?.stop();
  await db?.stop();
});

/** Write a file through the storage adapter (so its metadata is what our front end writes). */
async function upload(path: string, body: string, renameFrom?: string) {
  const storage = storageOf(parts);
  const key = `${orgId}/${sourceEndpoint}${path}`;
  // The folders a partner's session would have: its home, then what it made.
  const segments = key.split('/').slice(0, -1);
  for (let i = 1; i <= segments.length; i++) await storage.mkdir(segments.slice(0, i).join('/')).catch(() => undefined);
  const w = await storage.openWrite(renameFrom ? `${orgId}/${sourceEndpoint}${renameFrom}` : key, { truncate: true, mode: 'atomic', meta: { user: 'partner-a', sourceIp: '198.51.100.7' } });
  await w.write(0, Buffer.from(body));
  await w.commit();
  if (renameFrom) await storage.rename(`${orgId}/${sourceEndpoint}${renameFrom}`, key, { overwrite: true, meta: { user: 'partner-a', sourceIp: '198.51.100.7' } });
  return key;
}

const transfers = async () => (await directoryOf(parts).transfers.listByFlow(flowId, { limit: 50 })).items;

/** Run every job the pipeline queued, as SQS would deliver them. */
async function drain() {
  while (jobs.length > 0) {
    const batch = jobs.splice(0).map((j) => message(j));
    expect((await handler(sqs(...batch))).batchItemFailures).toEqual([]);
  }
}

describe('S3 event notifications', () => {
  it('ObjectCreated:Copy of a renamed temp file, with a URL-encoded key, completes and delivers it once', async () => {
    const key = await upload('/reports/été 2026+final.csv', 'quarterly', '/reports/été 2026+final.csv.filepart');
    const notification = { Records: [s3Record('ObjectCreated:Copy', key, 9, '"abc123"')] };
    expect((await handler(sqs(message(notification))))).toEqual({ batchItemFailures: [] });
    await drain();
    // The same notification again (SQS delivers at least once): nothing new.
    expect((await handler(sqs(message(notification))))).toEqual({ batchItemFailures: [] });
    await drain();
    const done = (await transfers()).filter((t) => t.path === '/reports/été 2026+final.csv');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ state: 'active', size: 9, user: 'partner-a', sourceIp: '198.51.100.7', signal: 'temp-rename' });
    expect(done[0]!.deliveries).toEqual([expect.objectContaining({ status: 'completed', attempts: 1 })]);
    const delivered = await storageOf(parts).stat(`${orgId}/${targetEndpoint}/reports/été 2026+final.csv`);
    expect(delivered.size).toBe(9);
  });

  it('ObjectCreated:CompleteMultipartUpload of a plain name awaits a trigger; the per-file trigger completes it', async () => {
    const key = await upload('/big.csv', 'big data');
    await handler(sqs(message({ Records: [s3Record('ObjectCreated:CompleteMultipartUpload', key, 8, '"d41d8cd98f00b204e9800998ecf8427e-2"')] })));
    expect((await transfers()).find((t) => t.path === '/big.csv')).toMatchObject({ state: 'awaiting-trigger' });
    const trg = await upload('/big.csv.trg', '');
    await handler(sqs(message({ Records: [s3Record('ObjectCreated:Put', trg, 0, '"d41d8cd98f00b204e9800998ecf8427e"')] })));
    await drain();
    const t = (await transfers()).find((x) => x.path === '/big.csv' && x.state === 'active');
    expect(t?.deliveries[0]?.status).toBe('completed');
    await expect(storageOf(parts).stat(trg)).rejects.toThrow();
  });

  it("ignores S3's test event and other buckets; drops malformed messages without failing the batch", async () => {
    const other = s3Record('ObjectCreated:Put', 'x/y/z.csv', 1, '"e"');
    other.s3.bucket.name = 'someone-elses-bucket';
    const res = await handler(sqs(message({ Event: 's3:TestEvent', Bucket: s3.bucket }), message({ Records: [other] }), message('not json'), message({ kind: 'nope' })));
    expect(res.batchItemFailures).toEqual([]);
  });
});

describe('partial batch failures', () => {
  it('reports only the message that failed', async () => {
    let calls = 0;
    const batch = createPostUploadBatchHandler({
      translate: async () => undefined,
      // A directory outage on one message: a fault dynalite cannot produce on demand.
      handle: async () => {
        if (calls++ === 1) throw new Error('throttled');
      },
      log: { info: () => {}, warn: () => {}, error: () => {} },
    });
    const ok1 = message({ kind: 'deliver', transferId: 'tr-1', deliveryId: 'dl-1' });
    const bad = message({ kind: 'deliver', transferId: 'tr-2', deliveryId: 'dl-2' });
    const ok2 = message({ kind: 'deliver', transferId: 'tr-3', deliveryId: 'dl-3' });
    expect(await batch(sqs(ok1, bad, ok2))).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
  });
});
