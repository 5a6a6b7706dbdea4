// Storage keys to object keys and back. Every key lives under an optional prefix in one
// bucket; a folder is a key prefix ending in "/", and mkdir leaves an empty marker
// object at that prefix so an empty folder exists.
import { invalidArgument } from '../../core/errors.js';

/** S3's limit on an object key, in UTF-8 bytes. */
const MAX_OBJECT_KEY_BYTES = 1024;

export class S3Keys {
  readonly prefix: string;

  constructor(
    readonly bucket: string,
    prefix = '',
  ) {
    const trimmed = prefix.replace(/^\/+|\/+$/g, '');
    this.prefix = trimmed === '' ? '' : `${trimmed}/`;
  }

  /** The object key of a storage key; refuses anything that is not a clean relative key. */
  object(key: string): string {
    if (key === '' || key.startsWith('/') || key.includes('\0') || key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw invalidArgument('invalid storage key');
    }
    const objectKey = this.prefix + key;
    // +1: the folder marker of this key must fit too.
    if (Buffer.byteLength(objectKey) + 1 > MAX_OBJECT_KEY_BYTES) throw invalidArgument('path too long for the storage');
    return objectKey;
  }

  /** The prefix holding a folder's entries, which is also its marker object's key. */
  folder(key: string): string {
    return `${this.object(key)}/`;
  }

  /** The storage key of an object key; undefined outside the prefix or for a folder marker. */
  storageKey(objectKey: string): string | undefined {
    if (!objectKey.startsWith(this.prefix) || objectKey.endsWith('/')) return undefined;
    const key = objectKey.slice(this.prefix.length);
    return key === '' ? undefined : key;
  }

  /** x-amz-copy-source for an object: the bucket and the URL-encoded key. */
  copySource(objectKey: string): string {
    return `${this.bucket}/${objectKey.split('/').map(encodeURIComponent).join('/')}`;
  }
}

export const parentOf = (key: string): string | undefined => {
  const slash = key.lastIndexOf('/');
  return slash === -1 ? undefined : key.slice(0, slash);
};

export const nameOf = (key: string): string => key.slice(key.lastIndexOf('/') + 1);
