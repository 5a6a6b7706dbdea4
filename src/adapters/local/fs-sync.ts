// Making what is written durable: fdatasync and fsync in the thread pool, on plain
// descriptors (the storage's writers and the queue's WAL), as promises.
import { closeSync, constants, fdatasync, fsync, openSync } from 'node:fs';

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
