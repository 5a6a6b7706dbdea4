// READ replies go out of reused buffers shared by every session (src/sftp/read-frames.ts).
// Many sessions downloading different files at once, each with far more reads in flight
// than the client's channel window holds (so ssh2 keeps some replies back until the
// window opens), must still get every byte of their own file: a buffer handed to
// another read too early would show here as a wrong digest.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { connectSftp } from '../support/ssh2-client.js';

const PASSWORD = 'concurrent-downloads-pw';
const SESSIONS = 6;
const SIZE = 6 * 1024 * 1024 + 12_345;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: TestServer;
const digests: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  await server.createUser({ username: 'many-gets', password: PASSWORD });
  mkdirSync(server.fileOnDisk(''), { recursive: true });
  for (let i = 0; i < SESSIONS; i++) {
    const data = randomBytes(SIZE);
    writeFileSync(server.fileOnDisk(`f${i}.bin`), data);
    digests.push(sha256(data));
  }
});
afterAll(() => server?.stop());

function download(i: number): Promise<Buffer> {
  return connectSftp(server.port, { username: 'many-gets', password: PASSWORD }).then(
    (c) =>
      new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        // 64 reads of 255 KiB in flight: 16 MiB asked for against a 2 MiB window.
        c.sftp
          .createReadStream(`/f${i}.bin`, { highWaterMark: 255 * 1024 })
          .on('data', (chunk: Buffer) => chunks.push(chunk))
          .on('error', reject)
          .on('end', () => {
            c.end();
            resolve(Buffer.concat(chunks));
          });
      }),
  );
}

function fastGet(i: number): Promise<Buffer> {
  return connectSftp(server.port, { username: 'many-gets', password: PASSWORD }).then(async (c) => {
    const handle = await new Promise<Buffer>((ok, fail) => c.sftp.open(`/f${i}.bin`, 'r', (err, h) => (err ? fail(err) : ok(h))));
    const chunk = 255 * 1024;
    const out = Buffer.alloc(SIZE);
    await Promise.all(
      Array.from({ length: Math.ceil(SIZE / chunk) }, (_, k) =>
        new Promise<void>((ok, fail) =>
          c.sftp.read(handle, out, k * chunk, Math.min(chunk, SIZE - k * chunk), k * chunk, (err, n) =>
            err ? fail(err) : n === Math.min(chunk, SIZE - k * chunk) ? ok() : fail(new Error(`short read ${n}`)),
          ),
        ),
      ),
    );
    c.end();
    return out;
  });
}

describe('concurrent downloads through shared read buffers', () => {
  it(`${SESSIONS} sessions, every read of each file in flight at once: each gets its own bytes`, async () => {
    const got = await Promise.all(Array.from({ length: SESSIONS }, (_, i) => fastGet(i)));
    expect(got.map(sha256)).toEqual(digests);
  });

  it(`${SESSIONS} streaming downloads at once: each gets its own bytes`, async () => {
    const got = await Promise.all(Array.from({ length: SESSIONS }, (_, i) => download(i)));
    expect(got.map(sha256)).toEqual(digests);
  });
});
