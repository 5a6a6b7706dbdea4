// S3 failing mid-transfer (the "Bad input"): throttling, errors inside a 200,
// timeouts, resets and expired credentials, injected by a proxy in front of s3rver.
// Retried where the SDK can safely retry (every part is a buffer it can send again);
// otherwise a CoreError the SFTP layer answers as FAILURE, the multipart upload aborted,
// and nothing at the final key.
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { S3Storage } from '../../../src/adapters/aws/s3-storage.js';
import { isCoreError, type CoreErrorCode } from '../../../src/core/errors.js';
import type { Storage } from '../../../src/core/ports/storage.js';
import { s3Error, startS3Proxy, type Fault, type S3Op, type S3Proxy } from '../../support/s3-proxy.js';
import { startS3rver, type S3rverHandle } from '../../support/s3rver.js';

const MiB = 1024 * 1024;
const META = { user: 'alice', sourceIp: '192.0.2.7' };

let s3: S3rverHandle;
let proxy: S3Proxy;
let n = 0;

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
});
afterEach(async () => {
  await proxy?.stop();
});

async function storage(): Promise<{ s: Storage; prefix: string; client: S3Client }> {
  proxy = await startS3Proxy(s3.endpoint);
  // A short socket timeout so that a request with no answer fails fast; 3 attempts.
  const client = s3.newClient({ endpoint: proxy.endpoint, maxAttempts: 3, socketTimeoutMs: 1000 });
  const prefix = `faults-${n++}`;
  const s = new S3Storage({ client, bucket: s3.bucket, prefix, parts: { minPartSize: 5 * MiB }, logger: { warn: () => undefined } });
  await s.mkdir('t');
  return { s, prefix, client };
}

/** Fault the `nth` request of `op` (every one from `nth` on with `always`). */
function inject(op: S3Op, fault: Fault, options: { nth?: number; always?: boolean } = {}) {
  const nth = options.nth ?? 1;
  proxy.rules.push((r, i) => (r.op === op && (i === nth || (options.always && i >= nth)) ? fault : undefined));
}

const slowDown: Fault = { status: 503, body: s3Error('SlowDown', 'Please reduce your request rate.') };

async function upload(s: Storage, key: string, data: Buffer, mode: 'atomic' | 'resumable' = 'atomic'): Promise<void> {
  const w = await s.openWrite(key, { truncate: true, mode, meta: META });
  try {
    for (let at = 0; at < data.length; at += 256 * 1024) await w.write(at, data.subarray(at, at + 256 * 1024));
  } catch (err) {
    await w.abort();
    throw err;
  }
  await w.commit();
}

async function failureOf(p: Promise<unknown>): Promise<CoreErrorCode> {
  const err: unknown = await p.then(() => undefined, (e: unknown) => e);
  if (!isCoreError(err)) throw new Error(`expected a CoreError, got ${String(err)}`);
  return err.code;
}

