// File data through SFTP at the protocol level. A real ssh2 client speaks SFTP by hand
// on a raw subsystem channel, one SSH packet per stream write, so that a WRITE can be
// cut anywhere (inside its header, its handle, its data) and requests can be sent
// without waiting for answers.
// - A large WRITE arrives in several SSH packets; the server passes their pieces to
//   storage without joining them (the ssh2 patch's acceptWritePieces).
// - Flow control, both ways: a client that sends faster than storage takes the data is
//   held back by the channel's window (WRITE_BACKLOG_BYTES, the patch's holdWindow;
//   less each once the process holds PROCESS_WRITE_BACKLOG_BYTES for all sessions);
//   a client that asks for data and does not take the answers gets no more read for
//   it than its window holds (the patch's outgoingBuffered).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ssh2, { type Client, type ClientChannel } from 'ssh2';
import type { FileReader, FileWriter, OpenWriteOptions } from '../../src/core/ports/storage.js';
import { MAX_READS_IN_SERVICE, PROCESS_WRITE_BACKLOG_BYTES, WRITE_BACKLOG_BYTES } from '../../src/sftp/sftp-session.js';
import { startTestServer, type TestServer } from '../support/local-server.js';
import { connect } from '../support/ssh2-client.js';

const { STATUS_CODE } = ssh2.utils.sftp;
const PASSWORD = 'pieces-pass-1';
const INIT = 1;
const OPEN = 3;
const CLOSE = 4;
const READ = 5;
const WRITE = 6;
const VERSION = 2;
const STATUS = 101;
const HANDLE = 102;
const DATA = 103;
const PFLAGS_READ = 0x01;
const PFLAGS_WRITE_CREATE_TRUNCATE = 0x02 | 0x08 | 0x10;

let server: TestServer;
let client: Client;

beforeAll(async () => {
  server = await startTestServer();
  await server.createUser({ username: 'pieces', password: PASSWORD });
  client = await connect(server.port, { username: 'pieces', password: PASSWORD });
});
afterAll(async () => {
  client?.end();
  await server?.stop();
});

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const str = (s: Buffer | string) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
const packet = (type: number, ...fields: Buffer[]) => {
  const body = Buffer.concat([Buffer.from([type]), ...fields]);
  return Buffer.concat([u32(body.length), body]);
};

/** An SFTP channel spoken by hand: send raw bytes, read whole replies. */
class RawSftp {
  private pending = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;
  constructor(readonly channel: ClientChannel) {
    channel.on('data', (data: Buffer) => {
      this.pending = Buffer.concat([this.pending, data]);
      this.wake();
    });
    channel.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }
  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }
  static async open(init = true): Promise<RawSftp> {
    const channel = await new Promise<ClientChannel>((ok, fail) => client.subsys('sftp', (err, ch) => (err ? fail(err) : ok(ch))));
    const raw = new RawSftp(channel);
    if (init) {
      await raw.send(packet(INIT, u32(3)));
      expect((await raw.reply())?.type).toBe(VERSION);
    }
    return raw;
  }
  /** Each piece goes out as its own SSH packet. */
  async send(...pieces: Buffer[]): Promise<void> {
    for (const piece of pieces) await new Promise<void>((ok, fail) => this.channel.write(piece, (err?: Error | null) => (err ? fail(err) : ok())));
  }
  /** The next reply, or undefined once the server has closed the channel. */
  async reply(): Promise<{ type: number; body: Buffer } | undefined> {
    for (;;) {
      if (this.pending.length >= 4) {
        const len = this.pending.readUInt32BE(0);
        if (this.pending.length >= 4 + len) {
          const type = this.pending[4]!;
          const body = this.pending.subarray(5, 4 + len);
          this.pending = this.pending.subarray(4 + len);
          return { type, body };
        }
      }
      if (this.closed) return undefined;
      await new Promise<void>((ok) => this.waiters.push(ok));
    }
  }
  async status(): Promise<number> {
    const r = await this.reply();
    expect(r?.type).toBe(STATUS);
    return r!.body.readUInt32BE(4);
  }
  async openForWrite(path: string, id: number, pflags = PFLAGS_WRITE_CREATE_TRUNCATE): Promise<Buffer> {
    await this.send(packet(OPEN, u32(id), str(path), u32(pflags), u32(0)));
    const r = await this.reply();
    expect(r?.type).toBe(HANDLE);
    return r!.body.subarray(8, 8 + r!.body.readUInt32BE(4));
  }
  end() {
    this.channel.close();
  }
}

const writePacket = (id: number, handle: Buffer, offset: number, data: Buffer, declaredLength = data.length) =>
  packet(WRITE, u32(id), str(handle), Buffer.from([0, 0, 0, 0]), u32(offset), u32(declaredLength), data);

/** `buf` cut at the given offsets. */
const cut = (buf: Buffer, ...at: number[]) => [0, ...at].map((start, i) => buf.subarray(start, i < at.length ? at[i] : buf.length));

