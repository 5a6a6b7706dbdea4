// SHA-256 over streams: once to record a completed file, and again while delivering it
// so a file changed after completion is never delivered as if it were the recorded one.
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { conflict } from '../errors.js';

export async function sizeAndSha256(stream: Readable): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    size += buf.length;
    hash.update(buf);
  }
  return { size, sha256: hash.digest('hex') };
}

/** Passes bytes through and fails at the end unless they hash to `sha256`. */
export function verifying(sha256: string, size: number): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const actual = hash.digest('hex');
      if (seen !== size || actual !== sha256) done(conflict('the source file changed after it was completed; it was not delivered'));
      else done();
    },
  });
}
