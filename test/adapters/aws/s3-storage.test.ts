// What the S3 adapter promises beyond the storage contract: how it uses S3 (parts,
// bounded memory, spooling, server-side copies, metadata, encryption, read-ahead),
// observed on s3rver through a recording proxy.
import { GetObjectCommand, HeadObjectCommand, ListObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { S3Storage, type S3StorageOptions } from '../../../src/adapters/aws/s3-storage.js';
import { partSizeFor, DEFAULT_PART_TUNING } from '../../../src/adapters/aws/s3-multipart.js';
import { isCoreError } from '../../../src/core/errors.js';
import type { FileWriter, Storage } from '../../../src/core/ports/storage.js';
import { startS3Proxy, type S3Proxy } from '../../support/s3-proxy.js';
import { startS3rver, type S3rverHandle } from '../../support/s3rver.js';

const MiB = 1024 * 1024;
const META = { user: 'alice', sourceIp: '192.0.2.7' };

let s3: S3rverHandle;
let proxy: S3Proxy;
let client: S3Client;
let n = 0;
const warnings: string[] = [];

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3?.stop();
});
afterEach(async () => {
  await proxy?.stop();
  warnings.length = 0;
});

/** A storage under a fresh prefix, talking to s3rver through a fresh recording proxy. */
async function storage(options: Partial<S3StorageOptions> = {}, proxyOptions: { emulateUploadPartCopy?: boolean } = {}) {
  proxy = await startS3Proxy(s3.endpoint, proxyOptions);
  client = s3.newClient({ endpoint: proxy.endpoint });
  const prefix = `adapter-${n++}`;
  const s = new S3Storage({
    client, bucket: s3.bucket, prefix, parts: { minPartSize: 5 * MiB },
    logger: { warn: (_fields, message) => warnings.push(message) },
    ...options,
  });
  await s.mkdir('t');
  return { s, prefix };
}

async function put(s: Storage, key: string, data: Buffer, meta = META) {
  const w = await s.openWrite(key, { truncate: true, mode: 'atomic', meta });
  await w.write(0, data);
  await w.commit();
}

async function read(s: Storage, key: string): Promise<Buffer> {
  const r = await s.openRead(key);
  const out = await r.read(0, r.size + 1);
  await r.close();
  return out;
}

async function writeAll(w: FileWriter, data: Buffer, chunk = 256 * 1024) {
  for (let at = 0; at < data.length; at += chunk) await w.write(at, data.subarray(at, at + chunk));
}

const ops = () => proxy.requests.map((r) => r.op);

async function raw(key: string) {
  return s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key })).catch(() => undefined);
}