describe('a WRITE that arrives in pieces', () => {
  it('is written exactly, wherever the pieces are cut (header, handle, data, 1-byte pieces)', async () => {
    const sftp = await RawSftp.open();
    const handle = await sftp.openForWrite('/pieces.bin', 1);
    const first = randomBytes(200_000);
    const second = randomBytes(61_000);
    const w1 = writePacket(2, handle, 0, first);
    // 3 bytes: inside the length; 11: inside the handle's length; then one byte of data alone.
    const headerEnd = w1.length - first.length;
    await sftp.send(...cut(w1, 3, 11, headerEnd - 2, headerEnd + 1, headerEnd + 2, headerEnd + 32_768, headerEnd + 150_000));
    expect(await sftp.status()).toBe(STATUS_CODE.OK);
    // The second write in two pieces, the cut right where its data starts.
    const w2 = writePacket(3, handle, first.length, second);
    await sftp.send(...cut(w2, w2.length - second.length));
    expect(await sftp.status()).toBe(STATUS_CODE.OK);
    await sftp.send(packet(CLOSE, u32(4), str(handle)));
    expect(await sftp.status()).toBe(STATUS_CODE.OK);
    sftp.end();
    expect(readFileSync(server.fileOnDisk('pieces.bin')).equals(Buffer.concat([first, second]))).toBe(true);
  });

  it('ends the SFTP channel when its data length does not match its packet, and publishes nothing', async () => {
    const sftp = await RawSftp.open();
    const handle = await sftp.openForWrite('/malformed.bin', 1);
    const data = randomBytes(40_000);
    // Says 50,000 bytes of data, brings 40,000: ssh2's WRITE handler calls that malformed.
    const bad = writePacket(2, handle, 0, data, 50_000);
    await sftp.send(...cut(bad, 20, 20_000));
    expect(await sftp.reply()).toBeUndefined();
    expect(sftp.closed).toBe(true);
    // The connection lives on; the upload was never closed, so nothing is at its name.
    const again = await RawSftp.open();
    again.end();
    await once(again.channel, 'close');
    expect(existsSync(server.fileOnDisk('malformed.bin'))).toBe(false);
  });

  it('before INIT ends the SFTP channel, as any request but INIT does', async () => {
    const sftp = await RawSftp.open(false);
    await sftp.send(...cut(writePacket(1, Buffer.from([0, 0, 0, 1]), 0, randomBytes(10_000)), 9, 5_000));
    expect(await sftp.reply()).toBeUndefined();
  });
});

/**
 * Storage that takes no data for files named slow* until the gate opens: a disk or S3
 * slower than the network, which a real peer cannot be made to be on demand.
 */
function gateSlowFiles() {
  const storage = server.runtime.storage;
  const openWrite = storage.openWrite.bind(storage);
  let gate!: () => void;
  const opened = new Promise<void>((ok) => (gate = ok));
  const slow = { received: 0, open: () => gate(), restore: () => ((storage.openWrite = openWrite), gate()) };
  storage.openWrite = async (key: string, options: OpenWriteOptions): Promise<FileWriter> => {
    const writer = await openWrite(key, options);
    if (!/\/slow[^/]*$/.test(key)) return writer;
    const write = writer.write.bind(writer);
    writer.write = async (position, data) => {
      slow.received += 1;
      await opened;
      return write(position, data);
    };
    return writer;
  };
  return slow;
}

