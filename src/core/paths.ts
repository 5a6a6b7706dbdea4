// The path jail. A partner sees "/" as their home; every path they send is resolved
// here, once, into a normalized virtual path and then a storage key under their root.
// ".." is clamped at "/", names are taken literally (no URL decoding, no Unicode
// normalization), and what no backend can store safely is refused.
import { invalidArgument } from './errors.js';

export const MAX_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 1024;

function checkSegment(segment: string): void {
  if (segment.includes('\0')) throw invalidArgument('file names cannot contain NUL');
  if (segment.includes('\\')) throw invalidArgument('file names cannot contain a backslash');
  if (Buffer.byteLength(segment) > MAX_NAME_BYTES) throw invalidArgument(`file names are limited to ${MAX_NAME_BYTES} bytes`);
}

/** Resolve what a client sent against `cwd` into a normalized absolute virtual path. */
export function resolveVirtualPath(input: string, cwd = '/'): string {
  const full = input.startsWith('/') ? input : `${cwd}/${input}`;
  const out: string[] = [];
  for (const segment of full.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      out.pop();
      continue;
    }
    checkSegment(segment);
    out.push(segment);
  }
  const result = `/${out.join('/')}`;
  if (Buffer.byteLength(result) > MAX_PATH_BYTES) throw invalidArgument(`paths are limited to ${MAX_PATH_BYTES} bytes`);
  return result;
}

/**
 * Validate a folder an admin configures (a flow endpoint's path, a home directory):
 * absolute, no "." or ".." segments. Returns it normalized ("/" or "/a/b").
 */
export function normalizeFolder(input: string): string {
  if (!input.startsWith('/')) throw invalidArgument('the path must start with "/"');
  const segments = input.split('/').filter((s) => s !== '');
  for (const segment of segments) {
    if (segment === '.' || segment === '..') throw invalidArgument('the path cannot contain "." or ".." segments');
    checkSegment(segment);
  }
  const result = `/${segments.join('/')}`;
  if (Buffer.byteLength(result) > MAX_PATH_BYTES) throw invalidArgument(`paths are limited to ${MAX_PATH_BYTES} bytes`);
  return result;
}

/** Storage key of a virtual path under a root key ("org/ep/in" + "/a.csv" -> "org/ep/in/a.csv"). */
export function keyOf(rootKey: string, virtualPath: string): string {
  return virtualPath === '/' ? rootKey : `${rootKey}${virtualPath}`;
}

/** Root key of an endpoint folder: "<orgId>/<endpointId>" plus a normalized folder. */
export function endpointKey(orgId: string, endpointId: string, folder = '/'): string {
  return folder === '/' ? `${orgId}/${endpointId}` : `${orgId}/${endpointId}${folder}`;
}

export function basename(virtualPath: string): string {
  return virtualPath.slice(virtualPath.lastIndexOf('/') + 1);
}

export function dirname(virtualPath: string): string {
  const i = virtualPath.lastIndexOf('/');
  return i <= 0 ? '/' : virtualPath.slice(0, i);
}

/** True when `path` is `ancestor` or lies below it (both normalized). */
export function isWithin(path: string, ancestor: string): boolean {
  return ancestor === '/' || path === ancestor || path.startsWith(`${ancestor}/`);
}