describe('part sizes', () => {
  it('grow with the part number so that 10,000 parts hold terabytes, within S3 part limits', () => {
    const sizes = Array.from({ length: 10_000 }, (_, i) => partSizeFor(i + 1, DEFAULT_PART_TUNING));
    expect(Math.min(...sizes)).toBe(5 * MiB);
    expect(Math.max(...sizes)).toBe(512 * MiB);
    expect(sizes.every((size, i) => i === 0 || size >= sizes[i - 1]!)).toBe(true);
    // A 1 GiB upload is all 5 MiB parts; 10,000 parts hold more than 2 TiB.
    expect(sizes.slice(0, 205).every((size) => size === 5 * MiB)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(2 * 1024 * 1024 * MiB);
  });
});

describe('uploads', () => {
  it('sends a small file as one PutObject', async () => {
    const { s } = await storage();
    await put(s, 't/small', randomBytes(100_000));
    expect(ops()).toContain('PutObject');
    expect(ops()).not.toContain('CreateMultipartUpload');
  });

  it('streams a large file in parts of the configured size, a bounded number at a time, within bounded memory', async () => {
    const { s, prefix } = await storage({ parts: { minPartSize: 5 * MiB, maxConcurrentParts: 2 } });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    proxy.rules.push((r) => (r.op === 'UploadPart' ? { hold: released } : undefined));
    const data = randomBytes(40 * MiB);
    const w = await s.openWrite('t/big', { truncate: true, mode: 'atomic', meta: META });
    let accepted = 0;
    const writing = (async () => {
      for (let at = 0; at < data.length; at += 256 * 1024) {
        await w.write(at, data.subarray(at, at + 256 * 1024));
        accepted = at + 256 * 1024;
      }
    })();
    await vi.waitFor(() => expect(proxy.inflight('UploadPart')).toBe(2));
    // Give an unbounded writer every chance to send or accept more.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(proxy.inflight('UploadPart')).toBe(2);
    expect(accepted).toBeLessThanOrEqual(3 * 5 * MiB);
    release();
    await writing;
    await w.commit();
    const parts = proxy.requests.filter((r) => r.op === 'UploadPart');
    expect(parts.length).toBe(8);
    expect(parts.every((r) => Number(r.headers['content-length']) === 5 * MiB)).toBe(true);
    expect(proxy.maxInflight('UploadPart')).toBe(2);
    expect((w as unknown as { peakBufferedBytes: number }).peakBufferedBytes).toBeLessThanOrEqual(3 * 5 * MiB + 256 * 1024);
    expect((await read(s, 't/big')).equals(data)).toBe(true);
    expect((await raw(`${prefix}/t/big`))?.ContentLength).toBe(data.length);
  });

  it('answers commit only after CompleteMultipartUpload, and nothing is visible before', async () => {
    const { s, prefix } = await storage();
    let release!: () => void;
    proxy.rules.push((r) => (r.op === 'CompleteMultipartUpload' ? { hold: new Promise<void>((resolve) => (release = resolve)) } : undefined));
    const w = await s.openWrite('t/c', { truncate: true, mode: 'atomic', meta: META });
    await writeAll(w, randomBytes(11 * MiB));
    let committed = false;
    const commit = w.commit().then(() => (committed = true));
    await vi.waitFor(() => expect(proxy.inflight('CompleteMultipartUpload')).toBe(1));
    expect(committed).toBe(false);
    expect(await raw(`${prefix}/t/c`)).toBeUndefined();
    release();
    await commit;
    expect((await raw(`${prefix}/t/c`))?.ContentLength).toBe(11 * MiB);
  });

  it('aborts the multipart upload of an atomic writer, tolerating s3rver\'s 405, and leaves nothing', async () => {
    const { s, prefix } = await storage();
    const w = await s.openWrite('t/gone', { truncate: true, mode: 'atomic', meta: META });
    await writeAll(w, randomBytes(12 * MiB));
    await w.abort();
    const abort = proxy.requests.find((r) => r.op === 'AbortMultipartUpload');
    expect(abort?.outcome).toBe(405);
    expect(warnings.some((m) => m.includes('AbortMultipartUpload'))).toBe(true);
    expect(ops()).not.toContain('CompleteMultipartUpload');
    expect(await raw(`${prefix}/t/gone`)).toBeUndefined();
  });

  it('drops an atomic upload at once when it ends while its parts wait for S3', async () => {
    const { s, prefix } = await storage({ parts: { minPartSize: 5 * MiB, maxConcurrentParts: 2 } });
    proxy.rules.push((r) => (r.op === 'UploadPart' ? { hold: new Promise<void>(() => undefined) } : undefined));
    const w = await s.openWrite('t/stuck', { truncate: true, mode: 'atomic', meta: META });
    const data = randomBytes(20 * MiB);
    const writing = writeAll(w, data).catch((err: unknown) => err);
    await vi.waitFor(() => expect(proxy.inflight('UploadPart')).toBe(2));
    await w.abort(); // resolves although S3 never answered the parts
    expect(isCoreError(await writing)).toBe(true);
    expect(ops()).toContain('AbortMultipartUpload');
    expect(await raw(`${prefix}/t/stuck`)).toBeUndefined();
  });

  it('spools writes that are out of order beyond the reorder buffer', async () => {
    const { s } = await storage({ reorderLimit: 0 });
    const data = randomBytes(3 * MiB);
    const w = await s.openWrite('t/spooled', { truncate: true, mode: 'atomic', meta: META });
    const blocks = Array.from({ length: 48 }, (_, i) => i * 65_536).reverse();
    for (const at of blocks) await w.write(at, data.subarray(at, at + 65_536));
    expect(ops()).not.toContain('UploadPart');
    await w.commit();
    expect((await read(s, 't/spooled')).equals(data)).toBe(true);
  });

  it('refuses to spool past its limit, and leaves nothing', async () => {
    const { s, prefix } = await storage({ reorderLimit: 0, spoolLimit: 2 * MiB });
    const w = await s.openWrite('t/toolarge', { truncate: true, mode: 'atomic', meta: META });
    await w.write(MiB, randomBytes(MiB));
    const err: unknown = await w.write(2 * MiB, randomBytes(1024)).catch((e: unknown) => e);
    expect(isCoreError(err, 'limit_exceeded')).toBe(true);
    expect((err as Error).message).toMatch(/2 MiB/);
    await expect(w.commit()).rejects.toSatisfy((e) => isCoreError(e, 'limit_exceeded'));
    expect(await raw(`${prefix}/t/toolarge`)).toBeUndefined();
  });

  it('refuses to rewrite bytes already sent in parts, and leaves nothing', async () => {
    const { s, prefix } = await storage();
    const w = await s.openWrite('t/rewrite', { truncate: true, mode: 'atomic', meta: META });
    await writeAll(w, randomBytes(12 * MiB));
    await expect(w.write(0, Buffer.from('header'))).rejects.toSatisfy((e) => isCoreError(e, 'unsupported'));
    await w.abort();
    expect(await raw(`${prefix}/t/rewrite`)).toBeUndefined();
  });

  it('records the uploader and the encryption on every object it writes', async () => {
    const { s, prefix } = await storage({ serverSideEncryption: 'aws:kms', sseKmsKeyId: 'alias/thru' });
    await put(s, 't/small', randomBytes(1000));
    await put(s, 't/large', randomBytes(6 * MiB));
    await s.mkdir('t/folder');
    await s.rename('t/small', 't/small2', { overwrite: false, meta: META });
    const writes = proxy.requests.filter((r) => ['PutObject', 'CreateMultipartUpload', 'CopyObject'].includes(r.op));
    expect(new Set(writes.map((r) => r.op))).toEqual(new Set(['PutObject', 'CreateMultipartUpload', 'CopyObject']));
    for (const r of writes) {
      expect(r.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      expect(r.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('alias/thru');
    }
    const head = await raw(`${prefix}/t/large`);
    expect(head?.Metadata).toMatchObject({ 'thru-user': 'alice', 'thru-source-ip': '192.0.2.7' });
  });
});

describe('resume and copies', () => {
  it('appends to an existing object with UploadPartCopy where the store implements it', async () => {
    const { s } = await storage({}, { emulateUploadPartCopy: true });
    const head = randomBytes(6 * MiB);
    const tail = randomBytes(300_000);
    await put(s, 't/r.filepart', head);
    const w = await s.openWrite('t/r.filepart', { truncate: false, mode: 'resumable', meta: META });
    await w.write(head.length, tail);
    await w.abort();
    const copy = proxy.requests.find((r) => r.op === 'UploadPartCopy');
    expect(copy?.outcome).toBe(200);
    expect(copy?.headers['x-amz-copy-source-range']).toBe(`bytes=0-${head.length - 1}`);
    expect(proxy.requests.filter((r) => r.op === 'GetObject')).toEqual([]);
    expect((await read(s, 't/r.filepart')).equals(Buffer.concat([head, tail]))).toBe(true);
  });

  it('streams the existing bytes instead where the store answers 501 (s3rver)', async () => {
    const { s } = await storage();
    const head = randomBytes(6 * MiB);
    const tail = randomBytes(300_000);
    await put(s, 't/r.filepart', head);
    const w = await s.openWrite('t/r.filepart', { truncate: false, mode: 'resumable', meta: META });
    await w.write(head.length, tail);
    await w.commit();
    expect(proxy.requests.find((r) => r.op === 'UploadPartCopy')?.outcome).toBe(501);
    expect(warnings.some((m) => m.includes('UploadPartCopy'))).toBe(true);
    expect((await read(s, 't/r.filepart')).equals(Buffer.concat([head, tail]))).toBe(true);
    // Learned once: the next resume goes straight to streaming.
    const again = await s.openWrite('t/r.filepart', { truncate: false, mode: 'resumable', meta: META });
    await again.write(head.length + tail.length, Buffer.from('!'));
    await again.commit();
    expect(proxy.requests.filter((r) => r.op === 'UploadPartCopy').length).toBe(1);
  });

  it('renames with CopyObject, recording the source and the renamer in the copy\'s metadata', async () => {
    const { s, prefix } = await storage();
    await put(s, 't/a b+c.csv.filepart', Buffer.from('x'), { user: 'uploader', sourceIp: '192.0.2.1' });
    await s.rename('t/a b+c.csv.filepart', 't/a b+c.csv', { overwrite: false, meta: { user: 'renamer', sourceIp: '2001:db8::1' } });
    expect(ops()).toContain('CopyObject');
    const head = await raw(`${prefix}/t/a b+c.csv`);
    expect(head?.Metadata).toEqual({ 'thru-renamed-from': encodeURIComponent('t/a b+c.csv.filepart'), 'thru-user': 'renamer', 'thru-source-ip': encodeURIComponent('2001:db8::1') });
  });

  it('copies in parts above the CopyObject limit: UploadPartCopy where implemented', async () => {
    const { s, prefix } = await storage({ maxCopyObjectSize: MiB }, { emulateUploadPartCopy: true });
    const data = randomBytes(6 * MiB);
    await put(s, 't/huge.filepart', data);
    await s.rename('t/huge.filepart', 't/huge', { overwrite: false, meta: META });
    expect(ops()).not.toContain('CopyObject');
    expect(ops()).toContain('UploadPartCopy');
    expect((await read(s, 't/huge')).equals(data)).toBe(true);
    expect((await raw(`${prefix}/t/huge`))?.Metadata).toMatchObject({ 'thru-renamed-from': encodeURIComponent('t/huge.filepart'), 'thru-user': 'alice' });
    expect(await raw(`${prefix}/t/huge.filepart`)).toBeUndefined();
  });

  it('copies in parts above the CopyObject limit: streamed where not', async () => {
    const { s, prefix } = await storage({ maxCopyObjectSize: MiB });
    const data = randomBytes(6 * MiB);
    await put(s, 't/huge.filepart', data);
    await s.rename('t/huge.filepart', 't/huge', { overwrite: false, meta: META });
    expect((await read(s, 't/huge')).equals(data)).toBe(true);
    expect((await raw(`${prefix}/t/huge`))?.Metadata).toMatchObject({ 'thru-renamed-from': encodeURIComponent('t/huge.filepart') });
  });

  it('refuses to rename a folder past the limit, and changes nothing', async () => {
    const { s } = await storage({ maxFolderRenameObjects: 3 });
    await s.mkdir('t/many');
    for (let i = 0; i < 4; i++) await put(s, `t/many/f${i}`, Buffer.from(String(i)));
    const err: unknown = await s.rename('t/many', 't/moved', { overwrite: false }).catch((e: unknown) => e);
    expect(isCoreError(err, 'limit_exceeded')).toBe(true);
    expect((err as Error).message).toMatch(/3 entries/);
    expect((await s.list('t/many', { limit: 10 })).entries.length).toBe(4);
    await expect(s.stat('t/moved')).rejects.toSatisfy((e) => isCoreError(e, 'not_found'));
  });
});

describe('folder renames', () => {
  it('copy each object, naming its source, then delete the originals', async () => {
    const { s, prefix } = await storage();
    await s.mkdir('t/src');
    await put(s, 't/src/a.csv', Buffer.from('a'));
    await s.rename('t/src', 't/dst', { overwrite: false, meta: { user: 'renamer' } });
    expect((await raw(`${prefix}/t/dst/a.csv`))?.Metadata).toMatchObject({ 'thru-renamed-from': encodeURIComponent('t/src/a.csv'), 'thru-user': 'renamer' });
    expect(await raw(`${prefix}/t/src/a.csv`)).toBeUndefined();
    expect(await raw(`${prefix}/t/src/`)).toBeUndefined();
  });

  it('that fail midway leave storage as it was', async () => {
    const { s } = await storage({ folderRenameConcurrency: 1 });
    await s.mkdir('t/src');
    for (let i = 0; i < 4; i++) await put(s, `t/src/f${i}`, Buffer.from(String(i)));
    proxy.rules.push((r, nth) => (r.op === 'CopyObject' && nth >= 3 ? { status: 403, body: '<Error><Code>AccessDenied</Code></Error>' } : undefined));
    const err: unknown = await s.rename('t/src', 't/dst', { overwrite: false }).catch((e: unknown) => e);
    expect(isCoreError(err, 'permission_denied')).toBe(true);
    expect(proxy.count('CopyObject')).toBe(3);
    expect((await s.list('t/src', { limit: 10 })).entries.map((e) => e.name)).toEqual(['f0', 'f1', 'f2', 'f3']);
    await expect(s.stat('t/dst')).rejects.toSatisfy((e) => isCoreError(e, 'not_found'));
  });
});

describe('folders and keys', () => {
  it('keeps every object under the configured prefix, folders as marker objects', async () => {
    const { s, prefix } = await storage();
    await s.mkdir('t/d');
    await put(s, 't/d/f', Buffer.from('x'));
    const r = await s3.client.send(new ListObjectsCommand({ Bucket: s3.bucket, Prefix: `${prefix}/` }));
    expect((r.Contents ?? []).map((o) => o.Key).sort()).toEqual([`${prefix}/t/`, `${prefix}/t/d/`, `${prefix}/t/d/f`]);
  });

  it('sees folders that only objects imply (written by other tools)', async () => {
    const { s, prefix } = await storage();
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/t/implied/deep/x`, Body: 'x' }));
    expect((await s.stat('t/implied')).type).toBe('directory');
    expect((await s.list('t/implied', { limit: 10 })).entries).toMatchObject([{ name: 'deep', type: 'directory' }]);
    await s.rename('t/implied', 't/explicit', { overwrite: false });
    expect((await read(s, 't/explicit/deep/x')).toString()).toBe('x');
    expect((await s.stat('t/explicit')).type).toBe('directory');
  });
});

describe('downloads', () => {
  it('reads ahead with ranged GETs that name the ETag seen at open', async () => {
    const { s } = await storage({ read: { chunkSize: MiB, readAhead: 2 } });
    const data = randomBytes(5 * MiB + 10);
    await put(s, 't/dl', data);
    proxy.requests.length = 0;
    const r = await s.openRead('t/dl');
    expect((await r.read(0, 32_768)).equals(data.subarray(0, 32_768))).toBe(true);
    // Only the first bytes were asked for; the next two chunks are on their way.
    await vi.waitFor(() => expect(proxy.requests.filter((q) => q.op === 'GetObject').map((q) => q.headers.range)).toEqual([
      `bytes=0-${MiB - 1}`, `bytes=${MiB}-${2 * MiB - 1}`, `bytes=${2 * MiB}-${3 * MiB - 1}`,
    ]));
    const chunks: Buffer[] = [];
    for (let at = 32_768; at < data.length; at += 255 * 1024) chunks.push(await r.read(at, 255 * 1024));
    await r.close();
    expect(Buffer.concat([data.subarray(0, 32_768), ...chunks]).equals(data)).toBe(true);
    const gets = proxy.requests.filter((q) => q.op === 'GetObject');
    expect(gets.length).toBe(6);
    expect(gets.every((q) => typeof q.headers['if-match'] === 'string')).toBe(true);
  });

  it('streams from an offset with one ranged GET', async () => {
    const { s } = await storage();
    const data = randomBytes(100_000);
    await put(s, 't/st', data);
    const stream = await s.readStream('t/st', { start: 99_000 });
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(data.subarray(99_000))).toBe(true);
    expect(proxy.requests.find((q) => q.op === 'GetObject')?.headers.range).toBe('bytes=99000-');
  });

  it('reads the object s3rver stores, byte for byte', async () => {
    const { s, prefix } = await storage();
    const data = randomBytes(7 * MiB);
    await put(s, 't/exact', data);
    const got = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/t/exact` }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
  });
});
