// Renaming a folder on S3: a folder is as many objects as it holds, so each is copied
// (its copy naming its source, as a file rename's does) and then all are deleted. Past a
// configured size that is refused rather than left half done for long; a failed copy
// deletes the copies made, so storage stays as it was.
import { DeleteObjectsCommand, ListObjectsCommand, PutObjectCommand, type S3Client, type _Object } from '@aws-sdk/client-s3';
import { failure, limitExceeded } from '../../core/errors.js';
import type { ObjectMeta } from '../../core/ports/storage.js';
import type { S3Copier } from './s3-copy.js';
import { fromS3Error } from './s3-errors.js';
import type { S3Keys } from './s3-keys.js';
import { toMetadata } from './s3-meta.js';
import type { ObjectTarget } from './s3-multipart.js';

export interface FolderRenameContext {
  client: S3Client;
  keys: S3Keys;
  copier: S3Copier;
  target: (objectKey: string, metadata?: Record<string, string>) => ObjectTarget;
  warn: (message: string, err: unknown) => void;
  /** Refused past this many objects (markers included)... */
  maxObjects: number;
  /** ...or this many bytes. */
  maxBytes: number;
  /** Copies running at once. */
  concurrency: number;
}

const GiB = 1024 * 1024 * 1024;

/** Run `fn` on every item, `limit` at a time; starts no new one after a failure. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { err: unknown } | undefined;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failed.err;
}

/** Every object under a prefix, at most about `max`. */
async function listTree(ctx: FolderRenameContext, prefix: string, max: number): Promise<_Object[]> {
  const out: _Object[] = [];
  let marker: string | undefined;
  for (;;) {
    const r = await ctx.client.send(new ListObjectsCommand({ Bucket: ctx.keys.bucket, Prefix: prefix, Marker: marker, MaxKeys: 1000 }));
    const contents = (r.Contents ?? []).filter((o) => o.Key !== undefined);
    out.push(...contents);
    if (!r.IsTruncated || out.length >= max || contents.length === 0) return out;
    marker = contents.at(-1)!.Key;
  }
}

async function deleteObjects(ctx: FolderRenameContext, objectKeys: string[]): Promise<void> {
  for (let i = 0; i < objectKeys.length; i += 1000) {
    const batch = objectKeys.slice(i, i + 1000).map((Key) => ({ Key }));
    const r = await ctx.client.send(new DeleteObjectsCommand({ Bucket: ctx.keys.bucket, Delete: { Objects: batch, Quiet: true } }));
    if (r.Errors?.length) throw failure(`the storage could not delete ${r.Errors.length} objects`);
  }
}

const putMarker = (ctx: FolderRenameContext, prefix: string) =>
  ctx.client.send(new PutObjectCommand({ ...ctx.target(prefix), Body: Buffer.alloc(0), ContentLength: 0 }));

/** Move every object under the folder `from` to the folder `to` (storage keys). */
export async function renameFolder(ctx: FolderRenameContext, from: string, to: string, meta: ObjectMeta | undefined): Promise<void> {
  const fromPrefix = ctx.keys.folder(from);
  const toPrefix = ctx.keys.folder(to);
  try {
    const objects = await listTree(ctx, fromPrefix, ctx.maxObjects + 1);
    const bytes = objects.reduce((sum, o) => sum + (o.Size ?? 0), 0);
    if (objects.length > ctx.maxObjects || bytes > ctx.maxBytes) {
      throw limitExceeded(`folders holding more than ${ctx.maxObjects} entries or ${Math.floor(ctx.maxBytes / GiB)} GiB cannot be renamed on this storage; move their files instead`);
    }
    const created: string[] = [];
    try {
      // The new folder exists even when the old one was only implied by its objects.
      await putMarker(ctx, toPrefix);
      created.push(toPrefix);
      const inside = objects.filter((o) => o.Key !== fromPrefix);
      await forEachLimit(inside, ctx.concurrency, async (o) => {
        const toObject = toPrefix + o.Key!.slice(fromPrefix.length);
        if (o.Key!.endsWith('/')) await putMarker(ctx, toObject);
        else await ctx.copier.copy({ objectKey: o.Key!, size: o.Size ?? 0, etag: o.ETag }, ctx.target(toObject, toMetadata(meta, ctx.keys.storageKey(o.Key!))));
        created.push(toObject);
      });
    } catch (err) {
      await deleteObjects(ctx, created).catch((e: unknown) => ctx.warn('could not delete the copies of a failed folder rename', e));
      throw err;
    }
    await deleteObjects(ctx, objects.map((o) => o.Key!));
  } catch (err) {
    throw fromS3Error(err);
  }
}
