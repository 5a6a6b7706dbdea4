// Making what is written durable: fdatasync and fsync in the thread pool, on plain
// descriptors (the storage's writers and the queue's WAL), as promises; new folders
// (an upload's CLOSE syncs its file's name into its folder, and that folder's own name
// must be on disk too, else a crash can take both); and the small files made once on
// first start (host key, admin token), which must survive a crash whole or not at all:
// a host key lost to a crash would change what partners see.
import { closeSync, constants, fdatasync, fsync, linkSync, openSync, promises as fsp, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** A file's data and the metadata needed to read it back (its size). */
export const dataSync = (fd: number) => new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));

const fullSync = (fd: number) => new Promise<void>((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));

/** Make a rename in `path` durable. */
export async function fsyncDirectory(path: string): Promise<void> {
  const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fullSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * mkdir, then sync the name of each folder it created into its parent. `recursive`:
 * the missing parents too (nothing to sync when all exist).
 */
export async function mkdirDurably(path: string, options: { mode: number; recursive?: boolean }): Promise<void> {
  if (!options.recursive) {
    await fsp.mkdir(path, { mode: options.mode });
    return fsyncDirectory(dirname(path));
  }
  const first = await fsp.mkdir(path, { recursive: true, mode: options.mode });
  if (first === undefined) return;
  for (let made = path; ; made = dirname(made)) {
    await fsyncDirectory(dirname(made));
    if (made === first || dirname(made) === made) return;
  }
}

/**
 * Write a small file so that after a crash it is there in full or not at all: a
 * temporary file beside it, synced, then put in place and the folder synced.
 * `exclusive`: only if no file is at `path` yet; resolves false (and writes nothing)
 * when one is, e.g. made meanwhile by another process of the same server.
 */
export async function writeFileDurably(path: string, data: string | Buffer, options: { mode: number; exclusive: boolean }): Promise<boolean> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, options.mode);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done);
    await dataSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(temp);
    throw err;
  }
  closeSync(fd);
  let placed = true;
  try {
    if (options.exclusive) linkSync(temp, path);
    else renameSync(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      unlinkSync(temp);
      throw err;
    }
    placed = false;
  }
  if (options.exclusive) unlinkSync(temp);
  if (placed) await fsyncDirectory(dirname(path));
  return placed;
}