async function objectAt(prefix: string, key: string) {
  return s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${key}` })).then(
    (h) => h,
    () => undefined,
  );
}

async function readBack(s: Storage, key: string): Promise<Buffer> {
  const r = await s.openRead(key);
  const data = await r.read(0, r.size);
  await r.close();
  return data;
}

const attempts = (op: S3Op) => proxy.requests.filter((r) => r.op === op);

describe('throttling (503 SlowDown)', () => {
  it('mid-upload once: the part is sent again and the upload completes', async () => {
    const { s } = await storage();
    inject('UploadPart', slowDown, { nth: 2 });
    const data = randomBytes(16 * MiB);
    await upload(s, 't/f', data);
    // 16 MiB in 5 MiB parts: four parts, one of them sent twice.
    expect(attempts('UploadPart').map((r) => r.outcome).sort()).toEqual([200, 200, 200, 200, 503]);
    expect((await readBack(s, 't/f')).equals(data)).toBe(true);
  });

  it('mid-upload for good: a clean failure, the multipart upload aborted, nothing at the key', async () => {
    const { s, prefix } = await storage();
    inject('UploadPart', slowDown, { nth: 2, always: true });
    expect(await failureOf(upload(s, 't/f', randomBytes(16 * MiB)))).toBe('unavailable');
    // Each part from the second on was tried three times (maxAttempts), never accepted.
    const second = attempts('UploadPart').filter((r) => r.query.get('partNumber') === '2');
    expect(second.map((r) => r.outcome)).toEqual([503, 503, 503]);
    expect(attempts('AbortMultipartUpload').length).toBe(1);
    expect(attempts('CompleteMultipartUpload')).toEqual([]);
    expect(await objectAt(prefix, 't/f')).toBeUndefined();
  });

  it('on a small file\'s PutObject for good: a clean failure and a previous version intact', async () => {
    const { s } = await storage();
    await upload(s, 't/v', Buffer.from('version one'));
    inject('PutObject', slowDown, { always: true });
    expect(await failureOf(upload(s, 't/v', Buffer.from('version two')))).toBe('unavailable');
    expect((await readBack(s, 't/v')).toString()).toBe('version one');
  });

  it('on a download for good: the read fails cleanly', async () => {
    const { s } = await storage();
    await upload(s, 't/d', randomBytes(100_000));
    inject('GetObject', slowDown, { always: true });
    const r = await s.openRead('t/d');
    expect(await failureOf(r.read(0, 1000))).toBe('unavailable');
    await r.close();
  });
});

describe('an error inside a 200 answer to CompleteMultipartUpload', () => {
  const errorIn200: Fault = { status: 200, body: s3Error('InternalError', 'We encountered an internal error. Please try again.') };

  it('once: recognised as an error and retried', async () => {
    const { s } = await storage();
    inject('CompleteMultipartUpload', errorIn200);
    const data = randomBytes(11 * MiB);
    await upload(s, 't/f', data);
    expect(attempts('CompleteMultipartUpload').map((r) => r.outcome)).toEqual([200, 200]);
    expect((await readBack(s, 't/f')).equals(data)).toBe(true);
  });

  it('for good: commit fails, the upload is aborted, nothing at the key', async () => {
    const { s, prefix } = await storage();
    inject('CompleteMultipartUpload', errorIn200, { always: true });
    expect(await failureOf(upload(s, 't/f', randomBytes(11 * MiB)))).toBe('unavailable');
    expect(attempts('AbortMultipartUpload').length).toBe(1);
    expect(await objectAt(prefix, 't/f')).toBeUndefined();
  });
});

describe('timeouts and broken connections', () => {
  it('a part with no answer times out and is sent again', async () => {
    const { s } = await storage();
    inject('UploadPart', { hang: true }, { nth: 1 });
    const data = randomBytes(11 * MiB);
    await upload(s, 't/f', data);
    expect(attempts('UploadPart')[0]!.outcome).toBe('hang');
    expect((await readBack(s, 't/f')).equals(data)).toBe(true);
  });

  it('parts that never get an answer: a clean failure, aborted, nothing at the key', async () => {
    const { s, prefix } = await storage();
    inject('UploadPart', { hang: true }, { always: true });
    expect(await failureOf(upload(s, 't/f', randomBytes(11 * MiB)))).toBe('unavailable');
    expect(attempts('AbortMultipartUpload').length).toBe(1);
    expect(await objectAt(prefix, 't/f')).toBeUndefined();
  });

  it('a connection reset during a part is retried', async () => {
    const { s } = await storage();
    inject('UploadPart', { reset: true }, { nth: 2 });
    const data = randomBytes(11 * MiB);
    await upload(s, 't/f', data);
    expect((await readBack(s, 't/f')).equals(data)).toBe(true);
  });
});

describe('expired credentials mid-upload', () => {
  it('a clean failure, aborted, nothing at the key, a previous version intact', async () => {
    const { s, prefix } = await storage();
    await upload(s, 't/v', Buffer.from('previous'));
    inject('UploadPart', { status: 400, body: s3Error('ExpiredToken', 'The provided token has expired.') }, { nth: 2, always: true });
    expect(await failureOf(upload(s, 't/v', randomBytes(16 * MiB)))).toBe('unavailable');
    expect(attempts('AbortMultipartUpload').length).toBe(1);
    expect((await readBack(s, 't/v')).toString()).toBe('previous');
    expect((await objectAt(prefix, 't/v'))?.ContentLength).toBe(8);
  });

  it('a temp-named upload that fails keeps what an earlier session stored', async () => {
    const { s } = await storage();
    await upload(s, 't/r.filepart', Buffer.from('resumable'), 'resumable');
    inject('PutObject', { status: 403, body: s3Error('ExpiredToken') }, { always: true });
    const w = await s.openWrite('t/r.filepart', { truncate: false, mode: 'resumable', meta: META });
    await w.write(9, Buffer.from(' more'));
    await w.abort();
    expect((await readBack(s, 't/r.filepart')).toString()).toBe('resumable');
  });
});
