// Listings of a folder (a key prefix) with "/" as the delimiter, one page at a time.
//
// ListObjects (v1) with our own cursor, not ListObjectsV2 with its continuation token:
// s3rver encrypts its v2 tokens with DES, which OpenSSL 3 refuses, so every truncated v2
// answer is a 500 unless Node runs with --openssl-legacy-provider. v1 markers avoid that
// path in tests and in `npm run sim` alike, and real S3 serves them the same way.
// The cursor is the last name returned; a page drops anything at or before it and keeps
// at most `limit` entries in S3's (UTF-8 byte) order, which also absorbs s3rver's habit of
// returning every common prefix it walked past, whatever MaxKeys says.
import { ListObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { invalidArgument } from '../../core/errors.js';
import type { Entry } from '../../core/ports/storage.js';

/** When a folder has no marker object, its time is unknown: the epoch, as SFTPGo shows. */
const UNKNOWN_TIME = new Date(0);
const MAX_KEYS = 1000;

interface Item {
  /** What sorts it among its siblings: the name, plus "/" for a folder. */
  sortKey: string;
  entry: Entry;
}

export interface FolderPage {
  entries: Entry[];
  cursor?: string;
  /** The folder's marker object or anything inside it was seen. */
  exists: boolean;
}

const utf8Compare = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const byUtf8 = (a: Item, b: Item) => utf8Compare(a.sortKey, b.sortKey);
const atOrBefore = (key: string, after: string | undefined) => after !== undefined && utf8Compare(key, after) <= 0;

function decodeCursor(cursor: string): string {
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  if (after === '' || Buffer.from(after).toString('base64url') !== cursor) throw invalidArgument('invalid listing cursor');
  return after;
}

/** One page of the folder whose entries live under `prefix` (ending in "/"). */
export async function listFolderPage(client: S3Client, bucket: string, prefix: string, cursor: string | undefined, limit: number): Promise<FolderPage> {
  const after = cursor === undefined ? undefined : prefix + decodeCursor(cursor);
  const r = await client.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Delimiter: '/', Marker: after, MaxKeys: Math.min(limit, MAX_KEYS) }));
  let exists = false;
  const items: Item[] = [];
  for (const o of r.Contents ?? []) {
    if (o.Key === undefined || !o.Key.startsWith(prefix)) continue;
    exists = true;
    const name = o.Key.slice(prefix.length);
    if (name === '' || name.includes('/') || atOrBefore(o.Key, after)) continue; // the folder's own marker
    items.push({ sortKey: name, entry: { name, type: 'file', size: o.Size ?? 0, mtime: o.LastModified ?? UNKNOWN_TIME } });
  }
  for (const p of r.CommonPrefixes ?? []) {
    if (p.Prefix === undefined || !p.Prefix.startsWith(prefix)) continue;
    exists = true;
    const sortKey = p.Prefix.slice(prefix.length);
    if (atOrBefore(p.Prefix, after)) continue;
    items.push({ sortKey, entry: { name: sortKey.slice(0, -1), type: 'directory', size: 0, mtime: UNKNOWN_TIME } });
  }
  items.sort(byUtf8);
  const more = items.length > limit || r.IsTruncated === true;
  const page = items.slice(0, limit);
  if (!more) return { entries: page.map((i) => i.entry), exists };
  // A truncated answer whose every entry was dropped still moves the cursor on.
  const lastKey = page.at(-1)?.sortKey ?? (r.NextMarker ?? r.Contents?.at(-1)?.Key)?.slice(prefix.length);
  if (!lastKey) return { entries: page.map((i) => i.entry), exists };
  return { entries: page.map((i) => i.entry), cursor: Buffer.from(lastKey).toString('base64url'), exists };
}
