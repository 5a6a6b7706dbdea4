// The `ls -l` style line of a READDIR entry, formatted as OpenSSH's sftp-server does
// (clients such as `sftp` print it verbatim for `ls -l`).
import type { Attributes } from 'ssh2';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const SIX_MONTHS_S = 182 * 24 * 3600;

function permissions(mode: number): string {
  const type = (mode & 0o170000) === 0o040000 ? 'd' : '-';
  const rwx = (bits: number) => `${bits & 4 ? 'r' : '-'}${bits & 2 ? 'w' : '-'}${bits & 1 ? 'x' : '-'}`;
  return type + rwx((mode >> 6) & 7) + rwx((mode >> 3) & 7) + rwx(mode & 7);
}

function date(mtime: number, now: number): string {
  const d = new Date(mtime * 1000);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const recent = Math.abs(now - mtime) < SIX_MONTHS_S;
  const tail = recent
    ? `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`
    : ` ${d.getUTCFullYear()}`;
  return `${MONTHS[d.getUTCMonth()]} ${day} ${tail}`;
}

export function longname(name: string, attrs: Attributes, owner: string, now = Date.now() / 1000): string {
  const o = owner.slice(0, 8).padEnd(8);
  return `${permissions(attrs.mode)}    1 ${o} ${o} ${String(attrs.size).padStart(8)} ${date(attrs.mtime, now)} ${name}`;
}
