// Test data, made at run time from random bytes (incompressible, never committed).
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const CHUNK = 16 * 1024 * 1024;

export function randomFile(path: string, size: number): string {
  const fd = openSync(path, 'w', 0o644);
  try {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, size));
    for (let done = 0; done < size; ) {
      const n = Math.min(buf.length, size - done);
      randomFillSync(buf, 0, n);
      writeSync(fd, buf, 0, n);
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

export function randomTree(dir: string, files: number, size: number): string {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `f${String(i).padStart(5, '0')}.bin`), randomFillSync(Buffer.allocUnsafe(size)));
  return dir;
}
