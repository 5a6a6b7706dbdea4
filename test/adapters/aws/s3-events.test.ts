// S3 event records as real S3 sends them (URL-encoded keys, CompleteMultipartUpload,
// versions, other buckets) into the core's storage events, reading the object metadata
// that the S3 adapter wrote, from s3rver.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3EventTranslator, type S3EventRecord } from '../../../src/adapters/aws/s3-events.js';
import { S3Storage } from '../../../src/adapters/aws/s3-storage.js';
import { startS3rver, type S3rverHandle } from '../../support/s3rver.js';

let s3: S3rverHandle;
let storage: S3Storage;
let translator: S3EventTranslator;
const PREFIX = 'tenant-a';

beforeAll(async () => {
  s3 = await startS3rver();
  storage = new S3Storage({ client: s3.client, bucket: s3.bucket, prefix: PREFIX });
  translator = new S3EventTranslator({ client: s3.client, bucket: s3.bucket, prefix: PREFIX });
  await storage.mkdir('org');
});
afterAll(async () => {
  await s3?.stop();
});

/** A record shaped as S3 sends it: the key URL-encoded, spaces as "+". */
function record(eventName: string, objectKey: string, extra: Partial<S3EventRecord['s3']['object']> = {}, bucket = s3.bucket): S3EventRecord {
  const key = encodeURIComponent(objectKey).replace(/%20/g, '+').replace(/%2F/g, '/');
  return {
    eventName,
    eventTime: '2025-06-01T12:00:00.000Z',
    s3: { bucket: { name: bucket }, object: { key, size: 3, sequencer: '0065A1B2C3D4E5F600', ...extra } },
  };
}

describe('S3 event records to storage events', () => {
  it('decodes URL-encoded keys, strips the prefix and reads who wrote the object', async () => {
    const w = await storage.openWrite('org/a b+c é.csv', { truncate: true, mode: 'atomic', meta: { user: 'bob', sourceIp: '2001:db8::7' } });
    await w.write(0, Buffer.from('abc'));
    await w.commit();
    const event = await translator.translate(record('ObjectCreated:Put', `${PREFIX}/org/a b+c é.csv`, { eTag: 'e1' }));
    expect(event).toEqual({
      name: 'ObjectCreated:Put', key: 'org/a b+c é.csv', size: 3, version: 'e1:0065A1B2C3D4E5F600', at: '2025-06-01T12:00:00.000Z',
      meta: { user: 'bob', sourceIp: '2001:db8::7' },
    });
  });

  it('tells a rename (a copy naming its source) from a fresh write', async () => {
    const w = await storage.openWrite('org/r.csv.filepart', { truncate: true, mode: 'resumable', meta: { user: 'bob' } });
    await w.write(0, Buffer.from('abc'));
    await w.commit();
    await storage.rename('org/r.csv.filepart', 'org/r.csv', { overwrite: false, meta: { user: 'bob', sourceIp: '192.0.2.1' } });
    const event = await translator.translate(record('ObjectCreated:Copy', `${PREFIX}/org/r.csv`));
    expect(event).toMatchObject({ name: 'ObjectCreated:Copy', key: 'org/r.csv', renamedFrom: 'org/r.csv.filepart', meta: { user: 'bob', sourceIp: '192.0.2.1' } });
  });

  it('keeps multipart completions and deletions, with the version of the record', async () => {
    const w = await storage.openWrite('org/big', { truncate: true, mode: 'atomic', meta: { user: 'carol' } });
    await w.write(0, randomBytes(9 * 1024 * 1024));
    await w.commit();
    expect(await translator.translate(record('ObjectCreated:CompleteMultipartUpload', `${PREFIX}/org/big`, { size: 9 * 1024 * 1024, versionId: 'v42' }))).toMatchObject({
      name: 'ObjectCreated:CompleteMultipartUpload', size: 9 * 1024 * 1024, version: 'v42', meta: { user: 'carol' },
    });
    expect(await translator.translate(record('ObjectRemoved:Delete', `${PREFIX}/org/gone`, { size: undefined }))).toEqual({
      name: 'ObjectRemoved:Delete', key: 'org/gone', size: 0, version: '0065A1B2C3D4E5F600', at: '2025-06-01T12:00:00.000Z',
    });
  });

  it('reports an object already gone without its metadata', async () => {
    expect(await translator.translate(record('ObjectCreated:Put', `${PREFIX}/org/renamed-meanwhile.filepart`, { eTag: 'x' }))).toMatchObject({
      name: 'ObjectCreated:Put', key: 'org/renamed-meanwhile.filepart', size: 3,
    });
  });

  it('ignores folder markers, keys outside the prefix, other buckets and other event kinds', async () => {
    expect(await translator.translate(record('ObjectCreated:Put', `${PREFIX}/org/folder/`))).toBeUndefined();
    expect(await translator.translate(record('ObjectCreated:Put', 'tenant-b/org/x'))).toBeUndefined();
    expect(await translator.translate(record('ObjectCreated:Put', `${PREFIX}/org/x`, {}, 'another-bucket'))).toBeUndefined();
    expect(await translator.translate(record('ObjectRestore:Completed', `${PREFIX}/org/x`))).toBeUndefined();
  });

  it('reads s3rver\'s records, whose keys are not encoded, when told so', async () => {
    const raw = new S3EventTranslator({ client: s3.client, bucket: s3.bucket, prefix: PREFIX, urlEncodedKeys: false });
    const r = record('ObjectCreated:Post', `${PREFIX}/org/100%+1.csv`);
    r.s3.object.key = `${PREFIX}/org/100%+1.csv`;
    expect(await raw.translate(r)).toMatchObject({ name: 'ObjectCreated:CompleteMultipartUpload', key: 'org/100%+1.csv' });
  });

  it('translates every record of a notification', async () => {
    const events = await translator.translateAll({
      Records: [record('ObjectRemoved:Delete', `${PREFIX}/org/one`), record('ObjectCreated:Put', `${PREFIX}/org/dir/`), record('ObjectRemoved:Delete', `${PREFIX}/org/two`)],
    });
    expect(events.map((e) => e.key)).toEqual(['org/one', 'org/two']);
  });
});
