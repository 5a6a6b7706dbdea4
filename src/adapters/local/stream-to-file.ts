// Copy a stream into an open file and fsync it. (A write stream with autoClose:false
// never emits 'close', so stream.pipeline would wait forever; and autoClose:true would
// close the file before we can fsync it.)
import type { FileHandle } from 'node:fs/promises';
import { addAbortSignal, type Readable } from 'node:stream';

export async function streamToFile(body: Readable, file: FileHandle, signal?: AbortSignal): Promise<number> {
  let size = 0;
  // Aborting destroys the body, which ends the loop below even while no data comes.
  if (signal) addAbortSignal(signal, body);
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      await file.write(buf, 0, buf.length, size);
      size += buf.length;
    }
  } catch (err) {
    body.destroy();
    throw err;
  }
  await file.datasync();
  return size;
}