describe('flow control', () => {
  it('holds back a client that keeps sending WRITEs while storage is slow, then takes them all', async () => {
    const slow = gateSlowFiles();
    const gate = slow.open;
    try {
      const sftp = await RawSftp.open();
      const handle = await sftp.openForWrite('/slow.bin', 1);
      const block = 261_120;
      const count = 48;
      const data = randomBytes(block * count);
      // All 48 requests (12 MiB) at once, as a client with many in flight sends them.
      const sending = Array.from({ length: count }, (_, i) => sftp.send(writePacket(10 + i, handle, i * block, data.subarray(i * block, (i + 1) * block))));
      await server.until('the server to hold the window', () => (slow.received * block > WRITE_BACKLOG_BYTES ? true : undefined));
      // Whatever the client still had of its window (2 MiB at most) may come; no more.
      await new Promise((ok) => setTimeout(ok, 300));
      const atMost = Math.ceil((WRITE_BACKLOG_BYTES + 2 * 1024 * 1024) / block) + 1;
      expect(slow.received).toBeLessThanOrEqual(atMost);
      expect(slow.received).toBeLessThan(count);

      gate();
      await Promise.all(sending);
      for (let i = 0; i < count; i++) expect(await sftp.status()).toBe(STATUS_CODE.OK);
      expect(slow.received).toBe(count);
      await sftp.send(packet(CLOSE, u32(99), str(handle)));
      expect(await sftp.status()).toBe(STATUS_CODE.OK);
      sftp.end();
      expect(readFileSync(server.fileOnDisk('slow.bin')).equals(data)).toBe(true);
    } finally {
      slow.restore();
    }
  });

  it('keeps each of many uploads to less once the process holds its share for all of them', async () => {
    const slow = gateSlowFiles();
    try {
      const sessions = 8;
      const block = 261_120;
      const count = 48; // 12 MiB each: more than a session may ever hold with its window
      const data = randomBytes(block * count);
      const uploads = await Promise.all(
        Array.from({ length: sessions }, async (_, n) => {
          const sftp = await RawSftp.open();
          const handle = await sftp.openForWrite(`/slow-${n}.bin`, 1);
          const sending = Array.from({ length: count }, (_, i) => sftp.send(writePacket(10 + i, handle, i * block, data.subarray(i * block, (i + 1) * block))));
          return { sftp, handle, sending };
        }),
      );
      await server.until('the process to hold its share', () => (slow.received * block > PROCESS_WRITE_BACKLOG_BYTES ? true : undefined));
      await new Promise((ok) => setTimeout(ok, 500));
      // Past the process's share each session is held at its next WRITE; what its window
      // still allowed (2 MiB) may come. With 4 MiB each (no sharing) all eight would
      // hold about 6 MiB: 48 MiB.
      const window = 2 * 1024 * 1024;
      expect(slow.received * block).toBeLessThanOrEqual(PROCESS_WRITE_BACKLOG_BYTES + sessions * (window + 2 * block));

      slow.open();
      for (const { sftp, handle, sending } of uploads) {
        await Promise.all(sending);
        for (let i = 0; i < count; i++) expect(await sftp.status()).toBe(STATUS_CODE.OK);
        await sftp.send(packet(CLOSE, u32(99), str(handle)));
        expect(await sftp.status()).toBe(STATUS_CODE.OK);
        sftp.end();
      }
      expect(slow.received).toBe(sessions * count);
      for (let n = 0; n < sessions; n++) expect(readFileSync(server.fileOnDisk(`slow-${n}.bin`)).equals(data)).toBe(true);
    } finally {
      slow.restore();
    }
  });
});

describe('flow control of downloads', () => {
  it('reads no further ahead than the client takes the answers', async () => {
    const block = 261_120;
    const content = randomBytes(16 * block);
    mkdirSync(dirname(server.fileOnDisk('read-ahead.bin')), { recursive: true });
    writeFileSync(server.fileOnDisk('read-ahead.bin'), content);
    const storage = server.runtime.storage;
    const openRead = storage.openRead.bind(storage);
    let served = 0;
    storage.openRead = async (key: string): Promise<FileReader> => {
      const reader = await openRead(key);
      if (!key.endsWith('/read-ahead.bin')) return reader;
      const readInto = reader.readInto!.bind(reader);
      reader.readInto = (target, position) => {
        served += 1;
        return readInto(target, position);
      };
      return reader;
    };
    try {
      const sftp = await RawSftp.open();
      const handle = await sftp.openForWrite('/read-ahead.bin', 1, PFLAGS_READ);
      // The client stops reading: its window (2 MiB) fills and stays shut.
      sftp.channel.pause();
      const count = 100;
      const offsetOf = (i: number) => (i % 16) * block;
      await sftp.send(...Array.from({ length: count }, (_, i) => packet(READ, u32(10 + i), str(handle), Buffer.from([0, 0, 0, 0]), u32(offsetOf(i)), u32(block))));
      // Until the server stops reading: no READ served for 300 ms.
      let seen = -1;
      await server.until('the server to stop reading', async () => {
        if (served === seen) return true;
        seen = served;
        await new Promise((ok) => setTimeout(ok, 300));
        return undefined;
      });
      expect(served).toBeLessThan(count);
      // A paused ssh2 client still takes up to 4 MiB (its 2 MiB window, opened once more
      // until its stream holds 2 MiB); past that, only the READs that were in service
      // when the window shut, and one answer ssh2 holds.
      expect(served).toBeLessThanOrEqual(Math.ceil((4 * 1024 * 1024) / block) + MAX_READS_IN_SERVICE + 1);

      sftp.channel.resume();
      // Answers may come in any order (SFTP allows it): match them by request id.
      const answered = new Set<number>();
      for (let n = 0; n < count; n++) {
        const r = await sftp.reply();
        expect(r?.type).toBe(DATA);
        const i = r!.body.readUInt32BE(0) - 10;
        const data = r!.body.subarray(8, 8 + r!.body.readUInt32BE(4));
        expect(data.equals(content.subarray(offsetOf(i), offsetOf(i) + block))).toBe(true);
        answered.add(i);
      }
      expect(answered.size).toBe(count);
      expect(served).toBe(count);
      sftp.end();
    } finally {
      storage.openRead = openRead;
    }
  });
});
