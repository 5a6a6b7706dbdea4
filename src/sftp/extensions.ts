// The OpenSSH SFTP extensions we implement, their wire formats, and what the VERSION
// reply advertises. ssh2 1.17 cannot advertise extensions nor send EXTENDED_REPLY,
// so patches/ssh2+1.17.0.patch adds `advertiseExtensions` and `extendedReply` to its
// server-side SFTP object (a subclass cannot reach it: ssh2 constructs it internally).
import { SFTP } from 'ssh2/lib/protocol/SFTP.js';
import type { StatFs } from '../core/ports/storage.js';

/** Largest READ answered and WRITE accepted (OpenSSH's own sftp-server value). */
export const MAX_READ_LENGTH = 261_120;
export const MAX_WRITE_LENGTH = 261_120;
export const MAX_PACKET_LENGTH = 256 * 1024;

export const EXT = {
  posixRename: 'posix-rename@openssh.com',
  statvfs: 'statvfs@openssh.com',
  fstatvfs: 'fstatvfs@openssh.com',
  fsync: 'fsync@openssh.com',
  limits: 'limits@openssh.com',
} as const;

export const ADVERTISED: [string, string][] = [
  [EXT.posixRename, '1'],
  [EXT.statvfs, '2'],
  [EXT.fstatvfs, '2'],
  [EXT.fsync, '1'],
  [EXT.limits, '1'],
];

/** Fail at start, not at the first client, when `npm install` skipped the patch. */
export function assertSsh2Patched(): void {
  const proto = (SFTP as { prototype: Record<string, unknown> }).prototype;
  if (['advertiseExtensions', 'extendedReply', 'dataFrame', 'acceptWritePieces', 'holdWindow', 'outgoingBuffered'].some((m) => typeof proto[m] !== 'function')) {
    throw new Error('ssh2 is not patched (patches/ssh2+1.17.0.patch): run `npm install` without --ignore-scripts, or `npx patch-package`');
  }
}

const u64s = (values: number[]) => {
  const buf = Buffer.allocUnsafe(values.length * 8);
  values.forEach((v, i) => buf.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(v))), i * 8));
  return buf;
};

export function limitsReply(maxOpenHandles: number, maxReadLength = MAX_READ_LENGTH, maxWriteLength = MAX_WRITE_LENGTH): Buffer {
  return u64s([MAX_PACKET_LENGTH, maxReadLength, maxWriteLength, maxOpenHandles]);
}

const ST_NOSUID = 0x2;

export function statvfsReply(s: StatFs): Buffer {
  // f_bsize f_frsize f_blocks f_bfree f_bavail f_files f_ffree f_favail f_fsid f_flag f_namemax
  return u64s([s.blockSize, s.blockSize, s.totalBlocks, s.freeBlocks, s.availableBlocks, s.totalFiles, s.freeFiles, s.freeFiles, 0, ST_NOSUID, s.maxNameLength]);
}

/** Reads SSH strings from an EXTENDED request's data; undefined when malformed. */
export function readStrings(data: Buffer | undefined, count: number): Buffer[] | undefined {
  if (!data) return undefined;
  const out: Buffer[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 4 > data.length) return undefined;
    const len = data.readUInt32BE(p);
    if (p + 4 + len > data.length) return undefined;
    out.push(data.subarray(p + 4, p + 4 + len));
    p += 4 + len;
  }
  return out;
}
