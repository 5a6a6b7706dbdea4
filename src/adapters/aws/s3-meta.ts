// What the post-upload pipeline needs to know about an object, kept in its user metadata
// (x-amz-meta-*) because S3 events carry none of it: who wrote it, from where, and for
// a rename (CopyObject then DeleteObject) the key it was renamed from. Values are
// URL-encoded: HTTP headers carry ASCII only.
import type { ObjectMeta } from '../../core/ports/storage.js';

const USER = 'thru-user';
const SOURCE_IP = 'thru-source-ip';
const RENAMED_FROM = 'thru-renamed-from';

export function toMetadata(meta: ObjectMeta | undefined, renamedFrom?: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (meta?.user !== undefined) out[USER] = encodeURIComponent(meta.user);
  if (meta?.sourceIp !== undefined) out[SOURCE_IP] = encodeURIComponent(meta.sourceIp);
  if (renamedFrom !== undefined) out[RENAMED_FROM] = encodeURIComponent(renamedFrom);
  return out;
}

const decode = (value: string | undefined) => {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

export function fromMetadata(metadata: Record<string, string> | undefined): { meta?: ObjectMeta; renamedFrom?: string } {
  const meta: ObjectMeta = {};
  const user = decode(metadata?.[USER]);
  const sourceIp = decode(metadata?.[SOURCE_IP]);
  if (user !== undefined) meta.user = user;
  if (sourceIp !== undefined) meta.sourceIp = sourceIp;
  const renamedFrom = decode(metadata?.[RENAMED_FROM]);
  return { ...(Object.keys(meta).length > 0 && { meta }), ...(renamedFrom !== undefined && { renamedFrom }) };
}
